// SentencePiece's precompiled normaliser (nmt_nfkc and friends): a darts-clone double-array trie
// over UTF-8 byte sequences whose leaf values are offsets into a blob of NUL-terminated
// replacement strings. Layout (sentencepiece normalizer.cc, DecodePrecompiledCharsMap): u32 LE
// trie size in bytes, the trie (u32 LE units), then the replacement blob.
// Matches: sentencepiece Normalizer::NormalizePrefix (longest match; otherwise one UTF-8 character
// is copied unchanged) and Normalizer::Normalize (remove_extra_whitespaces, add_dummy_prefix,
// escape_whitespaces with "▁"). User-defined-symbol prefix matching and TSV rules are not supported.

struct TokenizerCharsMap {
    let units: [UInt32]
    let blob: [UInt8]

    init(_ data: [UInt8]) throws {
        guard data.count >= 4 else { throw TokenizerError.malformed("precompiled_charsmap shorter than its header") }
        let trieBytes = Int(UInt32(data[0]) | UInt32(data[1]) << 8 | UInt32(data[2]) << 16 | UInt32(data[3]) << 24)
        guard trieBytes % 4 == 0, 4 + trieBytes <= data.count else {
            throw TokenizerError.malformed("precompiled_charsmap trie of \(trieBytes) bytes does not fit in \(data.count)")
        }
        var u = [UInt32](repeating: 0, count: trieBytes / 4)
        for i in u.indices {
            let b = 4 + 4 * i
            u[i] = UInt32(data[b]) | UInt32(data[b + 1]) << 8 | UInt32(data[b + 2]) << 16 | UInt32(data[b + 3]) << 24
        }
        units = u
        blob = Array(data[(4 + trieBytes)...])
    }

    /// Longest key that prefixes `key[start...]`: (length in bytes, value), or nil.
    func longestMatch(_ key: [UInt8], from start: Int) -> (Int, Int)? {
        guard !units.isEmpty else { return nil }
        func offset(_ u: UInt32) -> Int { Int((u >> 10) << ((u & (1 << 9)) >> 6)) }
        func label(_ u: UInt32) -> UInt32 { u & ((1 << 31) | 0xFF) }
        func hasLeaf(_ u: UInt32) -> Bool { (u >> 8) & 1 == 1 }
        var node = offset(units[0])
        var best: (Int, Int)?
        var i = start
        while i < key.count {
            let c = Int(key[i])
            node ^= c
            guard node >= 0, node < units.count else { break }
            let u = units[node]
            guard label(u) == UInt32(c) else { break }
            node ^= offset(u)
            guard node < units.count else { break }
            if hasLeaf(u) { best = (i - start + 1, Int(units[node] & 0x7FFF_FFFF)) }
            i += 1
        }
        return best
    }

    /// Replacement bytes at `value` in the blob (up to the NUL).
    func replacement(_ value: Int) -> ArraySlice<UInt8> {
        guard value < blob.count else { return [] }
        var end = value
        while end < blob.count && blob[end] != 0 { end += 1 }
        return blob[value..<end]
    }
}

enum TokenizerUTF8 {
    /// Byte length of the UTF-8 character starting with `b` (1 for stray continuation bytes).
    static func length(_ b: UInt8) -> Int {
        if b < 0x80 { return 1 }
        if b >> 5 == 0b110 { return 2 }
        if b >> 4 == 0b1110 { return 3 }
        if b >> 3 == 0b11110 { return 4 }
        return 1
    }
}

/// SentencePiece text normalisation for one model.
struct TokenizerNormalizer {
    let map: TokenizerCharsMap?
    let addDummyPrefix: Bool, removeExtraWhitespaces: Bool, escapeWhitespaces: Bool

    static let space: [UInt8] = Array("▁".utf8)

    /// (replacement bytes, consumed input bytes) at `pos`.
    func prefix(_ input: [UInt8], _ pos: Int) -> (ArraySlice<UInt8>, Int) {
        if let map, let (len, value) = map.longestMatch(input, from: pos) { return (map.replacement(value), len) }
        let n = min(TokenizerUTF8.length(input[pos]), input.count - pos)
        return (input[pos..<(pos + n)], n)
    }

    func normalize(_ text: String) -> [UInt8] {
        let input = Array(text.utf8)
        var pos = 0
        if removeExtraWhitespaces {  // drop leading (normalised) spaces
            while pos < input.count {
                let (rep, n) = prefix(input, pos)
                guard rep.elementsEqual([0x20]) else { break }
                pos += n
            }
        }
        guard pos < input.count else { return [] }
        var out: [UInt8] = []
        let ws: [UInt8] = escapeWhitespaces ? TokenizerNormalizer.space : [0x20]
        if addDummyPrefix { out += ws }
        var prevSpace = removeExtraWhitespaces
        while pos < input.count {
            let (rep, n) = prefix(input, pos)
            var sp = rep[...]
            if prevSpace { while sp.first == 0x20 { sp = sp.dropFirst() } }
            if !sp.isEmpty {
                for b in sp { if b == 0x20 && escapeWhitespaces { out += TokenizerNormalizer.space } else { out.append(b) } }
                prevSpace = sp.last == 0x20
            }
            pos += n
            if !removeExtraWhitespaces { prevSpace = false }
        }
        if removeExtraWhitespaces {
            while out.count >= ws.count && Array(out.suffix(ws.count)) == ws { out.removeLast(ws.count) }
        }
        return out
    }
}
