// Everything a user can tell an engine from the command line (shared/design.md §1.1). Engines read
// the fields they understand; the lite engine ignores the wan-only ones.
import Foundation

public enum EngineDType: String, Sendable, CaseIterable {
    case bf16, f32
}

public struct EngineOptions: Sendable, Equatable {
    public var modelBasePath: String?
    public var loraCheckpoint: String?
    public var loraRank = 64
    public var loraScale = 1.0
    public var loraTargetModules = ["q", "k", "v", "o", "ffn.0", "ffn.2"]
    public var numSteps = 5
    public var cfgScale = 1.0
    public var prompt: String?
    public var chunkSize = 81
    public var chunkOverlap = 16
    public var useSlidingWindow = false
    public var frameRatio = 1.0
    public var seed: UInt64?
    public var maxPixels = 921_600
    public var rawOutput = false
    public var dtype = EngineDType.bf16

    public init() {}
}
