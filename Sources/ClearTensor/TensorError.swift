// Typed errors of the Tensor layer. Every message says what was wrong (with the shapes involved)
// and what the caller should do about it.

public enum TensorError: Error, CustomStringConvertible, Equatable {
    /// Two shapes that must agree do not.
    case shapeMismatch(op: String, expected: [Int], got: [Int], hint: String)
    /// A shape is not acceptable for an op (wrong rank, non-divisible sizes, …).
    case invalidShape(op: String, shape: [Int], reason: String)
    /// An argument (axis, stride, group count, …) is out of range.
    case invalidArgument(op: String, reason: String)
    /// The op does not support this dtype (or this dtype combination).
    case unsupportedDType(op: String, dtype: DType, hint: String)
    /// oneDNN refused a descriptor, primitive or execution.
    case dnnl(op: String, status: Int, call: String)
    /// A backing buffer is too small for the requested shape.
    case bufferTooSmall(bytesNeeded: Int, bytesGiven: Int)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, expected, got, hint):
            return "\(op): shape mismatch, expected \(expected) but got \(got). \(hint)"
        case let .invalidShape(op, shape, reason):
            return "\(op): invalid shape \(shape): \(reason)"
        case let .invalidArgument(op, reason):
            return "\(op): invalid argument: \(reason)"
        case let .unsupportedDType(op, dtype, hint):
            return "\(op): dtype \(dtype) is not supported. \(hint)"
        case let .dnnl(op, status, call):
            return "\(op): oneDNN call \(call) failed with status \(status) "
                + "(2 = invalid arguments, 3 = unimplemented for this shape/dtype/ISA, 1 = out of memory). "
                + "Check shapes and dtypes; try f32 if bf16 is unimplemented on this CPU."
        case let .bufferTooSmall(needed, given):
            return "external buffer holds \(given) bytes but the shape needs \(needed); pass a larger buffer or a smaller shape"
        }
    }
}
