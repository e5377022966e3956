// The pass-through stage `bench io` streams frames through: it returns every chunk unchanged, so
// the benchmark measures decode, windowing and encode alone. Not a registered removal engine.
import ClearMedia
import ClearPipeline

final class IdentityPass: RemovalEngine {
    let name = "identity (bench io)"
    let chunkSize: Int
    let chunkOverlap: Int

    init(chunkSize: Int = 16, chunkOverlap: Int = 4) {
        self.chunkSize = chunkSize
        self.chunkOverlap = chunkOverlap
    }

    func clean(_ chunk: [RGBFrame]) throws -> [RGBFrame] { chunk }
}
