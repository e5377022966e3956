// `clearsub weights …` (shared/design.md §1.2, §2 Weights layer): inspect weight files without executing
// any code from them. Errors are one line on stderr and exit status 1, never a crash trace.
import ArgumentParser
import ClearWeights
import Foundation

struct WeightsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weights",
        abstract: "Inspect weight files (.safetensors, .safetensors.index.json, shard directories, torch .pt/.pth).",
        subcommands: [WeightsInspectCommand.self]
    )
}

struct WeightsInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List every tensor's key, dtype and shape, with the total parameter count and bytes."
    )

    @Argument(help: "A .safetensors file, a .safetensors.index.json, a directory of shards, or a torch .pt/.pth file.")
    var file: String

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        do {
            let weights = try WeightFile.open(file)
            print(json ? try jsonReport(weights) : tableReport(weights))
        } catch {
            // One line, whatever a hostile file put into key names.
            let message = ((error as? WeightsError)?.description ?? String(describing: error))
                .unicodeScalars.map { $0.properties.generalCategory == .control ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
            FileHandle.standardError.write(Data("clearsub weights inspect: error: \(message)\n".utf8))
            throw ExitCode(1)
        }
    }

    private func shapeText(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }

    private func tableReport(_ weights: WeightFile) -> String {
        let keyWidth = min(100, weights.tensors.map(\.key.count).max() ?? 3)
        var lines: [String] = []
        lines.append("key".padding(toLength: keyWidth, withPad: " ", startingAt: 0) + "  dtype  shape")
        for t in weights.tensors {
            let key = t.key.count < keyWidth ? t.key.padding(toLength: keyWidth, withPad: " ", startingAt: 0) : t.key
            lines.append(key + "  " + t.dtype.safetensorsName.padding(toLength: 5, withPad: " ", startingAt: 0) + "  " + shapeText(t.shape))
        }
        let parameters = weights.tensors.reduce(0) { $0 + $1.count }
        let bytes = weights.tensors.reduce(0) { $0 + $1.byteCount }
        lines.append("\(weights.tensors.count) tensors, \(parameters) parameters, \(bytes) bytes (\(weights.format.rawValue))")
        for (key, value) in weights.root?.scalars() ?? [] { lines.append("non-tensor \(key) = \(value)") }
        for key in weights.metadata.keys.sorted() { lines.append("metadata \(key) = \(weights.metadata[key]!)") }
        return lines.joined(separator: "\n")
    }

    private func jsonReport(_ weights: WeightFile) throws -> String {
        let tensors: [[String: Any]] = weights.tensors.map {
            ["key": $0.key, "dtype": $0.dtype.safetensorsName, "shape": $0.shape, "parameters": $0.count, "bytes": $0.byteCount]
        }
        var scalars: [String: String] = [:]
        for (key, value) in weights.root?.scalars() ?? [] { scalars[key] = value }
        let report: [String: Any] = [
            "path": weights.path,
            "format": weights.format.rawValue,
            "tensors": tensors,
            "tensor_count": tensors.count,
            "parameters": weights.tensors.reduce(0) { $0 + $1.count },
            "bytes": weights.tensors.reduce(0) { $0 + $1.byteCount },
            "metadata": weights.metadata,
            "non_tensors": scalars,
        ]
        let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
