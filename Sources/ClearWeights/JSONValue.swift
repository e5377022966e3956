// A small strict JSON (RFC 8259) parser and string escaper for safetensors headers (§10.1) and
// `*.safetensors.index.json` files. Bounded nesting depth; integers kept exact; duplicate keys rejected.

enum JSONValue {
    /// Keys are unique (the parser rejects repeats); iterate `keys.sorted()` for a stable order.
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case integer(Int)
    case number(Double)
    case bool(Bool)
    case null

    var kindName: String {
        switch self {
        case .object: return "object"
        case .array: return "array"
        case .string: return "string"
        case .integer, .number: return "number"
        case .bool: return "boolean"
        case .null: return "null"
        }
    }

    /// Parses a complete JSON text (surrounding white space allowed).
    static func parse(_ bytes: UnsafeRawBufferPointer, format: String, maxDepth: Int = 64) throws -> JSONValue {
        var parser = JSONParser(bytes: bytes, format: format, maxDepth: maxDepth)
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.position == bytes.count else { throw parser.fail("unexpected text after the JSON value") }
        return value
    }

    /// `text` as a JSON string literal.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

private struct JSONParser {
    let bytes: UnsafeRawBufferPointer
    let format: String
    let maxDepth: Int
    var position = 0

    init(bytes: UnsafeRawBufferPointer, format: String, maxDepth: Int) {
        self.bytes = bytes
        self.format = format
        self.maxDepth = maxDepth
    }

    func fail(_ reason: String) -> WeightsError {
        .malformed(format: format, reason: "invalid JSON header at byte \(position): \(reason)")
    }

    mutating func skipSpace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func expect(_ byte: UInt8) throws {
        guard peek() == byte else { throw fail("expected '\(Character(UnicodeScalar(byte)))'") }
        position += 1
    }

    mutating func value(depth: Int) throws -> JSONValue {
        guard depth < maxDepth else { throw WeightsError.limitExceeded(what: "\(format) JSON nesting depth", limit: maxDepth) }
        guard let byte = peek() else { throw fail("unexpected end of JSON") }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected character")
        }
    }

    mutating func literal(_ word: String) throws {
        for b in word.utf8 { try expect(b) }
    }

    mutating func object(depth: Int) throws -> JSONValue {
        try expect(UInt8(ascii: "{"))
        var members: [String: JSONValue] = [:]
        skipSpace()
        if peek() == UInt8(ascii: "}") { position += 1; return .object(members) }
        while true {
            skipSpace()
            let key = try string()
            guard members[key] == nil else { throw WeightsError.duplicateKey(key: key, reason: "\(format) JSON object repeats it") }
            skipSpace()
            try expect(UInt8(ascii: ":"))
            skipSpace()
            members[key] = try value(depth: depth + 1)
            skipSpace()
            guard let next = peek() else { throw fail("unterminated object") }
            position += 1
            if next == UInt8(ascii: "}") { return .object(members) }
            guard next == UInt8(ascii: ",") else { throw fail("expected ',' or '}' in object") }
        }
    }

    mutating func array(depth: Int) throws -> JSONValue {
        try expect(UInt8(ascii: "["))
        var items: [JSONValue] = []
        skipSpace()
        if peek() == UInt8(ascii: "]") { position += 1; return .array(items) }
        while true {
            skipSpace()
            items.append(try value(depth: depth + 1))
            skipSpace()
            guard let next = peek() else { throw fail("unterminated array") }
            position += 1
            if next == UInt8(ascii: "]") { return .array(items) }
            guard next == UInt8(ascii: ",") else { throw fail("expected ',' or ']' in array") }
        }
    }

    mutating func hex4() throws -> UInt32 {
        guard bytes.count - position >= 4 else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[position]
            position += 1
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw fail("bad hex digit in \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        var utf8: [UInt8] = []
        while true {
            guard let c = peek() else { throw fail("unterminated string") }
            position += 1
            switch c {
            case UInt8(ascii: "\""):
                guard let text = String(validating: utf8, as: UTF8.self) else { throw fail("string is not valid UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                guard let e = peek() else { throw fail("unterminated escape") }
                position += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(e)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code) {
                        guard bytes.count - position >= 2, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                            throw fail("unpaired surrogate in \\u escape")
                        }
                        position += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate in \\u escape") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw fail("invalid \\u escape") }
                    utf8.append(contentsOf: String(Character(scalar)).utf8)
                default: throw fail("invalid escape")
                }
            default:
                guard c >= 0x20 else { throw fail("control character in string") }
                utf8.append(c)
            }
        }
    }

    mutating func number() throws -> JSONValue {
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        var isInteger = true
        var digits = 0
        while let c = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { position += 1; digits += 1 }
        guard digits > 0 else { throw fail("number without digits") }
        if peek() == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            var frac = 0
            while let c = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { position += 1; frac += 1 }
            guard frac > 0 else { throw fail("number without fraction digits") }
        }
        if let c = peek(), c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if let s = peek(), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { position += 1 }
            var exp = 0
            while let c = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { position += 1; exp += 1 }
            guard exp > 0 else { throw fail("number without exponent digits") }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        if isInteger {
            guard let value = Int(text) else { throw fail("integer \(text.prefix(40)) does not fit in 64 bits") }
            return .integer(value)
        }
        guard let value = Double(text), value.isFinite else { throw fail("number \(text.prefix(40)) is not finite") }
        return .number(value)
    }
}
