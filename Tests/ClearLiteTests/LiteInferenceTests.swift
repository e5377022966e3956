// The engine's channels-last inference passes (LiteInference.swift) equal the tape passes that
// training uses (LiteNetwork.occlusionLogits / restore) on random weights and textured frames,
// inputs built by both routes from the same RGB frames. f32: NMSE ≤ 1e-7.
import XCTest
import ClearLite
import ClearMedia
import ClearTensor

final class LiteInferenceTests: XCTestCase {
    static func nmse(_ a: Tensor, _ b: Tensor) -> Double {
        let (x, y) = (a.floats(), b.floats())
        var num = 0.0, den = 0.0
        for i in x.indices { let d = Double(x[i]) - Double(y[i]); num += d * d; den += Double(y[i]) * Double(y[i]) }
        return num / max(den, 1e-30)
    }

    let frames = (0..<5).map { EngineFixtures.frame(width: 70, height: 45, seed: $0, marks: [(10, 30, 40, 6)]) }

    /// The occlusion input built both ways from `frames` (padded to 72×48), and the tape pass's logits.
    func occlusionCase(_ network: LiteNetwork) throws -> (planar: Tensor, channelsLast: Tensor, ref: Tensor) {
        let (pw, ph) = (72, 48)
        // The training route: the planar window (edge-clamped to the padded size), 2×2 average pooling.
        let planarInput = try LiteFeatures.occlusionInput(window: LiteFeatures.window(frames, x0: 0, y0: 0, w: pw, h: ph))
        let tape = Tape()
        let ref = try network.occlusionLogits(tape, tape.constant(planarInput)).value
        let input = LiteFeatures.occlusionInputChannelsLast(halves: frames.map { LiteFeatures.halfInterleaved($0, paddedWidth: pw, paddedHeight: ph) })
        return (planarInput, input, ref)
    }

    func testOcclusionLogitsMatchTheTapePass() throws {
        let network = LiteNetwork(weights: try LiteWeights(layers: LiteArchitecture.engineLayers, seed: 11), trainable: false)
        let (planarInput, input, ref) = try occlusionCase(network)
        XCTAssertLessThanOrEqual(Self.nmse(try Ops.permute(input, [0, 3, 1, 2]), planarInput), 1e-12)
        let got = try Ops.channelsFirst(try network.occlusionLogitsChannelsLast(input))
        XCTAssertEqual(got.shape, ref.shape)
        XCTAssertLessThanOrEqual(Self.nmse(got, ref), 1e-7)
    }

    func testRestorationMatchesTheTapePass() throws {
        let network = LiteNetwork(weights: try LiteWeights(layers: LiteArchitecture.engineLayers, seed: 12), trainable: false)
        // A region reaching past the frame's right and bottom edges (edge-clamped), α > 0 on a band.
        let (x0, y0, w, h) = (40, 16, 40, 32)
        let alpha = (0..<(w * h)).map { i -> Float in let y = i / w; return (10..<20).contains(y) ? Float(i % 7 + 1) / 7 : 0 }
        let window = LiteFeatures.window(frames, x0: x0, y0: y0, w: w, h: h)
        let at = Tensor(shape: [1, 1, h, w], dtype: .f32, zeroed: false)
        for i in 0..<(w * h) { at.f32[i] = alpha[i] }
        let fill = try LiteFeatures.centreFill(window: window, hole: alpha.map { $0 > 0 ? 1 : 0 })
        let tape = Tape()
        let ref = try network.restore(tape, window: tape.constant(window), alpha: tape.constant(at), fill: tape.constant(fill)).value
        let (input, fillCL) = LiteFeatures.restorationInputChannelsLast(frames, x0: x0, y0: y0, w: w, h: h, alpha: alpha)
        XCTAssertLessThanOrEqual(Self.nmse(try Ops.channelsFirst(fillCL), fill), 1e-12)
        let got = try Ops.channelsFirst(try network.restoreChannelsLast(input: input, fill: fillCL))
        XCTAssertEqual(got.shape, ref.shape)
        XCTAssertLessThanOrEqual(Self.nmse(got, ref), 1e-7)
    }

    func testHoleNetworkMatchesTheTapePass() throws {
        let seeded = try LiteWeights(layers: LiteArchitecture.engineLayers, seed: 13)
        let network = LiteNetwork(weights: LiteWeights(extending: seeded, with: LiteArchitecture.hole, seed: 14), trainable: false)
        let (x0, y0, w, h) = (8, 4, 48, 32)
        let alpha = (0..<(w * h)).map { i -> Float in (12..<22).contains(i / w) ? 1 : 0 }
        let window = LiteFeatures.window(frames, x0: x0, y0: y0, w: w, h: h)
        let at = try Tensor(shape: [1, 1, h, w], values: alpha)
        let fill = try LiteFeatures.centreFill(window: window, hole: alpha.map { $0 > 0 ? 1 : 0 })
        let tape = Tape()
        let ref = try network.holeLogits(tape, window: tape.constant(window), alpha: tape.constant(at), fill: tape.constant(fill)).value
        XCTAssertEqual(ref.shape, [1, 1, h, w])
        let (input, _) = LiteFeatures.restorationInputChannelsLast(frames, x0: x0, y0: y0, w: w, h: h, alpha: alpha, fill: fill.floats())
        let got = try Ops.channelsFirst(try network.holeLogitsChannelsLast(input: input))
        XCTAssertEqual(got.shape, ref.shape)
        XCTAssertLessThanOrEqual(Self.nmse(got, ref), 1e-7)
    }

    /// bf16 inference (the default on CPUs with native bf16) against the f32 tape passes: both
    /// networks within NMSE 1e-3 (bf16 keeps 8 bits of mantissa through 8–9 layers).
    func testBF16PassesStayCloseToTheTapePasses() throws {
        guard Ops.nativeBF16 else { throw XCTSkip("no native bf16 convolution on this CPU") }
        let network = LiteNetwork(weights: try LiteWeights(layers: LiteArchitecture.engineLayers, seed: 13), trainable: false)
        let (_, input, ref) = try occlusionCase(network)
        let got = try network.occlusionLogitsChannelsLast(input, precision: .bf16)
        XCTAssertEqual(got.dtype, .f32)
        let e = Self.nmse(try Ops.channelsFirst(got), ref)
        XCTAssertLessThanOrEqual(e, 1e-3)
        XCTAssertGreaterThan(e, 0, "the bf16 path must actually run in bf16")

        let (x0, y0, w, h) = (8, 8, 40, 32)
        let alpha = (0..<(w * h)).map { i -> Float in (12..<22).contains(i / w) ? 1 : 0 }
        let (rin, fill) = LiteFeatures.restorationInputChannelsLast(frames, x0: x0, y0: y0, w: w, h: h, alpha: alpha)
        let r32 = try network.restoreChannelsLast(input: rin, fill: fill, precision: .f32)
        let r16 = try network.restoreChannelsLast(input: rin, fill: fill, precision: .bf16)
        XCTAssertEqual(r16.dtype, .f32)
        XCTAssertLessThanOrEqual(Self.nmse(r16, r32), 1e-3)
    }
}
