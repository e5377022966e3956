// Maps engine names to factories. The CLI offers only engines registered here; an engine target
// registers itself by adding one `EngineDescriptor` to the list the executable passes in.
import Foundation

/// How to make one engine.
public struct EngineDescriptor: Sendable {
    public let name: String
    public let summary: String
    public let make: @Sendable (EngineOptions) throws -> any RemovalEngine

    public init(name: String, summary: String, make: @escaping @Sendable (EngineOptions) throws -> any RemovalEngine) {
        self.name = name
        self.summary = summary
        self.make = make
    }
}

public struct EngineRegistry: Sendable {
    public let installed: [EngineDescriptor]
    /// Said in the error when nothing is installed (e.g. when the first engine is due).
    public let emptyHint: String

    /// Engines known but switched off, by name, with how to switch them on.
    public let disabled: [String: String]

    public init(installed: [EngineDescriptor], emptyHint: String = "this build has no engine", disabled: [String: String] = [:]) {
        self.installed = installed
        self.emptyHint = emptyHint
        self.disabled = disabled
    }

    public var names: [String] { installed.map(\.name) }

    /// The descriptor for `name`, or a one-line error naming what is available.
    public func descriptor(named name: String) throws -> EngineDescriptor {
        if let hint = disabled[name], !installed.contains(where: { $0.name == name }) {
            throw PipelineError.engineDisabled(name, hint: hint)
        }
        if installed.isEmpty { throw PipelineError.noEngineInstalled(hint: emptyHint) }
        guard let d = installed.first(where: { $0.name == name }) else {
            throw PipelineError.engineNotInstalled(name, available: names)
        }
        return d
    }

    /// Creates the engine `name` with `options`.
    public func makeEngine(named name: String, options: EngineOptions) throws -> any RemovalEngine {
        try descriptor(named: name).make(options)
    }
}
