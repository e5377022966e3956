// The files CLEAR's inference script loads from its model folder (spec §0.1, §3.1), found once and
// checked together so a missing file is reported with its expected path before anything is loaded:
//   diffusion_pytorch_model*.safetensors (single, sharded or with an index)   the DiT
//   models_t5_umt5-xxl-enc-bf16.pth                                           UMT5-XXL encoder
//   Wan2.1_VAE.pth                                                            the VAE
//   google/umt5-xxl/ (spiece.model or tokenizer.json)                         the tokenizer
// The CLIP file (models_clip_open-clip-xlm-roberta-large-vit-huge-14.pth) is never used (§3.4).
import Foundation

public struct WanModelFolder: Sendable, Equatable {
    public static let t5FileName = "models_t5_umt5-xxl-enc-bf16.pth"
    public static let vaeFileName = "Wan2.1_VAE.pth"
    public static let tokenizerFolder = "google/umt5-xxl"
    public static let ditPattern = "diffusion_pytorch_model*.safetensors"

    public let path: String
    /// What `WanDiT.openStore` opens: the index when there is one, else the folder (its shards) or the single file.
    public let dit: String
    public let t5: String
    public let vae: String
    /// The google/umt5-xxl folder (it holds tokenizer.json or spiece.model; `SentencePieceTokenizer.open(folder:)`).
    public let tokenizer: String

    /// Finds every file; throws `WanPipelineError.missingFiles` naming all that are missing.
    public init(path: String) throws {
        let fm = FileManager.default
        func join(_ p: String) -> String { (path as NSString).appendingPathComponent(p) }
        var missing: [WanModelFile] = []
        let names = (try? fm.contentsOfDirectory(atPath: path)) ?? []
        let shards = names.filter { $0.hasPrefix("diffusion_pytorch_model") && $0.hasSuffix(".safetensors") }.sorted()
        let index = names.first { $0.hasPrefix("diffusion_pytorch_model") && $0.hasSuffix(".safetensors.index.json") }
        if let index { dit = join(index) } else if shards.count == 1 { dit = join(shards[0]) } else { dit = path }
        if shards.isEmpty { missing.append(WanModelFile(what: "the DiT weights", expected: join(WanModelFolder.ditPattern))) }
        t5 = join(WanModelFolder.t5FileName)
        if !fm.fileExists(atPath: t5) { missing.append(WanModelFile(what: "the UMT5-XXL text encoder", expected: t5)) }
        vae = join(WanModelFolder.vaeFileName)
        if !fm.fileExists(atPath: vae) { missing.append(WanModelFile(what: "the VAE", expected: vae)) }
        let tokDir = join(WanModelFolder.tokenizerFolder)
        let candidates = ["spiece.model", "tokenizer.json"].map { (tokDir as NSString).appendingPathComponent($0) }
        tokenizer = tokDir
        if !candidates.contains(where: { fm.fileExists(atPath: $0) }) {
            missing.append(WanModelFile(what: "the UMT5 tokenizer", expected: "\(tokDir)/spiece.model or tokenizer.json"))
        }
        self.path = path
        guard missing.isEmpty else { throw WanPipelineError.missingFiles(folder: path, missing: missing) }
    }
}
