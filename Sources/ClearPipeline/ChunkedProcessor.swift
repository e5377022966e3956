// Windowed streaming of a frame sequence through a `RemovalEngine`: chunks of `chunkSize` frames,
// consecutive chunks sharing `chunkOverlap` frames whose two results are cross-faded. At most one
// chunk of inputs, its results and one overlap of earlier results are held at a time.
// A `WindowedEngine` instead gets a sliding window: each call cleans the frames after those already
// emitted, with `contextRadius` frames of context on either side and no frame cleaned twice.
import ClearMedia

public final class ChunkedProcessor {
    public let engine: any RemovalEngine
    public let chunkSize: Int
    public let overlap: Int
    private let cancellation: CancellationToken

    public init(engine: any RemovalEngine, cancellation: CancellationToken = CancellationToken()) throws {
        guard engine.chunkSize >= 1, engine.chunkOverlap >= 0, engine.chunkOverlap < engine.chunkSize else {
            throw PipelineError.invalidWindow(engine: engine.name, chunkSize: engine.chunkSize, overlap: engine.chunkOverlap)
        }
        self.engine = engine
        self.chunkSize = engine.chunkSize
        self.overlap = engine.chunkOverlap
        self.cancellation = cancellation
    }

    /// Pulls frames from `next` until it returns nil and hands every frame, in order, to `emit`
    /// as (original, cleaned). Returns the number of frames emitted (always the number pulled).
    /// With `staticScene` (frame index → map) and a `StaticSceneAware` engine, each chunk goes to
    /// the engine with the maps of its frames.
    @discardableResult
    public func run(next: () throws -> RGBFrame?, emit: (RGBFrame, RGBFrame) throws -> Void,
                    staticScene: ((Int) throws -> StaticSceneMap?)? = nil) throws -> Int {
        var inputs: [RGBFrame] = []   // the current window; its first `tail.count` frames were seen before
        var tail: [RGBFrame] = []     // previous chunk's results for those frames
        var ended = false
        var emitted = 0

        func fill() throws {
            while inputs.count < chunkSize && !ended {
                try cancellation.check()
                if let f = try next() { inputs.append(f) } else { ended = true }
            }
        }
        func send(_ original: RGBFrame, _ cleaned: RGBFrame) throws {
            try cancellation.check()
            try emit(original, cleaned)
            emitted += 1
        }

        if let windowed = engine as? any WindowedEngine {
            return try runWindowed(windowed, next: next, send: send, staticScene: staticScene)
        }
        try fill()
        while true {
            if inputs.count == tail.count {        // no new frames: the overlap results are final
                for (o, c) in zip(inputs, tail) { try send(o, c) }
                return emitted
            }
            try cancellation.check()
            var out: [RGBFrame]
            if let maps = staticScene, let aware = engine as? any StaticSceneAware {
                // inputs[0] is the first frame not yet emitted.
                out = try aware.clean(inputs, staticScene: try (0..<inputs.count).map { try maps(emitted + $0) })
            } else {
                out = try engine.clean(inputs)
            }
            try validate(out, against: inputs)
            for j in 0..<tail.count {
                out[j] = FrameBlender.crossFade(tail[j], out[j], position: j, length: tail.count)
            }
            if ended {
                for (o, c) in zip(inputs, out) { try send(o, c) }
                return emitted
            }
            let keep = min(overlap, out.count)
            let done = out.count - keep
            for j in 0..<done { try send(inputs[j], out[j]) }
            tail = Array(out[done...])
            inputs = Array(inputs[done...])
            out = []
            try fill()
        }
    }

    /// The sliding window of a `WindowedEngine`: `buffer` holds up to `radius` frames already
    /// emitted (context) and the frames after them; each call cleans up to chunkSize − 2·radius
    /// frames, once the `radius` frames after them are buffered (or the video has ended).
    private func runWindowed(_ engine: any WindowedEngine, next: () throws -> RGBFrame?,
                             send: (RGBFrame, RGBFrame) throws -> Void,
                             staticScene: ((Int) throws -> StaticSceneMap?)?) throws -> Int {
        let radius = engine.contextRadius
        guard radius >= 0, 2 * radius < chunkSize else {
            throw PipelineError.invalidWindow(engine: engine.name, chunkSize: chunkSize, overlap: radius)
        }
        let step = chunkSize - 2 * radius
        engine.beginVideo()
        var buffer: [RGBFrame] = []
        var first = 0       // video index of buffer[0]
        var emitted = 0     // video index of the next frame to clean
        var ended = false
        while true {
            // buffer: [first ..< emitted) context, then the frames to clean, then look-ahead
            while buffer.count < (emitted - first) + step + radius && !ended {
                try cancellation.check()
                if let f = try next() { buffer.append(f) } else { ended = true }
            }
            let pending = first + buffer.count - emitted
            if pending == 0 { return emitted }
            let count = ended ? min(step, pending) : min(step, pending - radius)
            let start = emitted - first
            let end = min(buffer.count, start + count + radius)
            let frames = Array(buffer[0..<end])
            let outputs = start..<(start + count)
            let maps: [StaticSceneMap?] = try frames.indices.map { j in
                outputs.contains(j) ? try staticScene?(first + j) : nil
            }
            try cancellation.check()
            let out = try engine.clean(frames, outputs: outputs, staticScene: maps)
            try validate(out, against: Array(frames[outputs]))
            for (o, c) in zip(frames[outputs], out) { try send(o, c) }
            emitted += count
            let drop = max(0, (emitted - radius) - first)
            buffer.removeFirst(drop)
            first += drop
        }
    }

    private func validate(_ out: [RGBFrame], against inputs: [RGBFrame]) throws {
        guard out.count == inputs.count else {
            throw PipelineError.engineContract(engine: engine.name,
                                               detail: "returned \(out.count) frames for a chunk of \(inputs.count)")
        }
        for (o, i) in zip(out, inputs) where o.width != i.width || o.height != i.height {
            throw PipelineError.engineContract(engine: engine.name,
                                               detail: "returned a \(o.width)x\(o.height) frame for a \(i.width)x\(i.height) input")
        }
    }
}
