// Helpers for the parity tests: NMSE, random data, and assertion with context.
import XCTest
@testable import ClearTensor

/// Normalised mean squared error: Σ(a−b)² / Σb² (b is the reference).
func nmse(_ a: [Float], _ b: [Float]) -> Double {
    precondition(a.count == b.count, "nmse of \(a.count) vs \(b.count) values")
    var num = 0.0, den = 0.0
    for i in 0..<a.count {
        let d = Double(a[i]) - Double(b[i]); num += d * d; den += Double(b[i]) * Double(b[i])
    }
    return den == 0 ? num : num / den
}

func assertClose(_ got: Tensor, _ ref: [Float], shape: [Int]? = nil, tol: Double, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    if let shape { XCTAssertEqual(got.shape, shape, "\(what): shape", file: file, line: line) }
    let g = got.floats()
    guard g.count == ref.count else { XCTFail("\(what): \(g.count) values vs reference \(ref.count)", file: file, line: line); return }
    XCTAssertFalse(g.contains { !$0.isFinite }, "\(what): non-finite output", file: file, line: line)
    let e = nmse(g, ref)
    XCTAssertLessThanOrEqual(e, tol, "\(what): NMSE \(e) > \(tol)", file: file, line: line)
}

/// f32 tolerance from the design (§6).
let f32Tol = 1e-7

func rand(_ shape: [Int], seed: UInt64, _ dtype: DType = .f32) -> Tensor { Tensor.random(shape: shape, dtype: dtype, seed: seed) }
