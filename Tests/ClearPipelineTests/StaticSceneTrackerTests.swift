// The long-range cue (StaticSceneTracker): blocks that stay unchanged for seconds are static, blocks
// where a cue appears and disappears are not (nor neighbours whose luma range changed), nothing is static under a
// moving camera or in a clip too short to tell, memory stays within the window, and the chunked
// processor hands each frame its own map.
import XCTest
import ClearMedia
@testable import ClearPipeline

final class StaticSceneTrackerTests: XCTestCase {
    static let (w, h) = (64, 48)

    /// A textured static background; a bright "cue" box over x 8..<40, y 32..<40 while `cue` holds.
    static func frame(_ i: Int, cue: Range<Int>, shift: Int = 0) -> GrayFrame {
        var p = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h { for x in 0..<w { p[y * w + x] = UInt8(((x + shift * i) * 7 + y * 13) % 160) } }
        if cue.contains(i) { for y in 32..<40 { for x in 8..<40 { p[y * w + x] = 250 } } }
        return GrayFrame(width: w, height: h, pixels: p)
    }

    static func tracker(frames n: Int, fps: Double = 10, cue: Range<Int> = 20..<35, shift: Int = 0) -> StaticSceneTracker {
        var i = 0
        return StaticSceneTracker(width: w, height: h, fps: fps, revisit: 16) {
            guard i < n else { return nil }
            defer { i += 1 }
            return frame(i, cue: cue, shift: shift)
        }
    }

    /// A tracker at 10 fps over the `n` frames `make` draws.
    static func tracker(frames n: Int, settings: StaticSceneSettings, make: @escaping (Int) -> GrayFrame) -> StaticSceneTracker {
        var i = 0
        return StaticSceneTracker(width: w, height: h, fps: 10, settings: settings, revisit: 16) {
            guard i < n else { return nil }
            defer { i += 1 }
            return make(i)
        }
    }

    func testCueBlocksAreNotStaticAndSteadySceneryIs() throws {
        let t = Self.tracker(frames: 100)
        XCTAssertEqual(t.blockSize, 2)
        for index in [0, 25, 50, 90] {
            let m = try XCTUnwrap(try t.map(at: index), "frame \(index)")
            XCTAssertTrue(m.isStatic(x: 60, y: 4), "far scenery, frame \(index)")
            // The cue (frames 20–34) is inside the ±6 s window of each of these frames: its blocks
            // are never static; the untouched blocks right beside it (mean and range unchanged) are.
            for (x, y) in [(8, 32), (39, 39), (20, 35)] {
                XCTAssertFalse(m.isStatic(x: x, y: y), "(\(x), \(y)) frame \(index)")
            }
            for (x, y) in [(7, 31), (40, 40), (6, 30), (4, 28)] {
                XCTAssertTrue(m.isStatic(x: x, y: y), "(\(x), \(y)) beside the cue, frame \(index)")
            }
        }
    }

    /// A glyph edge that keeps a block's mean (a white pixel beside a black one on mid-gray) leaves
    /// the block stable on its mean alone; beside a changing block, its range still marks it.
    /// Without the range test (rangeTolerance nil), every block beside a changing one is kept out.
    func testEdgeThatKeepsTheMeanIsNotStaticBesideTheCue() throws {
        func tracker(_ settings: StaticSceneSettings) -> StaticSceneTracker {
            Self.tracker(frames: 100, settings: settings) { i in
                var p = [UInt8](repeating: 128, count: Self.w * Self.h)
                if (20..<35).contains(i) {
                    for y in 32..<40 { for x in 8..<40 { p[y * Self.w + x] = 250 } }
                    // the block at (6, 32): one white and one black pixel per row, same mean
                    for y in 32..<34 { p[y * Self.w + 6] = 228; p[y * Self.w + 7] = 28 }
                }
                return GrayFrame(width: Self.w, height: Self.h, pixels: p)
            }
        }
        let m = try XCTUnwrap(try tracker(StaticSceneSettings()).map(at: 25))
        XCTAssertFalse(m.isStatic(x: 6, y: 32), "mean kept, range changed, beside the cue")
        XCTAssertTrue(m.isStatic(x: 6, y: 36), "unchanged block beside the cue")
        var strict = StaticSceneSettings()
        strict.rangeTolerance = nil
        let s = try XCTUnwrap(try tracker(strict).map(at: 25))
        XCTAssertFalse(s.isStatic(x: 6, y: 36), "without the range test the ring around a change is never static")
        XCTAssertTrue(s.isStatic(x: 2, y: 36), "two blocks away")
    }

    func testCueOutsideTheWindowLeavesTheBlockStatic() throws {
        // 30 s at 10 fps; the cue at 2–3.5 s is more than 6 s before frame 200.
        let t = Self.tracker(frames: 300)
        XCTAssertFalse(try XCTUnwrap(try t.map(at: 25)).isStatic(x: 20, y: 35))
        XCTAssertTrue(try XCTUnwrap(try t.map(at: 200)).isStatic(x: 20, y: 35))
    }

    /// `StaticSceneSettings.carry`: a block static by an earlier frame's window is carried
    /// (`StaticSceneMap.carried`) in the later frames that window reaches, until something changes
    /// it; without carry, a change
    /// anywhere in a frame's own window keeps the block out. A cue is never carried into.
    func testCarryKeepsSceneryStaticUntilSomethingPassesInFront() throws {
        // 30 s at 10 fps (window ±60 frames); a "passer" over the box x 8..<40, y 32..<40 at frames
        // 150–159, a cue over the block at (60, 4) at frames 100–129
        func tracker(_ settings: StaticSceneSettings) -> StaticSceneTracker {
            Self.tracker(frames: 300, settings: settings) { i in
                var f = Self.frame(i, cue: 150..<160)
                if (100..<130).contains(i) { for y in 0..<8 { for x in 56..<64 { f.pixels[y * Self.w + x] = 250 } } }
                return f
            }
        }
        var carrying = StaticSceneSettings()
        carrying.carry = true
        let plain = tracker(StaticSceneSettings()), carried = tracker(carrying)
        for index in 0..<300 {      // in order, as the engine asks
            let p = try XCTUnwrap(try plain.map(at: index)), c = try XCTUnwrap(try carried.map(at: index))
            XCTAssertEqual(c.isStatic, p.isStatic, "the window's own test is unchanged, frame \(index)")
            XCTAssertTrue(p.carried.isEmpty)
            for (k, v) in c.carried.enumerated() where v { XCTAssertFalse(c.isStatic[k], "carried only where not static, frame \(index)") }
            guard [95, 120, 140, 149, 155, 165].contains(index) else { continue }
            let carried = c.carriedMap
            XCTAssertFalse(p.isStatic(x: 20, y: 35), "the passer is in frame \(index)'s window")
            // the last frame whose window misses the passer is 89; it reaches frame 149
            XCTAssertEqual(carried?.isStatic(x: 20, y: 35) ?? false, index <= 149, "passer's block, frame \(index)")
            // the last frame whose window misses the cue is 39; it reaches frame 99
            XCTAssertFalse(p.isStatic(x: 60, y: 4), "the cue is in frame \(index)'s window")
            XCTAssertEqual(carried?.isStatic(x: 60, y: 4) ?? false, index <= 99, "cue's block, frame \(index)")
        }
    }

    /// `clearsub remove` reduces the gray frames to block statistics on its reading thread and
    /// feeds those (`init(…, blockFrames:)`): the maps are the same as from the gray frames.
    func testBlockFramesReducedElsewhereGiveTheSameMaps() throws {
        let fromGray = Self.tracker(frames: 120)
        var i = 0
        let fromBlocks = StaticSceneTracker(width: Self.w, height: Self.h, fps: 10, revisit: 16, blockFrames: {
            guard i < 120 else { return nil }
            defer { i += 1 }
            return StaticSceneTracker.BlockFrame(Self.frame(i, cue: 20..<35))
        })
        for index in [0, 10, 25, 60, 119] {
            let expected = try fromGray.map(at: index)
            XCTAssertNotNil(expected, "frame \(index)")
            XCTAssertEqual(try fromBlocks.map(at: index), expected, "frame \(index)")
        }
    }

    func testBlockFramesOfAnotherBlockSizeAreRefused() {
        let t = StaticSceneTracker(width: Self.w, height: Self.h, fps: 10, blockFrames: {
            StaticSceneTracker.BlockFrame(Self.frame(0, cue: 0..<0), blockSize: 4)   // the tracker's is 2
        })
        XCTAssertThrowsError(try t.map(at: 0)) { error in
            XCTAssertTrue("\(error)".contains("blocks"), "\(error)")
        }
    }

    func testShortClipGetsNoMap() throws {
        let t = Self.tracker(frames: 25)      // 2.4 s span < 3 s
        XCTAssertNil(try t.map(at: 0))
        XCTAssertNil(try t.map(at: 24))
        XCTAssertNil(try t.map(at: 25), "past the end")
    }

    func testMovingCameraHasNothingStatic() throws {
        let t = Self.tracker(frames: 60, cue: 0..<0, shift: 1)
        let m = try XCTUnwrap(try t.map(at: 30))
        XCTAssertEqual(m.staticFraction, 0, accuracy: 0.02)
    }

    func testToleranceAbsorbsNoise() throws {
        var i = 0
        let t = StaticSceneTracker(width: Self.w, height: Self.h, fps: 10) {
            guard i < 80 else { return nil }
            defer { i += 1 }
            var f = Self.frame(i, cue: 0..<0)
            for k in f.pixels.indices { f.pixels[k] &+= UInt8((k &* 31 &+ i &* 17) % 7) }   // ±3 levels of "noise"
            return f
        }
        XCTAssertGreaterThan(try XCTUnwrap(try t.map(at: 40)).staticFraction, 0.99)
    }

    func testRevisitsGiveTheSameMapAndMemoryStaysInTheWindow() throws {
        let t = Self.tracker(frames: 400)
        var maps: [Int: StaticSceneMap?] = [:]
        var start = 0
        while start < 400 {            // chunks of 16 overlapping by 4, as the lite engine asks
            for i in start..<min(400, start + 16) {
                let m = try t.map(at: i)
                if let earlier = maps[i] { XCTAssertEqual(earlier, m, "frame \(i)") }
                maps[i] = m
            }
            XCTAssertLessThanOrEqual(t.bufferedFrames, 2 * t.radius + t.revisit + 2)
            start += 12
        }
    }

    func testChunkedProcessorHandsEachFrameItsOwnMap() throws {
        // Map i has width i + 1; frame i's first byte is i.
        final class MapCheckingEngine: RecordingEngine, StaticSceneAware {
            var staticSceneSettings: StaticSceneSettings? = StaticSceneSettings()
            var checked = 0
            func clean(_ chunk: [RGBFrame], staticScene: [StaticSceneMap?]) throws -> [RGBFrame] {
                XCTAssertEqual(chunk.count, staticScene.count)
                for (f, m) in zip(chunk, staticScene) { XCTAssertEqual(m?.width, Int(f.pixels[0]) + 1); checked += 1 }
                return try clean(chunk)
            }
        }
        let engine = MapCheckingEngine(name: "maps", chunkSize: 5, chunkOverlap: 2)
        var pulled = 0, emitted = 0
        try ChunkedProcessor(engine: engine).run(next: {
            guard pulled < 23 else { return nil }
            defer { pulled += 1 }
            return RGBFrame(width: 2, height: 1, fill: (UInt8(pulled), 0, 0))
        }, emit: { _, _ in emitted += 1 }, staticScene: { i in
            StaticSceneMap(width: i + 1, height: 1, blockSize: i + 1, isStatic: [false])
        })
        XCTAssertEqual(emitted, 23)
        XCTAssertGreaterThan(engine.checked, 23, "overlapping frames are seen twice")
    }

    /// Records the maps the pipeline hands over (identity otherwise).
    final class MapRecordingEngine: RecordingEngine, StaticSceneAware {
        var staticSceneSettings: StaticSceneSettings?
        var maps: [StaticSceneMap?] = []
        init(settings: StaticSceneSettings?) {
            staticSceneSettings = settings
            super.init(name: "maps", chunkSize: 8, chunkOverlap: 2)
        }
        func clean(_ chunk: [RGBFrame], staticScene: [StaticSceneMap?]) throws -> [RGBFrame] {
            maps += staticScene
            return try clean(chunk)
        }
    }

    func testPipelineFeedsMapsFromTheLookAheadDecoder() throws {
        let fx = try ClipFixture("scene-maps")
        let out = fx.dir.appendingPathComponent("out")
        try OutputDirectory.create(out)
        for (seconds, expectMaps) in [(4.0, true), (2.0, false)] {
            let input = try fx.clip("clip\(Int(seconds)).mp4", seconds: seconds)
            let engine = MapRecordingEngine(settings: StaticSceneSettings())
            let entry = try RemovalPipeline(engine: engine, options: RemovalOptions(outputDir: out)).process(try VideoProbe.probe(input))
            XCTAssertGreaterThan(engine.maps.count, entry.numFrames, "every frame, overlaps twice")
            for m in engine.maps {
                if expectMaps {
                    let map = try XCTUnwrap(m, "a \(seconds) s clip spans the minimum")
                    XCTAssertEqual([map.width, map.height, map.blockSize], [160, 120, 2])
                } else {
                    XCTAssertNil(m, "a \(seconds) s clip is too short to tell")
                }
            }
        }
        let off = MapRecordingEngine(settings: nil)
        _ = try RemovalPipeline(engine: off, options: RemovalOptions(outputDir: out)).process(try VideoProbe.probe(fx.path("clip4.mp4")))
        XCTAssertTrue(off.maps.isEmpty, "no analysis when the engine turns it off")
        XCTAssertFalse(off.chunkLengths.isEmpty)
    }
}
