// Fixture access and error measures for the ClearWan VAE / UMT5 / tokenizer parity tests
// (fixtures from tools/make_wan_vae_t5_fixtures.py).
import ClearTensor
import ClearWeights
import Foundation
import XCTest

enum WanFixtures {
    static func path(_ name: String) -> String {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(name).path
    }

    /// All tensors of a fixture safetensors file as f32 tensors by key.
    static func tensors(_ name: String) throws -> [String: Tensor] {
        let file = try SafetensorsFile(path: path(name))
        var out: [String: Tensor] = [:]
        for t in file.tensors { out[t.key] = try Tensor(shape: t.shape, values: t.toFloat32()) }
        return out
    }
}

/// Max |a−b| and that divided by max |b|; fails the test when either bound is exceeded.
@discardableResult
func assertClose(_ a: Tensor, _ b: Tensor, absTol: Float, relTol: Float, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) -> (Float, Float) {
    XCTAssertEqual(a.shape, b.shape, "\(what): shape", file: file, line: line)
    guard a.shape == b.shape else { return (.infinity, .infinity) }
    let x = a.floats(), y = b.floats()
    var maxErr: Float = 0, maxRef: Float = 0
    for i in x.indices {
        let e = abs(x[i] - y[i])
        if !(e <= maxErr) { maxErr = e }  // NaN propagates
        maxRef = max(maxRef, abs(y[i]))
    }
    let rel = maxErr / max(maxRef, 1e-30)
    print("[parity] \(what): max abs \(maxErr), rel \(rel) (ref max \(maxRef))")
    XCTAssertLessThanOrEqual(maxErr, absTol, "\(what): max abs error", file: file, line: line)
    XCTAssertLessThanOrEqual(rel, relTol, "\(what): relative error", file: file, line: line)
    return (maxErr, rel)
}

/// The parity tests run single-threaded: on a shared 2-core machine OpenMP teams spin at barriers
/// while a team member is descheduled, which made the tiny-model tests 10× slower.
class WanSingleThreadedTestCase: XCTestCase {
    private var savedThreads = 0
    override func setUp() {
        super.setUp()
        savedThreads = ClearTensor.threadCount
        ClearTensor.threadCount = 1
    }
    override func tearDown() {
        ClearTensor.threadCount = savedThreads
        super.tearDown()
    }
}
