// Scratch of the banded convolution (ConvolutionBands.swift), kept between calls: for each worker
// an input-band buffer, an output-band buffer and a oneDNN stream. Worker t gets the same buffers
// on every call, so its bands stay in its own core's cache. Fresh buffers from the storage pool
// came back in either order, and when the two workers swapped buffers between calls the 24-channel
// 720p head convolution ran at 55 % of the raw primitive instead of 90 % (BENCHMARKS.md).
import Foundation

final class ConvBandWorkspace: @unchecked Sendable {  // used by one caller at a time (take/give)
    private(set) var inputs: [Tensor] = [], outputs: [Tensor] = []
    private(set) var streams: [DNNLStream] = []

    /// Makes sure there are `workers` buffers of at least the given sizes and `streams` streams.
    func prepare(workers: Int, inputBytes: Int, outputBytes: Int, streams wanted: Int) throws {
        func grow(_ list: inout [Tensor], _ bytes: Int) {
            for i in 0..<workers {
                if i < list.count {
                    if list[i].byteCount < bytes { list[i] = LayoutAdapter.scratchBuffer(bytes: bytes) }
                } else { list.append(LayoutAdapter.scratchBuffer(bytes: bytes)) }
            }
        }
        grow(&inputs, inputBytes)
        grow(&outputs, outputBytes)
        while streams.count < wanted { streams.append(try DNNLStream()) }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var idle: [ConvBandWorkspace] = []

    /// A workspace no other caller is using (the most recently returned one, so a single caller
    /// always gets the same one back).
    static func take() -> ConvBandWorkspace {
        lock.lock(); defer { lock.unlock() }
        return idle.popLast() ?? ConvBandWorkspace()
    }

    static func give(_ w: ConvBandWorkspace) {
        lock.lock(); idle.append(w); lock.unlock()
    }
}
