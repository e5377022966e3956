// `clearsub remove` run as a binary: bad inputs and bad options fail with one line and write
// nothing; snake_case options parse and reach the wan engine (which then names the missing model files);
// without the lite opt-in the lite engine says how to enable it, after validating inputs and outputs.
import XCTest
import Foundation
import ClearMedia
#if canImport(Glibc)
import Glibc
#endif

final class RemoveCommandTests: XCTestCase {

    func clip(_ s: Scratch, _ name: String = "clip.mp4", seconds: Double = 0.5) throws -> String {
        let p = s.path(name)
        try SyntheticClip.make(p, seconds: seconds)
        return p
    }

    func testBadInputsFailWithOneLineAndWriteNothing() throws {
        let s = try Scratch("bad")
        let good = s.path("good.mp4")   // index (moov) at the front
        try SyntheticClip.make(good, seconds: 2, extra: ["-movflags", "+faststart"])
        let text = s.path("notes.mp4")
        try "hello\n".write(toFile: text, atomically: true, encoding: .utf8)
        let data = try Data(contentsOf: URL(fileURLWithPath: good))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: s.path("half.mp4")))
        let slow = s.path("slow.mp4")   // moov at the end
        try SyntheticClip.make(slow, seconds: 2, extra: ["-movflags", "-faststart"])
        let slowData = try Data(contentsOf: URL(fileURLWithPath: slow))
        try slowData.prefix(slowData.count / 2).write(to: URL(fileURLWithPath: s.path("half-slow.mp4")))
        try SyntheticClip.ffmpeg(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "sine", "-t", "0.5", "-c:a", "aac", s.path("audio.mp4")])
        try SyntheticClip.ffmpeg(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "color=size=64x48:rate=10", "-frames:v", "0", s.path("zero.avi")])
        try FileManager.default.createDirectory(atPath: s.path("folder.mp4"), withIntermediateDirectories: true)

        let cases: [(String, String)] = [
            (s.path("missing.mp4"), "no such file"),
            (s.path("folder.mp4"), "is a directory"),
            (text, "not a readable video"),
            (s.path("half.mp4"), "truncated"),
            (s.path("half-slow.mp4"), "incomplete"),
            (s.path("audio.mp4"), "no video stream"),
            (s.path("zero.avi"), "zero frames"),
        ]
        let before = s.listing()
        for (input, mention) in cases {
            for command in [["remove", input, "--output-dir", s.path("out")], ["bench", "io", input]] {
                let r = try CLIHarness.run(command)
                CLIHarness.assertOneLineError(r, mentions: mention)
                XCTAssertTrue(r.stderr.contains(input), r.stderr)
            }
            XCTAssertEqual(s.listing(), before, "nothing written for \(input)")
        }
        // The good file before a bad one: still nothing is written (all inputs are probed first).
        let r = try CLIHarness.run(["remove", good, s.path("half.mp4"), "--output-dir", s.path("out")])
        CLIHarness.assertOneLineError(r, mentions: "half.mp4")
        XCTAssertEqual(s.listing(), before)
    }

    func testDefaultEngineIsLiteAndWritesResults() throws {
        let s = try Scratch("default")
        let input = try clip(s)
        let r = try CLIHarness.run(["remove", input, "--quiet"], cwd: s.dir)   // default output dir ./results
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr, "")
        XCTAssertEqual(s.listing("results"), ["clip_cleaned.mp4", "timing_info.json"])
        let timing = try String(contentsOfFile: s.path("results/timing_info.json"), encoding: .utf8)
        XCTAssertTrue(timing.contains("\"lite\""), timing)
    }

    func testSnakeCaseAndKebabCaseOptionsParse() throws {
        let s = try Scratch("snake")
        let input = try clip(s)
        let model = s.path("model"), lora = s.path("lora.safetensors")
        try FileManager.default.createDirectory(atPath: model, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: lora, contents: Data([0]))
        let snake = ["remove", "--input_video", input, "--output_dir", s.path("out"), "--engine", "wan",
                     "--model_base_path", model, "--lora_checkpoint", lora, "--lora_rank", "32", "--lora_scale", "0.8",
                     "--lora_target_modules", "q,k,v", "--num_steps", "3", "--cfg_scale", "1.5", "--prompt", "clean video",
                     "--chunk_size", "33", "--chunk_overlap", "8", "--use_sliding_window", "--frame_ratio", "0.5",
                     "--seed", "7", "--max_pixels", "409600", "--raw_output", "--dtype", "f32",
                     "--create_comparison", "--copy_source", "--crf", "18", "--overwrite", "--quiet"]
        let kebab = snake.map { $0.hasPrefix("--") ? $0.replacingOccurrences(of: "_", with: "-") : $0 }
        for args in [snake, kebab] {
            let r = try CLIHarness.run(args)
            // Every option parsed; the wan engine then finds the (empty) model folder incomplete.
            CLIHarness.assertOneLineError(r, mentions: "is incomplete")
            XCTAssertTrue(r.stderr.contains(model + "/Wan2.1_VAE.pth"), r.stderr)
        }
        XCTAssertFalse(s.exists("out"))
    }

    func testInvalidOptionsAreOneLine() throws {
        let s = try Scratch("opts")
        let input = try clip(s)
        let cases: [([String], String)] = [
            (["--crf", "52"], "--crf"),
            (["--crf", "x"], "crf"),
            (["--num-steps", "0"], "--num-steps"),
            (["--chunk-size", "8", "--chunk-overlap", "8"], "--chunk-overlap"),
            (["--lora-rank", "0"], "--lora-rank"),
            (["--frame-ratio", "0"], "--frame-ratio"),
            (["--frame_ratio", "1.5"], "--frame-ratio"),
            (["--max-pixels", "1000"], "--max-pixels"),
            (["--dtype", "f16"], "--dtype"),
            (["--engine", "turbo"], "--engine"),
            (["--engine", "wan"], "--model-base-path"),
            (["--engine", "wan", "--model-base-path", s.dir.path], "--lora-checkpoint"),
            (["--engine", "wan", "--model-base-path", s.path("nope"), "--lora-checkpoint", input], "no such directory"),
            (["--no-such-option"], "no-such-option"),
        ]
        for (extra, mention) in cases {
            let r = try CLIHarness.run(["remove", input, "--output-dir", s.path("out")] + extra)
            CLIHarness.assertOneLineError(r, mentions: mention)
        }
        CLIHarness.assertOneLineError(try CLIHarness.run(["remove"]), mentions: "no input video")
        XCTAssertEqual(s.listing(), ["clip.mp4"])
    }

    func testExistingOutputIsRefusedBeforeAnyWork() throws {
        let s = try Scratch("exists")
        let input = try clip(s)
        try FileManager.default.createDirectory(atPath: s.path("out"), withIntermediateDirectories: true)
        let existing = s.path("out/clip_comparison.mp4")
        FileManager.default.createFile(atPath: existing, contents: Data("old".utf8))
        let r = try CLIHarness.run(["remove", input, "--output-dir", s.path("out"), "--create-comparison"])
        CLIHarness.assertOneLineError(r, mentions: "already exists; pass --overwrite")
        XCTAssertEqual(s.listing("out"), ["clip_comparison.mp4"])
        XCTAssertEqual(FileManager.default.contents(atPath: existing), Data("old".utf8))
        // Without --create-comparison that file is not an output; with --overwrite it may be replaced.
        XCTAssertEqual(try CLIHarness.run(["remove", input, "--output-dir", s.path("out"), "--quiet"]).status, 0)
        XCTAssertEqual(FileManager.default.contents(atPath: existing), Data("old".utf8))
        XCTAssertEqual(try CLIHarness.run(["remove", input, "--output-dir", s.path("out"), "--create-comparison",
                                           "--overwrite", "--quiet"]).status, 0)
        XCTAssertNotEqual(FileManager.default.contents(atPath: existing), Data("old".utf8))
    }

    func testUnusableOutputDirectory() throws {
        let s = try Scratch("outdir")
        let input = try clip(s)
        FileManager.default.createFile(atPath: s.path("plainfile"), contents: Data())
        // A path below a regular file can never be created, whoever runs the test (root included).
        for dir in [s.path("plainfile/sub"), s.path("plainfile")] {
            let r = try CLIHarness.run(["remove", input, "--output-dir", dir])
            CLIHarness.assertOneLineError(r, mentions: "is a file")
        }
        if getuid() != 0 {   // permission bits only bind non-root users
            try FileManager.default.createDirectory(atPath: s.path("locked"), withIntermediateDirectories: true)
            chmod(s.path("locked"), 0o555)
            defer { chmod(s.path("locked"), 0o755) }
            let r = try CLIHarness.run(["remove", input, "--output-dir", s.path("locked/out")])
            CLIHarness.assertOneLineError(r, mentions: "not writable")
        }
        XCTAssertEqual(s.listing(), getuid() != 0 ? ["clip.mp4", "locked", "plainfile"] : ["clip.mp4", "plainfile"])
    }
}
