// `clearsub remove --engine wan` and `clearsub bench wan` as a binary, on a tiny random model folder
// written by `bench wan --tiny --model-dir`: an incomplete folder is one line naming each missing file
// and where it belongs; a complete one cleans a clip whose size needs CLEAR's resize, keeping every
// frame, the resolution and the audio.
import XCTest
import Foundation
import ClearMedia

final class WanRemoveCLITests: XCTestCase {
    /// A tiny model folder (and its LoRA) written by the bench command.
    func tinyModel(_ s: Scratch, run: Bool = false) throws -> (model: String, lora: String, bench: CLIResult) {
        let model = s.path("model")
        let r = try CLIHarness.run(["bench", "wan", "--tiny", "--size", "32x32x1", "--model-dir", model, "--json"] + (run ? [] : ["--write-only"]),
                                   environment: ["CLEARSUB_CACHE_DIR": s.path("cache")])
        XCTAssertEqual(r.status, 0, r.stderr)
        return (model, model + "/clear_lora_random.pt", r)
    }

    func testBenchWanReportsSecondsPerFrameAndPeakMemory() throws {
        let s = try Scratch("bench-wan")
        let (_, _, r) = try tinyModel(s, run: true)
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(json?["frames"] as? Int, 1)
        XCTAssertGreaterThan(json?["engine_seconds_per_frame"] as? Double ?? 0, 0)
        XCTAssertGreaterThan(json?["peak_rss_bytes"] as? Int ?? 0, 1_000_000)
        XCTAssertTrue((json?["command"] as? String ?? "").contains("remove"), r.stdout)
    }

    func testMissingModelFileIsOneLineNamingItsPath() throws {
        let s = try Scratch("wan-missing")
        let (model, lora, _) = try tinyModel(s)
        let input = s.path("clip.mp4")
        try SyntheticClip.make(input, width: 40, height: 24, rate: 10, seconds: 0.3)
        // the default --lora-rank is 64: the tiny rank-4 checkpoint is refused, naming both ranks
        let wrong = try CLIHarness.run(["remove", input, "--engine", "wan", "--model_base_path", model,
                                        "--lora_checkpoint", lora, "--output-dir", s.path("out")],
                                       environment: ["CLEARSUB_CACHE_DIR": s.path("cache")])
        CLIHarness.assertOneLineError(wrong, mentions: "has rank 4, but rank 64 was requested")
        try FileManager.default.removeItem(atPath: model + "/Wan2.1_VAE.pth")
        let r = try CLIHarness.run(["remove", input, "--engine", "wan", "--model-base-path", model, "--lora-checkpoint", lora,
                                    "--output-dir", s.path("out")])
        CLIHarness.assertOneLineError(r, mentions: "missing the VAE (expected at \(model)/Wan2.1_VAE.pth)")
        XCTAssertFalse(s.exists("out"))
    }

    func testTinyModelCleansAClipKeepingFramesSizeAndAudio() throws {
        let s = try Scratch("wan-remove")
        let (model, lora, _) = try tinyModel(s)
        let input = s.path("clip.mp4")
        try SyntheticClip.make(input, width: 40, height: 24, rate: 10, seconds: 0.3)   // 3 frames; model 32x16 after resize + crop
        let r = try CLIHarness.run(["remove", input, "--engine", "wan", "--model-base-path", model, "--lora-checkpoint", lora,
                                    "--lora-rank", "4", "--lora-scale", "0.5", "--num-steps", "1", "--seed", "3", "--dtype", "f32",
                                    "--prompt", "remove the subtitles", "--output-dir", s.path("out"), "--quiet"],
                                   environment: ["CLEARSUB_CACHE_DIR": s.path("cache")])
        XCTAssertEqual(r.status, 0, r.stderr)
        let source = try VideoProbe.probe(input), cleaned = try VideoProbe.probe(s.path("out/clip_cleaned.mp4"))
        XCTAssertEqual([cleaned.width, cleaned.height, cleaned.frameCount], [source.width, source.height, source.frameCount])
        XCTAssertEqual(cleaned.audioStreams.count, source.audioStreams.count)
        let timing = try String(contentsOfFile: s.path("out/timing_info.json"), encoding: .utf8)
        XCTAssertTrue(timing.contains("\"wan\""), timing)
    }
}
