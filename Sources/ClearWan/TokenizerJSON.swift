// SentencePiece unigram tokenizer from a Hugging Face `tokenizer.json` (the fast T5 tokenizer of
// google/umt5-xxl): model.type "Unigram" with [piece, score] vocab and unk_id, a "Precompiled"
// normaliser (base64 nmt_nfkc charsmap, possibly inside a "Sequence"), a "Metaspace"
// pre-tokeniser (prepend "▁": prepend_scheme always/first or add_prefix_space), special added
// tokens (control pieces), eos from the TemplateProcessing post-processor, pad from "<pad>".
// Matches: tokenizers' Unigram model + normaliser + Metaspace on text without leading, trailing or
// repeated spaces (WanPrompter always cleans to that form); on such text it equals sentencepiece.
import Foundation

extension SentencePieceTokenizer {
    /// Reads `tokenizer.json`. `charsMapOverride` replaces an empty precompiled charsmap (tests).
    public convenience init(tokenizerJSON path: String, charsMapOverride: [UInt8]? = nil) throws {
        guard let data = FileManager.default.contents(atPath: path),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TokenizerError.malformed("\(path) is not a JSON object")
        }
        guard let model = root["model"] as? [String: Any], model["type"] as? String == "Unigram",
              let vocab = model["vocab"] as? [[Any]] else {
            throw TokenizerError.unsupported("\(path): model is not a Unigram vocabulary")
        }
        var proto = SentencePieceModelProto()
        proto.unkId = (model["unk_id"] as? Int) ?? 0
        proto.byteFallback = (model["byte_fallback"] as? Bool) ?? false
        var special = Set<String>(), ids: [String: Int] = [:]
        for t in (root["added_tokens"] as? [[String: Any]]) ?? [] {
            if let c = t["content"] as? String, let id = t["id"] as? Int {
                ids[c] = id
                if (t["special"] as? Bool) == true { special.insert(c) }
            }
        }
        for (i, entry) in vocab.enumerated() {
            guard entry.count == 2, let text = entry[0] as? String, let score = (entry[1] as? NSNumber)?.floatValue else {
                throw TokenizerError.malformed("\(path): vocab entry \(i) is not [piece, score]")
            }
            var type = SentencePieceModelProto.PieceType.normal
            if i == proto.unkId { type = .unknown } else if special.contains(text) { type = .control }
            else if proto.byteFallback, text.count == 6, text.hasPrefix("<0x"), text.hasSuffix(">") { type = .byte }
            proto.pieces.append(.init(text: text, score: score, type: type))
        }
        // eos: the special token of the post-processor template (T5: "</s>"), pad: "<pad>"
        var eos = ids["</s>"]
        if let post = root["post_processor"] as? [String: Any], let st = post["special_tokens"] as? [String: Any],
           let first = st.values.first as? [String: Any], let i = (first["ids"] as? [Int])?.first { eos = i }
        proto.eosId = eos ?? 1
        proto.padId = ids["<pad>"] ?? 0
        proto.bosId = ids["<s>"] ?? -1
        // normaliser
        func precompiled(_ n: Any?) -> String? {
            guard let n = n as? [String: Any] else { return nil }
            if n["type"] as? String == "Precompiled" { return (n["precompiled_charsmap"] as? String) ?? "" }
            for sub in (n["normalizers"] as? [Any]) ?? [] { if let p = precompiled(sub) { return p } }
            return nil
        }
        if let b64 = precompiled(root["normalizer"]) {
            if b64.isEmpty, let o = charsMapOverride { proto.precompiledCharsMap = o } else {
                guard let d = Data(base64Encoded: b64) else { throw TokenizerError.malformed("\(path): precompiled_charsmap is not base64") }
                proto.precompiledCharsMap = [UInt8](d)
            }
        }
        let pre = root["pre_tokenizer"] as? [String: Any]
        let metaspace = pre?["type"] as? String == "Metaspace" ? pre : ((pre?["pretokenizers"] as? [[String: Any]])?.first { $0["type"] as? String == "Metaspace" })
        guard let metaspace else { throw TokenizerError.unsupported("\(path): no Metaspace pre-tokenizer") }
        if let scheme = metaspace["prepend_scheme"] as? String { proto.addDummyPrefix = scheme != "never" }
        else { proto.addDummyPrefix = (metaspace["add_prefix_space"] as? Bool) ?? true }
        try self.init(proto: proto)
    }

    /// Opens a tokenizer folder (google/umt5-xxl). `tokenizer.json` is preferred: it is what the
    /// reference's AutoTokenizer (fast) reads, and its converter drops sentencepiece byte fallback;
    /// `spiece.model` is used when there is no tokenizer.json.
    public static func open(folder: String) throws -> SentencePieceTokenizer {
        let fm = FileManager.default
        let json = (folder as NSString).appendingPathComponent("tokenizer.json")
        if fm.fileExists(atPath: json) { return try SentencePieceTokenizer(tokenizerJSON: json) }
        let spm = (folder as NSString).appendingPathComponent("spiece.model")
        if fm.fileExists(atPath: spm) { return try SentencePieceTokenizer(path: spm) }
        throw TokenizerError.malformed("\(folder) holds neither tokenizer.json nor spiece.model")
    }
}
