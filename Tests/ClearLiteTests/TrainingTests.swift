// The training code (design §5), not the full training: on one tiny fixed batch made by the real
// pair sampler (libass subtitles over a moving photo), a few Stage I and Stage II steps reduce the loss.
import XCTest
import ClearLite
import ClearTensor

final class TrainingTests: XCTestCase {
    func tinyBatch() throws -> TrainingBatch {
        var px = [UInt8](repeating: 0, count: 96 * 64 * 3)
        for i in 0..<px.count { px[i] = UInt8((i * 37 + (i / 288) * 11) % 200) }
        let source = CleanSource(name: "pattern", width: 96, height: 64, frames: [px])
        let sampler = try PairSampler(sources: [source], crop: 32, seed: 4, scripts: 1)
        return try sampler.batch(2)
    }

    func testStageOneAndTwoStepsReduceTheLoss() throws {
        let batch = try tinyBatch()
        XCTAssertEqual(batch.window.shape, [2, 15, 32, 32])
        let one = try StageOne(seed: 1, learningRate: 3e-3)
        let first1 = try one.step(batch).total
        var last1 = first1
        for _ in 0..<6 { last1 = try one.step(batch).total }
        XCTAssertLessThan(last1, first1)

        let prior = one.weights
        let two = try StageTwo(seed: 1, prior: prior, totalSteps: 8, learningRate: 3e-3)
        XCTAssertEqual(two.distillation(at: 0), two.distillationWeight)
        XCTAssertEqual(two.distillation(at: 8), 0)
        let first2 = try two.step(batch, index: 0).total
        var last2 = first2
        for i in 1..<8 { last2 = try two.step(batch, index: i).total }
        XCTAssertLessThan(last2, first2)
    }

    /// Restoration-only Stage II: the occlusion head keeps its exact weights, the restoration
    /// network starts again with its last layer at 0 (no residual on the fill) and then learns one.
    func testRestorationOnlyKeepsTheHeadAndRetrainsTheRestoration() throws {
        let batch = try tinyBatch()
        let trained = try LiteWeights(layers: LiteArchitecture.engineLayers, seed: 5)
        let headBefore = LiteArchitecture.occlusion.map { trained.weight($0.name).value.floats() + trained.bias($0.name).value.floats() }
        let oldD1 = trained.weight("res.d1").value.floats()
        XCTAssertThrowsError(try StageTwo(seed: 1, prior: nil, totalSteps: 4, restorationOnly: true))
        let two = try StageTwo(seed: 2, prior: nil, totalSteps: 6, learningRate: 3e-3, resume: trained, restorationOnly: true)
        XCTAssertEqual(two.weights.weight("res.out").value.floats().map(abs).max(), 0)
        XCTAssertNotEqual(two.weights.weight("res.d1").value.floats(), oldD1, "the restoration network starts afresh")
        XCTAssertEqual(two.optimizer.parameters.count, 2 * LiteArchitecture.restoration.count)
        let first = try two.step(batch, index: 0)
        XCTAssertEqual(first.parts.first { $0.0 == "residual" }?.1, 0, "a zero last layer adds nothing at the first step")
        var last = first
        for i in 1..<6 { last = try two.step(batch, index: i) }
        XCTAssertGreaterThan(last.parts.first { $0.0 == "residual" }?.1 ?? 0, 0)
        XCTAssertGreaterThan(two.weights.weight("res.out").value.floats().map(abs).max() ?? 0, 0)
        let headAfter = LiteArchitecture.occlusion.map { two.weights.weight($0.name).value.floats() + two.weights.bias($0.name).value.floats() }
        XCTAssertEqual(headAfter, headBefore, "the occlusion head is frozen")
    }
}
