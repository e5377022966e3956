// SentencePiece unigram tokenizer read from a `spiece.model` ModelProto, plus Wan's prompt path.
// Matches: sentencepiece unigram Model::EncodeOptimized (Viterbi over the normalised bytes; pieces
// of type NORMAL/USER_DEFINED, user-defined scored length·max_score − 0.1, an unknown character
// scored min_score − 10 where no one-character piece exists; strict improvement keeps the earliest
// start), the merging of consecutive unknown pieces, SentencePieceProcessor's byte fallback
// (unknown text → <0xXX> pieces), and DiffSynth 1.1.9 diffsynth/prompters/wan_prompter.py
// HuggingfaceTokenizer(seq_len=512, clean='whitespace') with T5TokenizerFast: eos appended,
// truncation to 511 content tokens + eos, padding with pad id to 512, mask 1 on real tokens.
// Not implemented: ftfy.fix_text (WanPromptCleaner applies html.unescape twice and the whitespace
// rule only), BPE/WORD/CHAR models, TSV normalisation rules, the 300 <extra_id_n> added tokens.
import Foundation

public final class SentencePieceTokenizer: @unchecked Sendable {
    public let pieceCount: Int
    public let unkId: Int, eosId: Int, padId: Int, bosId: Int
    public let byteFallback: Bool
    let normalizer: TokenizerNormalizer
    let pieces: [SentencePieceModelProto.Piece]
    /// Matchable pieces by UTF-8 bytes → id.
    let lookup: [[UInt8]: Int]
    let maxPieceBytes: Int
    let minScore: Float, maxScore: Float
    let byteIds: [Int]

    public convenience init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TokenizerError.malformed("cannot read \(path)")
        }
        try self.init(modelBytes: [UInt8](data))
    }

    public convenience init(modelBytes: [UInt8]) throws {
        try self.init(proto: SentencePieceModelProto(bytes: modelBytes))
    }

    init(proto: SentencePieceModelProto) throws {
        guard proto.modelType == 1 else { throw TokenizerError.unsupported("model_type \(proto.modelType) (only UNIGRAM = 1)") }
        guard !proto.pieces.isEmpty else { throw TokenizerError.malformed("no pieces") }
        pieces = proto.pieces
        pieceCount = proto.pieces.count
        guard proto.unkId >= 0, proto.unkId < pieceCount, proto.pieces[proto.unkId].type == .unknown else {
            throw TokenizerError.malformed("unk_id \(proto.unkId) is not an UNKNOWN piece")
        }
        unkId = proto.unkId; eosId = proto.eosId; padId = proto.padId; bosId = proto.bosId
        byteFallback = proto.byteFallback
        var lookup: [[UInt8]: Int] = [:]
        var maxLen = 1, minS = Float.greatestFiniteMagnitude, maxS = -Float.greatestFiniteMagnitude
        var byteIds = [Int](repeating: -1, count: 256)
        for (id, p) in proto.pieces.enumerated() {
            switch p.type {
            case .normal:
                minS = min(minS, p.score); maxS = max(maxS, p.score)
                fallthrough
            case .userDefined:
                let b = Array(p.text.utf8)
                if lookup[b] == nil { lookup[b] = id }
                maxLen = max(maxLen, b.count)
            case .byte:
                // "<0xAB>"
                let t = p.text
                if t.count == 6, t.hasPrefix("<0x"), t.hasSuffix(">"), let v = UInt8(t.dropFirst(3).prefix(2), radix: 16) { byteIds[Int(v)] = id }
            default: break
            }
        }
        if proto.byteFallback, byteIds.contains(-1) {
            throw TokenizerError.malformed("byte_fallback is set but not all 256 <0xXX> pieces exist")
        }
        self.lookup = lookup
        maxPieceBytes = maxLen
        minScore = minS; maxScore = maxS
        self.byteIds = byteIds
        let map = proto.precompiledCharsMap.isEmpty ? nil : try TokenizerCharsMap(proto.precompiledCharsMap)
        normalizer = TokenizerNormalizer(map: map, addDummyPrefix: proto.addDummyPrefix,
                                         removeExtraWhitespaces: proto.removeExtraWhitespaces,
                                         escapeWhitespaces: proto.escapeWhitespaces)
    }

    /// The piece text of `id` ("▁" marks a space).
    public func piece(_ id: Int) -> String { pieces[id].text }

    /// Normalised text as the model sees it ("▁" for spaces).
    public func normalize(_ text: String) -> String { String(decoding: normalizer.normalize(text), as: UTF8.self) }

    /// Token ids of `text` (no eos).
    public func encode(_ text: String) -> [Int] {
        let s = normalizer.normalize(text)
        guard !s.isEmpty else { return [] }
        // Viterbi: best[e] = (score, start, id) of the best segmentation of s[0..<e].
        struct Node { var score: Float; var start: Int; var id: Int }
        var best = [Node?](repeating: nil, count: s.count + 1)
        best[0] = Node(score: 0, start: 0, id: -1)
        let unkScore = minScore - 10
        var pos = 0
        while pos < s.count {
            let charLen = min(TokenizerUTF8.length(s[pos]), s.count - pos)
            guard let here = best[pos] else { pos += charLen; continue }
            var single = false
            var end = pos + 1
            while end <= min(s.count, pos + maxPieceBytes) {
                if let id = lookup[Array(s[pos..<end])] {
                    let p = pieces[id]
                    let score = p.type == .userDefined ? Float(end - pos) * maxScore - 0.1 : p.score
                    let cand = here.score + score
                    if best[end] == nil || cand > best[end]!.score { best[end] = Node(score: cand, start: pos, id: id) }
                    if end - pos == charLen { single = true }
                }
                end += 1
            }
            if !single {
                let e = pos + charLen, cand = here.score + unkScore
                if best[e] == nil || cand > best[e]!.score { best[e] = Node(score: cand, start: pos, id: unkId) }
            }
            pos += charLen
        }
        // Backtrack; merge runs of unknown pieces.
        var segs: [(id: Int, range: Range<Int>)] = []
        var e = s.count
        while e > 0, let n = best[e] {
            if n.id == unkId, let last = segs.last, last.id == unkId {
                segs[segs.count - 1].range = n.start..<last.range.upperBound
            } else {
                segs.append((n.id, n.start..<e))
            }
            e = n.start
        }
        var ids: [Int] = []
        for seg in segs.reversed() {
            if seg.id == unkId && byteFallback {
                ids += s[seg.range].map { byteIds[Int($0)] }
            } else {
                ids.append(seg.id)
            }
        }
        return ids
    }

    /// Wan's prompt tokens: clean (WanPromptCleaner), encode, truncate to maxLength−1, append eos,
    /// pad with pad id. Returns ids and mask of length maxLength.
    public func wanTokens(_ prompt: String, maxLength: Int = 512, clean: Bool = true) -> (ids: [Int], mask: [Int]) {
        let text = clean ? WanPromptCleaner.clean(prompt) : prompt
        let content = Array(encode(text).prefix(maxLength - 1)) + [eosId]
        let pad = max(padId, 0)
        return (content + [Int](repeating: pad, count: maxLength - content.count),
                [Int](repeating: 1, count: content.count) + [Int](repeating: 0, count: maxLength - content.count))
    }
}

/// WanPrompter's `clean='whitespace'` path without ftfy: html.unescape twice, strip, every run of
/// whitespace → one space, strip.
public enum WanPromptCleaner {
    public static func clean(_ text: String) -> String {
        let t = unescapeHTML(unescapeHTML(text))
        var out = "", pendingSpace = false
        for ch in t {
            if ch.unicodeScalars.allSatisfy({ isPythonWhitespace($0) }) {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(ch)
            }
        }
        return out
    }

    /// Python `str.isspace` / `re` `\s` for str patterns.
    static func isPythonWhitespace(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    static let named: [String: String] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}"]

    /// A subset of Python's html.unescape: numeric references and the common named ones (with ';').
    static func unescapeHTML(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = ""
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == "&", let semi = s[i...].prefix(12).firstIndex(of: ";") {
                let body = s[s.index(after: i)..<semi]
                var rep: String?
                if body.hasPrefix("#x") || body.hasPrefix("#X") {
                    rep = UInt32(body.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else if body.hasPrefix("#") {
                    rep = UInt32(body.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else {
                    rep = named[String(body)]
                }
                if let rep { out += rep; i = s.index(after: semi); continue }
            }
            out.append(s[i])
            i = s.index(after: i)
        }
        return out
    }
}
