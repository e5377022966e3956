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
}
