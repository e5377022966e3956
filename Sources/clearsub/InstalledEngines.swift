// The removal engines this build offers. Registering an engine is one line in `registry`
// (its target must be a dependency of `clearsub`).
import ClearLite
import ClearPipeline

enum InstalledEngines {
    /// Engine names the command line accepts for `--engine` (design §1.1).
    static let knownNames = ["lite", "wan"]

    static let registry = EngineRegistry(installed: [
        LiteEngine.descriptor,
        // WanEngine.descriptor,
    ], emptyHint: "the lite engine lands with issue 4")
}
