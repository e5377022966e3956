// The removal engines this build offers. Registering an engine is one line in `registry`
// (its target must be a dependency of `clearsub`).
//
// The lite engine (bundled weights) is the default of `--engine`; since the long-range static-scene
// cue and the re-tuned α numbers it beats both the input and inpainting with the true mask on our
// subtitled validation clips (full-frame PSNR; Sources/ClearLite/Weights/MODEL_CARD.md, which also
// lists where it still fails). It was opt-in before; the old opt-in
// variable CLEARSUB_EXPERIMENTAL_LITE is now ignored.
// The wan engine (CLEAR's own model) is always registered; it needs the downloaded weights (docs/wan.md).
import ClearLite
import ClearPipeline
import ClearWan
import Foundation

enum InstalledEngines {
    /// Engine names the command line accepts for `--engine` (design §1.1).
    static let knownNames = ["lite", "wan"]

    static var registry: EngineRegistry {
        EngineRegistry(installed: [LiteEngine.descriptor, WanEngine.descriptor])
    }
}
