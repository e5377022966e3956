// A raw stored tensor: key, dtype, shape and a contiguous row-major little-endian byte view into a
// buffer it keeps alive (safetensors §10.1 data layout; torch storages §10.2 after view resolution).

/// A contiguous, row-major, little-endian tensor as stored in a weights file.
/// Its bytes live in `buffer` (usually the file's mmap), which the tensor keeps alive.
public struct WeightTensor: Sendable, CustomStringConvertible {
    public let key: String
    public let dtype: WeightDType
    public let shape: [Int]
    /// The owner of the bytes.
    public let buffer: WeightBuffer
    /// The tensor's bytes inside `buffer.bytes`.
    public let byteRange: Range<Int>

    /// Creates a view; `byteRange` must lie inside `buffer` and hold exactly numel × dtype.size bytes.
    public init(key: String, dtype: WeightDType, shape: [Int], buffer: WeightBuffer, byteRange: Range<Int>) throws {
        guard let numel = CheckedSize.product(shape) else {
            throw WeightsError.badTensor(key: key, reason: "shape \(WeightsError.format(shape)) is negative or overflows")
        }
        guard let size = CheckedSize.multiply(numel, dtype.size), size == byteRange.count else {
            throw WeightsError.badTensor(key: key, reason: "shape \(WeightsError.format(shape)) of \(dtype.safetensorsName) needs \(numel) × \(dtype.size) bytes but \(byteRange.count) are stored")
        }
        guard byteRange.lowerBound >= 0, byteRange.upperBound <= buffer.count else {
            throw WeightsError.badTensor(key: key, reason: "bytes \(byteRange) lie outside the \(buffer.count)-byte buffer")
        }
        self.key = key
        self.dtype = dtype
        self.shape = shape
        self.buffer = buffer
        self.byteRange = byteRange
    }

    /// The same tensor under another key.
    public func renamed(_ newKey: String) -> WeightTensor {
        // Invariants are unchanged, so the checks cannot fail.
        WeightTensor(unchecked: newKey, dtype, shape, buffer, byteRange)
    }

    private init(unchecked key: String, _ dtype: WeightDType, _ shape: [Int], _ buffer: WeightBuffer, _ range: Range<Int>) {
        self.key = key
        self.dtype = dtype
        self.shape = shape
        self.buffer = buffer
        self.byteRange = range
    }

    /// Number of elements.
    public var count: Int { byteRange.count / dtype.size }
    /// Number of bytes.
    public var byteCount: Int { byteRange.count }

    /// The raw bytes. Valid while this tensor (or its buffer) is alive; prefer `withBytes` to be explicit.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer.bytes[byteRange]) }

    /// Calls `body` with the raw bytes, keeping the buffer alive for the duration.
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(buffer) { try body(bytes) }
    }

    /// The values converted to Float. f16 and bf16 convert exactly; f64 and 64-bit integers round.
    public func toFloat32() -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { out, initialized in
            toFloat32(into: out)
            initialized = count
        }
    }

    /// Converts into `out`, which must hold at least `count` floats.
    public func toFloat32(into out: UnsafeMutableBufferPointer<Float>) {
        precondition(out.count >= count, "toFloat32(into:) needs \(count) floats")
        withBytes { raw in
            let n = count
            switch dtype {
            case .f32:
                #if _endian(little)
                UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(out)[0..<(4 * n)]).copyMemory(from: raw)
                #else
                for i in 0..<n { out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
                #endif
            case .bf16:
                for i in 0..<n { out[i] = Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16) }
            case .f16:
                for i in 0..<n { out[i] = HalfFloat.toFloat(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
            case .f64:
                for i in 0..<n { out[i] = Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
            case .i64:
                for i in 0..<n { out[i] = Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
            case .i32:
                for i in 0..<n { out[i] = Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
            case .i16:
                for i in 0..<n { out[i] = Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) }
            case .i8:
                for i in 0..<n { out[i] = Float(Int8(bitPattern: raw[i])) }
            case .u8:
                for i in 0..<n { out[i] = Float(raw[i]) }
            case .bool:
                for i in 0..<n { out[i] = raw[i] != 0 ? 1 : 0 }
            }
        }
    }

    /// The values as bfloat16 bit patterns: bf16 copied, other dtypes via Float with round-to-nearest-even.
    public func toBFloat16Bits() -> [UInt16] {
        if dtype == .bf16 {
            return withBytes { raw in (0..<count).map { UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) } }
        }
        return toFloat32().map(HalfFloat.bfloat16Bits)
    }

    public var description: String { "\(key) \(dtype.safetensorsName) \(WeightsError.format(shape))" }
}

/// IEEE half <-> single conversions done on bit patterns (exact in the f16 → f32 direction).
public enum HalfFloat {
    /// Exact conversion of an IEEE binary16 bit pattern to Float.
    public static func toFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0x1F {  // inf / nan
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        if exponent == 0 {  // zero / subnormal: mantissa × 2^-24, exact in Float
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -magnitude : magnitude
        }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }

    /// Float to bfloat16 bits with round-to-nearest-even (NaN stays NaN).
    public static func bfloat16Bits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x40 }
        let rounding = UInt32(0x7FFF) + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
    }
}
