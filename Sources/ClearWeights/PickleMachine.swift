// Restricted pickle interpreter for torch.save's `data.pkl` (spec §10.2 "Pickle"; CPython pickletools
// opcode table, protocols 2–5). Nothing is executed: GLOBAL/STACK_GLOBAL only resolve names on an
// allow-list (PickleValue.swift), REDUCE/NEWOBJ/BUILD are evaluated symbolically by TorchRebuild.swift,
// and BINPERSID is resolved by the caller. Every length is checked against the remaining bytes before
// anything is allocated; nesting, mark depth and stack size are bounded.

/// Resolves persistent ids and allowed calls for the interpreter.
protocol PickleResolver {
    mutating func persistentLoad(_ pid: PickleValue, offset: Int) throws -> PickleValue
    mutating func call(_ callable: TorchGlobal, name: String, args: [PickleValue], offset: Int) throws -> PickleValue
}

struct PickleLimits {
    var maxDepth = 100
    var maxMarks = 1_000
    var maxStack = 1_000_000
    var maxGlobalLine = 256
}

struct PickleMachine<Resolver: PickleResolver> {
    private var reader: ByteReader
    private var resolver: Resolver
    private let limits: PickleLimits
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    private var opOffset = 0

    init(_ bytes: UnsafeRawBufferPointer, resolver: Resolver, limits: PickleLimits = PickleLimits()) {
        self.reader = ByteReader(bytes, format: "pickle")
        self.resolver = resolver
        self.limits = limits
    }

    /// Runs until STOP and returns the pickled object.
    mutating func run() throws -> PickleValue {
        while true {
            opOffset = reader.position
            let op = try reader.u8("opcode (the pickle ends without STOP)")
            if op == 0x2E {  // STOP
                guard let result = stack.popLast() else { throw fail("STOP with an empty stack") }
                return result
            }
            try step(op)
        }
    }

    private func fail(_ reason: String) -> WeightsError { .pickle(reason: reason, offset: opOffset) }

    private mutating func push(_ value: PickleValue) throws {
        guard stack.count < limits.maxStack else { throw WeightsError.limitExceeded(what: "pickle stack size", limit: limits.maxStack) }
        stack.append(value)
    }

    private mutating func pop() throws -> PickleValue {
        if let mark = marks.last, stack.count <= mark { throw fail("stack underflow (value expected above a MARK)") }
        guard let value = stack.popLast() else { throw fail("stack underflow") }
        return value
    }

    private mutating func popToMark() throws -> [PickleValue] {
        guard let mark = marks.popLast() else { throw fail("no MARK on the stack") }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    private func depthAfterNesting(_ child: PickleValue, in parentDepth: Int) throws -> Int {
        let depth = max(parentDepth, child.depth + 1)
        guard depth <= limits.maxDepth else { throw WeightsError.limitExceeded(what: "pickle nesting depth", limit: limits.maxDepth) }
        return depth
    }

    private func makeTuple(_ items: [PickleValue]) throws -> PickleValue {
        var depth = 1
        for item in items {
            depth = try depthAfterNesting(item, in: depth)
            item.freeze()
        }
        return .tuple(PickleTuple(items, depth: depth))
    }

    private func append(_ items: [PickleValue], to target: PickleValue) throws {
        guard case let .list(list) = target else { throw fail("APPEND to a \(target.typeName), expected a list") }
        guard !list.frozen else { throw fail("APPEND to a list that is already nested (torch.save never does this)") }
        for item in items {
            guard !item.isSameContainer(as: target) else { throw fail("a list cannot contain itself") }
            list.depth = try depthAfterNesting(item, in: list.depth)
            item.freeze()
            list.items.append(item)
        }
    }

    private func setItems(_ items: [PickleValue], in target: PickleValue) throws {
        guard case let .dict(dict) = target else { throw fail("SETITEM on a \(target.typeName), expected a dict") }
        guard !dict.frozen else { throw fail("SETITEM on a dict that is already nested (torch.save never does this)") }
        guard items.count % 2 == 0 else { throw fail("SETITEMS with an odd number of items") }
        for i in stride(from: 0, to: items.count, by: 2) {
            let (key, value) = (items[i], items[i + 1])
            guard let hashKey = key.hashKey else { throw fail("unhashable dict key of type \(key.typeName)") }
            guard !value.isSameContainer(as: target) else { throw fail("a dict cannot contain itself") }
            dict.depth = try depthAfterNesting(value, in: dict.depth)
            dict.depth = try depthAfterNesting(key, in: dict.depth)
            value.freeze()
            if let existing = dict.index[hashKey] {
                dict.values[existing] = value
            } else {
                dict.index[hashKey] = dict.keys.count
                dict.keys.append(key)
                dict.values.append(value)
            }
        }
    }

    private mutating func text(_ count: Int) throws -> String {
        let raw = try reader.take(count, "string of \(count) bytes")
        guard let s = String(validating: raw, as: UTF8.self) else { throw fail("string is not valid UTF-8") }
        return s
    }

    private mutating func length64(_ what: String) throws -> Int {
        let n = try reader.le(UInt64.self, what)
        guard n <= UInt64(reader.remaining) else {
            throw WeightsError.truncated(format: "pickle", what: "\(what) of \(n) bytes at byte \(opOffset)", needed: n > UInt64(Int.max) ? Int.max : Int(n), available: reader.remaining)
        }
        return Int(n)
    }

    private mutating func line() throws -> String {
        var bytes: [UInt8] = []
        while true {
            let b = try reader.u8("GLOBAL name line")
            if b == 0x0A { break }
            guard bytes.count < limits.maxGlobalLine else { throw WeightsError.limitExceeded(what: "GLOBAL name length", limit: limits.maxGlobalLine) }
            bytes.append(b)
        }
        guard let s = String(validating: bytes, as: UTF8.self) else { throw fail("GLOBAL name is not valid UTF-8") }
        return s
    }

    private func global(module: String, name: String) throws -> PickleValue {
        guard let g = TorchGlobal(module: module, name: name) else {
            throw WeightsError.forbiddenGlobal(module: String(module.prefix(100)), name: String(name.prefix(100)), offset: opOffset)
        }
        return .global(g, "\(module).\(name)")
    }

    private mutating func memoKey(_ index: Int) throws -> PickleValue {
        guard let value = memo[index] else { throw fail("memo entry \(index) was never stored") }
        return value
    }

    private mutating func memoize(_ index: Int) throws {
        guard let top = stack.last else { throw fail("memoize with an empty stack") }
        memo[index] = top
    }

    private func signedLittleEndian(_ raw: UnsafeRawBufferPointer) throws -> Int {
        guard !raw.isEmpty else { return 0 }
        let negative = raw[raw.count - 1] & 0x80 != 0
        // Bytes beyond the 8th must be pure sign extension.
        for i in min(8, raw.count)..<raw.count where raw[i] != (negative ? 0xFF : 0x00) {
            throw fail("integer of \(raw.count) bytes does not fit in 64 bits")
        }
        var value: UInt64 = negative ? ~0 : 0
        for i in 0..<min(8, raw.count) {
            value &= ~(UInt64(0xFF) << (8 * i))
            value |= UInt64(raw[i]) << (8 * i)
        }
        if raw.count >= 8, (Int64(bitPattern: value) < 0) != negative {
            throw fail("integer of \(raw.count) bytes does not fit in 64 bits")
        }
        return Int(Int64(bitPattern: value))
    }

    private mutating func step(_ op: UInt8) throws {
        switch op {
        case 0x80:  // PROTO
            let version = try reader.u8("PROTO version")
            guard version <= 5 else { throw fail("unsupported pickle protocol \(version)") }
        case 0x95:  // FRAME
            _ = try length64("FRAME")
        case 0x28:  // MARK
            guard marks.count < limits.maxMarks else { throw WeightsError.limitExceeded(what: "pickle MARK nesting", limit: limits.maxMarks) }
            marks.append(stack.count)
        case 0x30: _ = try pop()  // POP
        case 0x31: _ = try popToMark()  // POP_MARK
        case 0x32:  // DUP
            guard let top = stack.last else { throw fail("DUP with an empty stack") }
            try push(top)
        case 0x4E: try push(.none)  // NONE
        case 0x88: try push(.bool(true))  // NEWTRUE
        case 0x89: try push(.bool(false))  // NEWFALSE
        case 0x4A: try push(.int(Int(try reader.le(Int32.self, "BININT"))))
        case 0x4B: try push(.int(Int(try reader.u8("BININT1"))))
        case 0x4D: try push(.int(Int(try reader.le(UInt16.self, "BININT2"))))
        case 0x8A:  // LONG1
            let n = Int(try reader.u8("LONG1 length"))
            try push(.int(try signedLittleEndian(try reader.take(n, "LONG1 bytes"))))
        case 0x8B:  // LONG4
            let n = Int(try reader.le(Int32.self, "LONG4 length"))
            guard n >= 0 else { throw fail("LONG4 with negative length") }
            try push(.int(try signedLittleEndian(try reader.take(n, "LONG4 bytes"))))
        case 0x47: try push(.float(try reader.f64be("BINFLOAT")))  // BINFLOAT
        case 0x58: try push(.string(try text(Int(try reader.le(UInt32.self, "BINUNICODE length")))))
        case 0x8C: try push(.string(try text(Int(try reader.u8("SHORT_BINUNICODE length")))))
        case 0x8D: try push(.string(try text(try length64("BINUNICODE8"))))
        case 0x42: try push(.bytes(try reader.take(Int(try reader.le(UInt32.self, "BINBYTES length")), "BINBYTES").count))
        case 0x43: try push(.bytes(try reader.take(Int(try reader.u8("SHORT_BINBYTES length")), "SHORT_BINBYTES").count))
        case 0x8E: try push(.bytes(try reader.take(try length64("BINBYTES8"), "BINBYTES8").count))
        case 0x29: try push(try makeTuple([]))  // EMPTY_TUPLE
        case 0x85: let a = try pop(); try push(try makeTuple([a]))  // TUPLE1
        case 0x86: let b = try pop(), a = try pop(); try push(try makeTuple([a, b]))  // TUPLE2
        case 0x87: let c = try pop(), b = try pop(), a = try pop(); try push(try makeTuple([a, b, c]))  // TUPLE3
        case 0x74: try push(try makeTuple(try popToMark()))  // TUPLE
        case 0x5D: try push(.list(PickleList()))  // EMPTY_LIST
        case 0x7D: try push(.dict(PickleDict()))  // EMPTY_DICT
        case 0x6C:  // LIST
            let items = try popToMark()
            let list = PickleValue.list(PickleList())
            try append(items, to: list)
            try push(list)
        case 0x64:  // DICT
            let items = try popToMark()
            let dict = PickleValue.dict(PickleDict())
            try setItems(items, in: dict)
            try push(dict)
        case 0x61:  // APPEND
            let item = try pop()
            guard let target = stack.last else { throw fail("APPEND with no list") }
            try append([item], to: target)
        case 0x65:  // APPENDS
            let items = try popToMark()
            guard let target = stack.last else { throw fail("APPENDS with no list") }
            try append(items, to: target)
        case 0x73:  // SETITEM
            let value = try pop(), key = try pop()
            guard let target = stack.last else { throw fail("SETITEM with no dict") }
            try setItems([key, value], in: target)
        case 0x75:  // SETITEMS
            let items = try popToMark()
            guard let target = stack.last else { throw fail("SETITEMS with no dict") }
            try setItems(items, in: target)
        case 0x71: try memoize(Int(try reader.u8("BINPUT index")))
        case 0x72: try memoize(Int(try reader.le(UInt32.self, "LONG_BINPUT index")))
        case 0x94: try memoize(memo.count)  // MEMOIZE
        case 0x68: try push(try memoKey(Int(try reader.u8("BINGET index"))))
        case 0x6A: try push(try memoKey(Int(try reader.le(UInt32.self, "LONG_BINGET index"))))
        case 0x63:  // GLOBAL
            let module = try line()
            let name = try line()
            try push(try global(module: module, name: name))
        case 0x93:  // STACK_GLOBAL
            let name = try pop(), module = try pop()
            guard case let .string(n) = name, case let .string(m) = module else {
                throw fail("STACK_GLOBAL needs two strings, found \(module.typeName) and \(name.typeName)")
            }
            try push(try global(module: m, name: n))
        case 0x52, 0x81:  // REDUCE, NEWOBJ
            let args = try pop(), callable = try pop()
            guard case let .global(g, name) = callable else { throw fail("call of a \(callable.typeName), expected an allowed global") }
            guard case let .tuple(t) = args else { throw fail("arguments of \(name) are a \(args.typeName), expected a tuple") }
            if op == 0x81, g != .orderedDict { throw fail("NEWOBJ of \(name) is not allowed") }
            try push(try resolver.call(g, name: name, args: t.items, offset: opOffset))
        case 0x62:  // BUILD
            let state = try pop()
            guard let target = stack.last else { throw fail("BUILD with an empty stack") }
            guard case .dict = target else { throw fail("BUILD on a \(target.typeName) is not allowed (only state-dict metadata on dicts)") }
            state.freeze()  // the state (e.g. `_metadata`) is ignored
        case 0x51:  // BINPERSID
            let pid = try pop()
            try push(try resolver.persistentLoad(pid, offset: opOffset))
        default:
            throw WeightsError.unknownOpcode(opcode: op, offset: opOffset)
        }
    }
}
