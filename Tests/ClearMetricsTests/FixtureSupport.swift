// Loading the fixtures written by tools/make_metric_fixtures.py (raw frames, float32 flow, JSON).
import Foundation
import XCTest
import ClearMedia
@testable import ClearMetrics

struct MetricFixture {
    let width: Int
    let height: Int
    let frames: Int
    let reference: [RGBFrame]
    let candidate: [RGBFrame]
    let mask: [GrayFrame]
    let opencvFlow: FlowField
    let expected: [String: Any]

    static func url(_ name: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil), "missing fixture \(name)")
    }

    static func load() throws -> MetricFixture {
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url("metrics_expected.json"))) as? [String: Any])
        let w = try XCTUnwrap(json["width"] as? Int), h = try XCTUnwrap(json["height"] as? Int)
        let t = try XCTUnwrap(json["frames"] as? Int)
        let ref = [UInt8](try Data(contentsOf: url("metrics_reference.rgb")))
        let cand = [UInt8](try Data(contentsOf: url("metrics_candidate.rgb")))
        let mask = [UInt8](try Data(contentsOf: url("metrics_mask.gray")))
        let flowBytes = try Data(contentsOf: url("metrics_flow_opencv.f32"))
        XCTAssertEqual(ref.count, t * w * h * 3)
        XCTAssertEqual(cand.count, t * w * h * 3)
        XCTAssertEqual(mask.count, t * w * h)
        XCTAssertEqual(flowBytes.count, w * h * 2 * 4)
        let flow: [Float] = flowBytes.withUnsafeBytes { raw in
            (0..<(w * h * 2)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
        let n = w * h
        return MetricFixture(
            width: w, height: h, frames: t,
            reference: (0..<t).map { RGBFrame(width: w, height: h, pixels: Array(ref[(3 * n * $0)..<(3 * n * ($0 + 1))])) },
            candidate: (0..<t).map { RGBFrame(width: w, height: h, pixels: Array(cand[(3 * n * $0)..<(3 * n * ($0 + 1))])) },
            mask: (0..<t).map { GrayFrame(width: w, height: h, pixels: Array(mask[(n * $0)..<(n * ($0 + 1))])) },
            opencvFlow: FlowField(u: Plane(width: w, height: h, values: (0..<n).map { flow[2 * $0] }),
                                  v: Plane(width: w, height: h, values: (0..<n).map { flow[2 * $0 + 1] })),
            expected: json)
    }

    func double(_ key: String) throws -> Double { try XCTUnwrap(expected[key] as? Double, "fixture key \(key)") }
    func doubles(_ key: String) throws -> [Double] { try XCTUnwrap(expected[key] as? [Double], "fixture key \(key)") }
}
