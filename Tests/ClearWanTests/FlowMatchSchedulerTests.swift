// Scheduler parity with DiffSynth 1.1.9 FlowMatchScheduler(shift=5, sigma_min=0, extra_one_step=True).
import XCTest
import ClearTensor
@testable import ClearWan

final class FlowMatchSchedulerTests: XCTestCase {
    func testTablesMatchReferenceBitForBit() throws {
        let sched = try XCTUnwrap(DiTFixtures.expected()["scheduler"] as? [String: [String: [Double]]])
        for n in [1, 2, 5, 20] {
            let s = try FlowMatchScheduler.wan(steps: n)
            let ref = try XCTUnwrap(sched[String(n)])
            XCTAssertEqual(s.sigmas, try DiTFixtures.floats("sched\(n).sigmas"), "sigmas n=\(n)")
            XCTAssertEqual(s.timesteps, try DiTFixtures.floats("sched\(n).timesteps"), "timesteps n=\(n)")
            XCTAssertEqual((0..<n).map { s.ditTimestep(step: $0, dtype: .bf16) }, ref["timesteps_bf16"]!.map { Float($0) }, "bf16 n=\(n)")
        }
        XCTAssertEqual((0..<5).map { try! FlowMatchScheduler.wan(steps: 5).ditTimestep(step: $0, dtype: .bf16) }, [1000, 952, 884, 768, 556])
    }

    func testStepMatchesReference() throws {
        let s = try FlowMatchScheduler.wan(steps: 5)
        let x = try DiTFixtures.tensor("step.sample"), v = try DiTFixtures.tensor("step.v")
        try assertParity(try s.step(modelOutput: v, timestep: s.timesteps[2], sample: x), "step.t2.out", tol: 1e-7, "scheduler step 2")
        try assertParity(try s.step(modelOutput: v, timestep: s.timesteps[4], sample: x), "step.t4.out", tol: 1e-7, "scheduler last step (σ_next = 0)")
        let bf = try s.step(modelOutput: v.toBF16(), timestep: s.timesteps[2], sample: x.toBF16())
        XCTAssertEqual(bf.floats(), try DiTFixtures.floats("step.bf16.t2.out"), "bf16 step rounds like the reference")
        // The bf16-rounded timestep finds its table entry by argmin (884 → index 2).
        XCTAssertEqual(s.index(of: 884), 2)
        XCTAssertEqual(s.deltaSigma(at: 556), -s.sigmas[4])
    }

    func testLinspaceHalves() {
        // torch.linspace(1, 0, 6) in float32; counting every entry from the start would give 0.39999998 at index 3.
        XCTAssertEqual(FlowMatchScheduler.linspace(1, 0, 6), [1, 0.8, 0.6, 0.4, 0.2, 0])
        XCTAssertNotEqual(Float(1) + Float(3) * ((Float(0) - 1) / 5), 0.4)
        XCTAssertThrowsError(try FlowMatchScheduler.wan(steps: 0))
    }
}
