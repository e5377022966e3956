// Errors of the Wan engine's DiT, LoRA, scheduler and sliding-window code.

public enum WanDiTError: Error, CustomStringConvertible, Sendable {
    case invalidArgument(String)
    case shapeMismatch(String)
    case config(String)
    case lora(String)

    public var description: String {
        switch self {
        case .invalidArgument(let s): return "invalid argument: \(s)"
        case .shapeMismatch(let s): return "shape mismatch: \(s)"
        case .config(let s): return "Wan DiT config: \(s)"
        case .lora(let s): return "LoRA: \(s)"
        }
    }
}
