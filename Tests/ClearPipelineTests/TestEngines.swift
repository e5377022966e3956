// Engines that exist only in the tests, to drive the pipeline: identity, a box inverter, a
// temporal average that needs its neighbours, one that fills each chunk with its own value, and
// one that fails mid-run. Each records the chunk lengths it was given.
import ClearMedia
import ClearPipeline

class RecordingEngine: RemovalEngine {
    let name: String
    let chunkSize: Int
    let chunkOverlap: Int
    private(set) var chunkLengths: [Int] = []

    init(name: String, chunkSize: Int, chunkOverlap: Int) {
        self.name = name
        self.chunkSize = chunkSize
        self.chunkOverlap = chunkOverlap
    }

    func clean(_ chunk: [RGBFrame]) throws -> [RGBFrame] {
        precondition(!chunk.isEmpty && chunk.count <= chunkSize, "chunk of \(chunk.count) frames")
        chunkLengths.append(chunk.count)
        return try transform(chunk, index: chunkLengths.count - 1)
    }

    func transform(_ chunk: [RGBFrame], index: Int) throws -> [RGBFrame] { chunk }
}

/// Returns its input unchanged.
final class IdentityEngine: RecordingEngine {
    init(chunkSize: Int = 5, chunkOverlap: Int = 2) { super.init(name: "identity", chunkSize: chunkSize, chunkOverlap: chunkOverlap) }
}

/// Inverts the colours inside a fixed box (x, y, w, h); pixels outside are untouched.
final class BoxInvertEngine: RecordingEngine {
    let box: (x: Int, y: Int, w: Int, h: Int)
    init(box: (Int, Int, Int, Int) = (16, 80, 96, 24), chunkSize: Int = 6, chunkOverlap: Int = 2) {
        self.box = box
        super.init(name: "box-invert", chunkSize: chunkSize, chunkOverlap: chunkOverlap)
    }
    override func transform(_ chunk: [RGBFrame], index: Int) throws -> [RGBFrame] {
        chunk.map { Self.invert($0, box) }
    }
    static func invert(_ f: RGBFrame, _ box: (x: Int, y: Int, w: Int, h: Int)) -> RGBFrame {
        var out = f
        for y in box.y..<min(f.height, box.y + box.h) {
            for x in box.x..<min(f.width, box.x + box.w) {
                let i = (y * f.width + x) * 3
                for c in 0..<3 { out.pixels[i + c] = 255 - f.pixels[i + c] }
            }
        }
        return out
    }
}

/// Frame i becomes the mean of frames i-1, i, i+1 of its chunk (clamped at the chunk's ends).
final class TemporalAverageEngine: RecordingEngine {
    init(chunkSize: Int = 7, chunkOverlap: Int = 3) { super.init(name: "temporal-average", chunkSize: chunkSize, chunkOverlap: chunkOverlap) }
    override func transform(_ chunk: [RGBFrame], index: Int) throws -> [RGBFrame] {
        chunk.indices.map { i in
            let a = chunk[max(0, i - 1)], b = chunk[i], c = chunk[min(chunk.count - 1, i + 1)]
            var p = b.pixels
            for k in p.indices { p[k] = UInt8((Int(a.pixels[k]) + Int(b.pixels[k]) + Int(c.pixels[k]) + 1) / 3) }
            return RGBFrame(width: b.width, height: b.height, pixels: p)
        }
    }
}

/// Chunk k comes back filled with the value 40·k (to see exactly how overlaps are blended).
final class ChunkValueEngine: RecordingEngine {
    init(chunkSize: Int, chunkOverlap: Int) { super.init(name: "chunk-value", chunkSize: chunkSize, chunkOverlap: chunkOverlap) }
    override func transform(_ chunk: [RGBFrame], index: Int) throws -> [RGBFrame] {
        let v = UInt8(min(255, 40 * index))
        return chunk.map { RGBFrame(width: $0.width, height: $0.height, fill: (v, v, v)) }
    }
}

struct InjectedFailure: Error {}

/// Identity until chunk `failAt`, which throws.
final class FailingEngine: RecordingEngine {
    let failAt: Int
    init(failAt: Int) {
        self.failAt = failAt
        super.init(name: "failing", chunkSize: 4, chunkOverlap: 1)
    }
    override func transform(_ chunk: [RGBFrame], index: Int) throws -> [RGBFrame] {
        if index == failAt { throw InjectedFailure() }
        return chunk
    }
}

/// Breaks the contract by dropping a frame.
final class ShortEngine: RecordingEngine {
    init() { super.init(name: "short", chunkSize: 4, chunkOverlap: 1) }
    override func transform(_ chunk: [RGBFrame], index: Int) throws -> [RGBFrame] { Array(chunk.dropLast()) }
}

/// A `WindowedEngine`: frame t becomes the mean of frames t−r … t+r of the *video* (clamped at its
/// ends; the chunk's context must make that possible). Records every call's frame count and
/// outputs, and the static-scene map indices it was given.
final class WindowedMeanEngine: WindowedEngine {
    let name = "windowed-mean"
    let chunkSize: Int
    let chunkOverlap = 0
    let contextRadius: Int
    let staticSceneSettings: StaticSceneSettings? = nil
    private(set) var calls: [(frames: Int, outputs: Range<Int>)] = []
    private(set) var mapsSeen: [Bool] = []
    /// Calls in order: "begin" (`beginVideo`) and "clean".
    private(set) var events: [String] = []

    init(chunkSize: Int, radius: Int) { self.chunkSize = chunkSize; contextRadius = radius }

    func beginVideo() { events.append("begin") }

    func clean(_ chunk: [RGBFrame]) throws -> [RGBFrame] { try clean(chunk, outputs: chunk.indices, staticScene: []) }
    func clean(_ chunk: [RGBFrame], staticScene: [StaticSceneMap?]) throws -> [RGBFrame] {
        try clean(chunk, outputs: chunk.indices, staticScene: staticScene)
    }
    func clean(_ frames: [RGBFrame], outputs: Range<Int>, staticScene: [StaticSceneMap?]) throws -> [RGBFrame] {
        precondition(frames.count <= chunkSize, "call of \(frames.count) frames")
        calls.append((frames.count, outputs))
        events.append("clean")
        mapsSeen.append(contentsOf: staticScene.map { $0 != nil })
        return outputs.map { Self.mean(frames, at: $0, radius: contextRadius) }
    }

    /// Mean of frames[t−r … t+r] clamped to `frames`.
    static func mean(_ frames: [RGBFrame], at t: Int, radius r: Int) -> RGBFrame {
        let window = (max(0, t - r)...min(frames.count - 1, t + r)).map { frames[$0] }
        var p = frames[t].pixels
        for k in p.indices { p[k] = UInt8((window.reduce(0) { $0 + Int($1.pixels[k]) } + window.count / 2) / window.count) }
        return RGBFrame(width: frames[t].width, height: frames[t].height, pixels: p)
    }
}
