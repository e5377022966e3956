// Windowing with overlap, in memory: every frame comes out once and in order, chunk lengths stay
// within 1…chunkSize, overlaps are cross-faded linearly, identical results pass bit-exactly,
// memory stays within one window, and cancellation and contract violations stop the run.
import XCTest
import ClearMedia
@testable import ClearPipeline

final class ChunkedProcessorTests: XCTestCase {
    /// Frame i: a 4×3 frame filled with distinct bytes derived from i.
    static func frames(_ n: Int) -> [RGBFrame] {
        (0..<n).map { i in
            RGBFrame(width: 4, height: 3, pixels: (0..<36).map { UInt8((i * 37 + $0 * 11) % 256) })
        }
    }

    func run(_ engine: any RemovalEngine, _ input: [RGBFrame], token: CancellationToken = CancellationToken(),
             maxHeld: UnsafeMutablePointer<Int>? = nil) throws -> [RGBFrame] {
        var pulled = 0
        var out: [RGBFrame] = []
        try ChunkedProcessor(engine: engine, cancellation: token).run(next: {
            guard pulled < input.count else { return nil }
            pulled += 1
            maxHeld?.pointee = max(maxHeld?.pointee ?? 0, pulled - out.count)
            return input[pulled - 1]
        }, emit: { original, cleaned in
            XCTAssertEqual(original, input[out.count], "originals are handed out in order")
            out.append(cleaned)
        })
        return out
    }

    func testIdentityIsBitExactForEveryLengthAndWindow() throws {
        for (size, overlap) in [(1, 0), (2, 1), (4, 0), (5, 2), (6, 5), (8, 3)] {
            for n in [0, 1, 2, 3, 5, 6, 7, 11, 16, 23] {
                let input = Self.frames(n)
                let engine = IdentityEngine(chunkSize: size, chunkOverlap: overlap)
                var held = 0
                let out = try run(engine, input, maxHeld: &held)
                XCTAssertEqual(out, input, "size \(size) overlap \(overlap) n \(n)")
                XCTAssertTrue(engine.chunkLengths.allSatisfy { $0 >= 1 && $0 <= size })
                XCTAssertLessThanOrEqual(held, size, "input frames held at once")
                if n > 0 { XCTAssertGreaterThan(engine.chunkLengths.count, 0) }
            }
        }
    }

    /// A windowed engine is streamed without overlap: every frame is cleaned exactly once, with its
    /// full window as context, so the result equals cleaning the whole video in one call.
    func testWindowedEngineEqualsWholeVideoAndCleansEachFrameOnce() throws {
        for (size, radius) in [(5, 2), (16, 2), (3, 1), (4, 0), (9, 4)] {
            for n in [0, 1, 2, 3, 4, 5, 6, 9, 16, 17, 30] {
                let input = Self.frames(n)
                let engine = WindowedMeanEngine(chunkSize: size, radius: radius)
                var held = 0
                let out = try run(engine, input, maxHeld: &held)
                let whole = input.indices.map { WindowedMeanEngine.mean(input, at: $0, radius: radius) }
                XCTAssertEqual(out, whole, "size \(size) radius \(radius) n \(n)")
                XCTAssertEqual(engine.calls.reduce(0) { $0 + $1.outputs.count }, n, "each frame cleaned once")
                XCTAssertTrue(engine.calls.allSatisfy { $0.frames <= size && !$0.outputs.isEmpty })
                XCTAssertLessThanOrEqual(held, size, "input frames held at once")
                if n > 0 { XCTAssertEqual(engine.calls.count, (n + size - 2 * radius - 1) / (size - 2 * radius), "calls of chunkSize − 2·radius outputs") }
                XCTAssertEqual(engine.events.first, "begin", "a video begins before its first frame is cleaned")
                XCTAssertEqual(engine.events.filter { $0 == "begin" }.count, 1)
            }
        }
        // a radius that leaves no frame to clean is a typed error
        XCTAssertThrowsError(try run(WindowedMeanEngine(chunkSize: 4, radius: 2), Self.frames(3)))
    }

    /// Static-scene maps are asked for the frames being cleaned only, in order, once each.
    func testWindowedEngineGetsMapsOfItsOutputFramesOnly() throws {
        let input = Self.frames(11)
        let engine = WindowedMeanEngine(chunkSize: 5, radius: 1)
        var asked: [Int] = []
        let map = StaticSceneMap(width: 4, height: 3, blockSize: 2, isStatic: [false, false, false, false])
        var pulled = 0
        try ChunkedProcessor(engine: engine).run(next: { () -> RGBFrame? in
            defer { pulled += 1 }
            return pulled < input.count ? input[pulled] : nil
        }, emit: { _, _ in }, staticScene: { asked.append($0); return map })
        XCTAssertEqual(asked, Array(0..<11))
        XCTAssertEqual(engine.mapsSeen.filter { $0 }.count, 11, "one map per cleaned frame; context frames get nil")
    }

    func testChunkLayout() throws {
        let engine = IdentityEngine(chunkSize: 4, chunkOverlap: 2)
        _ = try run(engine, Self.frames(10))
        // Chunks start at 0, 2, 4, 6: [0,4) [2,6) [4,8) [6,10).
        XCTAssertEqual(engine.chunkLengths, [4, 4, 4, 4])
        let e2 = IdentityEngine(chunkSize: 4, chunkOverlap: 1)
        _ = try run(e2, Self.frames(9))
        // [0,4) [3,7) [6,9): the last chunk is shorter.
        XCTAssertEqual(e2.chunkLengths, [4, 4, 3])
    }

    func testOverlapIsLinearCrossFade() throws {
        // chunkSize 5, overlap 3: chunk 0 = frames 0-4 (value 0), chunk 1 = frames 2-6 (value 40).
        let engine = ChunkValueEngine(chunkSize: 5, chunkOverlap: 3)
        let out = try run(engine, Self.frames(7))
        let values = out.map { Int($0.pixels[0]) }
        // Frames 2,3,4 fade with weights 1/4, 2/4, 3/4 of the later chunk: 10, 20, 30.
        XCTAssertEqual(values, [0, 0, 10, 20, 30, 40, 40])
        XCTAssertTrue(out.allSatisfy { f in f.pixels.allSatisfy { $0 == f.pixels[0] } })
    }

    func testTemporalEngineSeesNeighboursAndBlendsAtBoundaries() throws {
        let input = Self.frames(20)
        let windowed = try run(TemporalAverageEngine(chunkSize: 7, chunkOverlap: 3), input)
        let whole = try run(TemporalAverageEngine(chunkSize: 20, chunkOverlap: 0), input)
        XCTAssertEqual(windowed.count, 20)
        // Frames 0-3 come from the first chunk alone (the second starts at 4) and match the
        // whole-clip result; frames in overlaps are blends and differ from any single chunk.
        XCTAssertEqual(Array(windowed[0..<4]), Array(whole[0..<4]))
        XCTAssertNotEqual(windowed[6], whole[6])
    }

    func testCancellationStopsTheRun() {
        let token = CancellationToken()
        let engine = IdentityEngine(chunkSize: 3, chunkOverlap: 1)
        var emitted = 0
        XCTAssertThrowsError(try ChunkedProcessor(engine: engine, cancellation: token).run(next: {
            RGBFrame(width: 2, height: 2)   // an endless stream
        }, emit: { _, _ in
            emitted += 1
            if emitted == 5 { token.cancel() }
        })) { XCTAssertEqual($0 as? PipelineError, .cancelled) }
        XCTAssertEqual(emitted, 5)
    }

    func testContractViolationsAreReported() {
        XCTAssertThrowsError(try run(ShortEngine(), Self.frames(6))) { error in
            guard case .engineContract(let name, let detail)? = error as? PipelineError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "short")
            XCTAssertTrue(detail.contains("3 frames for a chunk of 4"), detail)
        }
        XCTAssertThrowsError(try ChunkedProcessor(engine: IdentityEngine(chunkSize: 3, chunkOverlap: 3))) {
            XCTAssertEqual($0 as? PipelineError, .invalidWindow(engine: "identity", chunkSize: 3, overlap: 3))
        }
    }

    func testCrossFadeOfIdenticalFramesIsExact() {
        let f = Self.frames(1)[0]
        for length in 1...6 {
            for position in 0..<length {
                XCTAssertEqual(FrameBlender.crossFade(f, f, position: position, length: length), f)
            }
        }
        let a = RGBFrame(width: 1, height: 1, fill: (0, 100, 255)), b = RGBFrame(width: 1, height: 1, fill: (255, 0, 255))
        XCTAssertEqual(FrameBlender.crossFade(a, b, position: 0, length: 1).pixels, [128, 50, 255])
    }
}
