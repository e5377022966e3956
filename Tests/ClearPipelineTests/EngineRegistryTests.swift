// Engine lookup: installed engines by name, a one-line error naming what exists, and engines that
// are known but switched off, with the hint that says how to switch them on.
import XCTest
@testable import ClearPipeline

final class EngineRegistryTests: XCTestCase {
    let identity = EngineDescriptor(name: "identity", summary: "test") { _ in IdentityEngine() }

    func testLookupAndErrors() throws {
        let registry = EngineRegistry(installed: [identity], disabled: ["lite": "set X=1 to try it"])
        XCTAssertEqual(registry.names, ["identity"])
        XCTAssertEqual(try registry.makeEngine(named: "identity", options: EngineOptions()).name, "identity")
        XCTAssertThrowsError(try registry.descriptor(named: "lite")) { e in
            XCTAssertTrue("\(e)".contains("set X=1 to try it"), "\(e)")
        }
        XCTAssertThrowsError(try registry.descriptor(named: "nope")) { e in XCTAssertTrue("\(e)".contains("identity"), "\(e)") }
        XCTAssertThrowsError(try EngineRegistry(installed: [], emptyHint: "none yet").descriptor(named: "identity")) { e in
            XCTAssertTrue("\(e)".contains("none yet"), "\(e)")
        }
        // A disabled name that is installed after all is served.
        XCTAssertEqual(try EngineRegistry(installed: [identity], disabled: ["identity": "off"]).descriptor(named: "identity").name, "identity")
    }
}
