// A minimal protobuf wire-format reader for SentencePiece `ModelProto` files (`spiece.model`):
// varints, 32/64-bit fixed fields and length-delimited fields; unknown fields are skipped.
// Field numbers are those of sentencepiece_model.proto (ModelProto 1 pieces, 2 trainer_spec,
// 3 normalizer_spec; SentencePiece 1 piece, 2 score, 3 type; TrainerSpec 3 model_type,
// 35 byte_fallback, 40–43 unk/bos/eos/pad ids; NormalizerSpec 1 name, 2 precompiled_charsmap,
// 3 add_dummy_prefix, 4 remove_extra_whitespaces, 5 escape_whitespaces).

public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    case malformed(String)
    case unsupported(String)
    public var description: String {
        switch self {
        case .malformed(let s): return "tokenizer model is malformed: \(s)"
        case .unsupported(let s): return "tokenizer model is not supported: \(s)"
        }
    }
}

struct TokenizerProtoReader {
    enum Value { case varint(UInt64), fixed32(UInt32), fixed64(UInt64), bytes(ArraySlice<UInt8>) }
    let bytes: ArraySlice<UInt8>
    var pos: Int

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes; pos = bytes.startIndex }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard pos < bytes.endIndex, shift < 64 else { throw TokenizerError.malformed("truncated varint at byte \(pos)") }
            let b = bytes[pos]; pos += 1
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func fixed(_ n: Int) throws -> UInt64 {
        guard pos + n <= bytes.endIndex else { throw TokenizerError.malformed("truncated fixed\(n * 8) at byte \(pos)") }
        var v: UInt64 = 0
        for i in 0..<n { v |= UInt64(bytes[pos + i]) << (8 * UInt64(i)) }
        pos += n
        return v
    }

    /// The next (field number, value), or nil at the end.
    mutating func next() throws -> (Int, Value)? {
        guard pos < bytes.endIndex else { return nil }
        let key = try varint()
        let field = Int(key >> 3)
        switch key & 7 {
        case 0: return (field, .varint(try varint()))
        case 1: return (field, .fixed64(try fixed(8)))
        case 5: return (field, .fixed32(UInt32(try fixed(4))))
        case 2:
            let n = Int(try varint())
            guard n >= 0, pos + n <= bytes.endIndex else { throw TokenizerError.malformed("field \(field) of \(n) bytes overruns the message") }
            defer { pos += n }
            return (field, .bytes(bytes[pos..<(pos + n)]))
        default:
            throw TokenizerError.malformed("wire type \(key & 7) (groups are not used by sentencepiece) at byte \(pos)")
        }
    }
}

extension TokenizerProtoReader.Value {
    var int: Int? { if case .varint(let v) = self { return Int(truncatingIfNeeded: v) }; return nil }
    var bool: Bool? { int.map { $0 != 0 } }
    var float: Float? { if case .fixed32(let v) = self { return Float(bitPattern: v) }; return nil }
    var data: ArraySlice<UInt8>? { if case .bytes(let b) = self { return b }; return nil }
    var string: String? { data.map { String(decoding: $0, as: UTF8.self) } }
}

/// The fields of a SentencePiece ModelProto the tokenizer needs.
struct SentencePieceModelProto {
    enum PieceType: Int { case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6 }
    struct Piece { var text: String; var score: Float; var type: PieceType }

    var pieces: [Piece] = []
    var modelType = 1  // UNIGRAM
    var byteFallback = false
    var unkId = 0, bosId = 1, eosId = 2, padId = -1
    var normalizerName = ""
    var precompiledCharsMap: [UInt8] = []
    var addDummyPrefix = true, removeExtraWhitespaces = true, escapeWhitespaces = true

    init() {}

    init(bytes: [UInt8]) throws {
        var r = TokenizerProtoReader(bytes[...])
        while let (field, value) = try r.next() {
            switch field {
            case 1:
                guard let d = value.data else { throw TokenizerError.malformed("piece is not a message") }
                var p = TokenizerProtoReader(d)
                var piece = Piece(text: "", score: 0, type: .normal)
                while let (f, v) = try p.next() {
                    switch f {
                    case 1: piece.text = v.string ?? ""
                    case 2: piece.score = v.float ?? 0
                    case 3:
                        guard let t = v.int.flatMap(PieceType.init(rawValue:)) else { throw TokenizerError.malformed("piece \(pieces.count) has an unknown type") }
                        piece.type = t
                    default: break
                    }
                }
                pieces.append(piece)
            case 2:
                guard let d = value.data else { throw TokenizerError.malformed("trainer_spec is not a message") }
                var t = TokenizerProtoReader(d)
                while let (f, v) = try t.next() {
                    switch f {
                    case 3: modelType = v.int ?? 1
                    case 35: byteFallback = v.bool ?? false
                    case 40: unkId = v.int ?? 0
                    case 41: bosId = v.int ?? 1
                    case 42: eosId = v.int ?? 2
                    case 43: padId = v.int ?? -1
                    default: break
                    }
                }
            case 3:
                guard let d = value.data else { throw TokenizerError.malformed("normalizer_spec is not a message") }
                var n = TokenizerProtoReader(d)
                while let (f, v) = try n.next() {
                    switch f {
                    case 1: normalizerName = v.string ?? ""
                    case 2: precompiledCharsMap = Array(v.data ?? [])
                    case 3: addDummyPrefix = v.bool ?? true
                    case 4: removeExtraWhitespaces = v.bool ?? true
                    case 5: escapeWhitespaces = v.bool ?? true
                    default: break
                    }
                }
            default: break
            }
        }
    }
}
