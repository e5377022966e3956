// Linear cross-fade between the two results an overlap frame gets from consecutive chunks.
// Integer arithmetic with rounding, so two identical inputs give that same frame back exactly.
import ClearMedia

enum FrameBlender {
    /// Blends `earlier` (from the previous chunk) and `later` (from the next one) for overlap frame
    /// `position` of `length` (0-based): the later chunk's weight rises as (position+1)/(length+1).
    static func crossFade(_ earlier: RGBFrame, _ later: RGBFrame, position: Int, length: Int) -> RGBFrame {
        precondition(earlier.width == later.width && earlier.height == later.height)
        precondition(position >= 0 && position < length)
        if earlier.pixels == later.pixels { return later }
        let denominator = UInt32(length + 1)
        let wLater = UInt32(position + 1)
        let wEarlier = denominator - wLater
        let half = denominator / 2
        var out = later
        earlier.pixels.withUnsafeBufferPointer { a in
            later.pixels.withUnsafeBufferPointer { b in
                out.pixels.withUnsafeMutableBufferPointer { o in
                    for i in 0..<o.count {
                        o[i] = UInt8((UInt32(a[i]) * wEarlier + UInt32(b[i]) * wLater + half) / denominator)
                    }
                }
            }
        }
        return out
    }
}
