// The removal engines this build offers. Registering an engine is one line in `registry`
// (its target must be a dependency of `clearsub`).
//
// The lite engine is opt-in for now: its shipped weights are under-trained and make video worse
// than the input on our validation clips (Sources/ClearLite/Weights/MODEL_CARD.md), which would
// break the promise that pixels away from subtitles stay untouched. Setting
// CLEARSUB_EXPERIMENTAL_LITE=1 registers it; once a trained checkpoint beats the input, it goes
// back to being registered unconditionally (and the default of `--engine`).
// The wan engine (CLEAR's own model) is always registered; it needs the downloaded weights (docs/wan.md).
import ClearLite
import ClearPipeline
import ClearWan
import Foundation

enum InstalledEngines {
    /// Engine names the command line accepts for `--engine` (design §1.1).
    static let knownNames = ["lite", "wan"]

    /// Environment variable that opts in to the experimental lite engine.
    static let experimentalLiteVariable = "CLEARSUB_EXPERIMENTAL_LITE"

    static var liteOptedIn: Bool { ProcessInfo.processInfo.environment[experimentalLiteVariable] == "1" }

    static var registry: EngineRegistry {
        EngineRegistry(installed: (liteOptedIn ? [LiteEngine.descriptor] : []) + [
            WanEngine.descriptor,
        ], disabled: liteOptedIn ? [:] : ["lite": "its current weights are under-trained and degrade video, see "
            + "Sources/ClearLite/Weights/MODEL_CARD.md; use --engine wan, or set \(experimentalLiteVariable)=1 to try lite anyway"])
    }
}
