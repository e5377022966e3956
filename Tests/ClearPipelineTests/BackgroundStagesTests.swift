// The pipeline's background stages: ReadAhead yields every item in order and stays within its
// capacity, hands the producer's error over where it occurred, and stops on request; WriteBehind
// consumes in order, reports the consumer's first error to the next put or to finish.
import XCTest
import Foundation
@testable import ClearPipeline

final class BackgroundStagesTests: XCTestCase {
    final class Counter: @unchecked Sendable {
        let lock = NSLock()
        var produced = 0
        var maxAhead = 0
    }

    func testReadAheadKeepsOrderAndCapacity() throws {
        let counter = Counter()
        var consumed = 0
        let ahead = ReadAhead<Int>(capacity: 3, label: "test.read") {
            counter.lock.lock(); defer { counter.lock.unlock() }
            guard counter.produced < 200 else { return nil }
            counter.produced += 1
            return counter.produced - 1
        }
        var got: [Int] = []
        while let v = try ahead.next() {
            got.append(v)
            consumed += 1
            if consumed % 20 == 0 { Thread.sleep(forTimeInterval: 0.002) }  // let the producer run ahead
            counter.lock.lock(); counter.maxAhead = max(counter.maxAhead, counter.produced - consumed); counter.lock.unlock()
        }
        XCTAssertEqual(got, Array(0..<200))
        XCTAssertLessThanOrEqual(counter.maxAhead, 4, "at most capacity items plus the one being produced")
        XCTAssertNil(try ahead.next(), "stays at the end")
        ahead.stop()
    }

    struct Boom: Error {}

    func testReadAheadPassesTheErrorAfterTheItemsBeforeIt() {
        var n = 0
        let ahead = ReadAhead<Int>(capacity: 2, label: "test.read-error") {
            n += 1
            if n == 4 { throw Boom() }
            return n
        }
        XCTAssertEqual(try ahead.next(), 1)
        XCTAssertEqual(try ahead.next(), 2)
        XCTAssertEqual(try ahead.next(), 3)
        XCTAssertThrowsError(try ahead.next()) { XCTAssertTrue($0 is Boom) }
        ahead.stop()
    }

    func testReadAheadStopsAnEndlessProducer() {
        let ahead = ReadAhead<Int>(capacity: 2, label: "test.read-stop") { 7 }
        XCTAssertEqual(try ahead.next(), 7)
        ahead.stop()  // returns: the producer waits for room, sees the stop and ends
    }

    func testWriteBehindConsumesInOrderAndFinishes() throws {
        let lock = NSLock()
        var seen: [Int] = []
        let behind = WriteBehind<Int>(capacity: 2, label: "test.write") { v in lock.lock(); seen.append(v); lock.unlock() }
        for i in 0..<100 { try behind.put(i) }
        try behind.finish()
        XCTAssertEqual(seen, Array(0..<100))
    }

    func testWriteBehindReportsTheFirstError() {
        let behind = WriteBehind<Int>(capacity: 1, label: "test.write-error") { v in if v == 3 { throw Boom() } }
        var thrown = false
        for i in 0..<50 {
            do { try behind.put(i) } catch { XCTAssertTrue(error is Boom); thrown = true; break }
        }
        if !thrown { XCTAssertThrowsError(try behind.finish()) { XCTAssertTrue($0 is Boom) } }
        behind.cancel()
    }

    func testWriteBehindCancelDropsWhatIsQueued() {
        let lock = NSLock()
        var count = 0
        let behind = WriteBehind<Int>(capacity: 50, label: "test.write-cancel") { _ in
            Thread.sleep(forTimeInterval: 0.005); lock.lock(); count += 1; lock.unlock()
        }
        for i in 0..<40 { try? behind.put(i) }
        behind.cancel()
        lock.lock(); let done = count; lock.unlock()
        XCTAssertLessThan(done, 40, "queued items are dropped")
    }
}
