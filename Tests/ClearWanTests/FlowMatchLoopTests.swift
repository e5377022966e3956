// Parity of the torch-compatible randn and of the denoising loop with DiffSynth 1.1.9 (float32): 2 steps,
// cfg 1 through a 2/1 sliding window (two windows over 3 latent frames), and 2 steps with cfg 2.5.
import XCTest
import ClearTensor
@testable import ClearWan

final class FlowMatchLoopTests: XCTestCase {
    func testRandnMatchesTorch() throws {
        let cases = try XCTUnwrap(DiTFixtures.expected()["randn"] as? [String: [String: Any]])
        XCTAssertEqual(cases.count, 12)
        for (key, c) in cases {
            let seed = UInt64(c["seed"] as! Int), shape = c["shape"] as! [Int]
            let got = try FlowMatchNoise.latents(shape: shape, seed: seed)
            // PyTorch's AVX2 Box–Muller may differ from libm in the last bits (spec §7.3).
            let e = try assertParity(got, key, tol: 2e-6, "randn seed \(seed) \(shape)")
            XCTAssertLessThanOrEqual(e.maxAbs, 1e-5)
        }
        XCTAssertThrowsError(try FlowMatchNoise.torchRandn(count: 15, seed: 0))
    }

    func testTwoStepLoopWithSlidingWindow() throws {
        let m = try DiTFixtures.model()
        let cond = try m.conditioning(context: DiTFixtures.tensor("context"))
        let loop = FlowMatchLoop(steps: 2, cfgScale: 1, windowSize: 2, windowStride: 1)
        var trace: [Tensor] = []
        let out = try loop.run(dit: m, noise: DiTFixtures.tensor("randn.42.1x16x3x8x12"), y: DiTFixtures.tensor("y"), positive: cond) { _, l in trace.append(l) }
        XCTAssertEqual(trace.count, 2)
        try assertParity(trace[0], "loop.latents0", tol: 1e-4, "loop step 0 latents (window 2/1)")
        try assertParity(out, "loop.latents1", tol: 1e-4, "loop step 1 latents (window 2/1)")
    }

    func testTwoStepLoopWithCFG() throws {
        let m = try DiTFixtures.model()
        let pos = try m.conditioning(context: DiTFixtures.tensor("context"))
        let neg = try m.conditioning(context: DiTFixtures.tensor("cfg.negative_context"))
        let loop = FlowMatchLoop(steps: 2, cfgScale: 2.5, windowSize: 0, windowStride: 0)
        let out = try loop.run(dit: m, noise: DiTFixtures.tensor("randn.42.1x16x3x8x12"), y: DiTFixtures.tensor("y"), positive: pos, negative: neg)
        try assertParity(out, "cfg.latents1", tol: 1e-4, "loop cfg 2.5, 2 steps")
        XCTAssertThrowsError(try loop.run(dit: m, noise: DiTFixtures.tensor("randn.42.1x16x3x8x12"), y: nil, positive: pos))
    }
}
