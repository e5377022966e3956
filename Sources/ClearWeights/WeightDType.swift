// Element types of stored tensors: safetensors dtype strings (shared/spec/wan-clear-reference.md §10.1)
// and torch storage classes (§10.2, "Globals" table).

/// The element type of a stored tensor. All stored values are little-endian.
public enum WeightDType: String, CaseIterable, Sendable, Equatable {
    case f32, f16, bf16, f64, i64, i32, i16, i8, u8, bool

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .f64, .i64: return 8
        case .f32, .i32: return 4
        case .f16, .bf16, .i16: return 2
        case .i8, .u8, .bool: return 1
        }
    }

    /// The dtype string used in safetensors headers (`F32`, `BF16`, `BOOL`, …).
    public var safetensorsName: String {
        switch self {
        case .f32: return "F32"
        case .f16: return "F16"
        case .bf16: return "BF16"
        case .f64: return "F64"
        case .i64: return "I64"
        case .i32: return "I32"
        case .i16: return "I16"
        case .i8: return "I8"
        case .u8: return "U8"
        case .bool: return "BOOL"
        }
    }

    /// Parses a safetensors dtype string; nil for dtypes this layer does not convert (F8_*, U16, …).
    public init?(safetensorsName name: String) {
        guard let match = WeightDType.allCases.first(where: { $0.safetensorsName == name }) else { return nil }
        self = match
    }

    /// The torch storage class name (`FloatStorage`, …) of this dtype, as found in `torch.<name>`.
    public var torchStorageName: String {
        switch self {
        case .f32: return "FloatStorage"
        case .f16: return "HalfStorage"
        case .bf16: return "BFloat16Storage"
        case .f64: return "DoubleStorage"
        case .i64: return "LongStorage"
        case .i32: return "IntStorage"
        case .i16: return "ShortStorage"
        case .i8: return "CharStorage"
        case .u8: return "ByteStorage"
        case .bool: return "BoolStorage"
        }
    }

    /// Parses a torch storage class name; nil for anything else.
    public init?(torchStorageName name: String) {
        guard let match = WeightDType.allCases.first(where: { $0.torchStorageName == name }) else { return nil }
        self = match
    }
}
