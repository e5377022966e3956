// `clearsub eval-table MANIFEST [--output table.md]`: gathers `clearsub eval --json` results into the
// validation table of the lite engine (issue 4; tools/validate_lite.sh). The manifest format and
// the table are described in ClearMetrics/ValidationTable.swift. Errors: one line, exit status 1.
import ArgumentParser
import ClearMetrics
import Foundation

struct EvalTableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-table",
        abstract: "Build a Markdown table (per clip, per kind of clip, scene-text check) from `clearsub eval --json` results.",
        discussion: """
        MANIFEST: one line per result, tab-separated KIND, CLIP LABEL, METHOD, JSON FILE; KIND is \
        subtitled, clean or scene-text; relative JSON paths are taken from the manifest's folder. \
        Means are taken per kind and method over the values present. The scene-text check compares \
        each method's psnr_region with the baseline method's on the same clip (within 1 dB: survives).
        """)

    @Argument(help: "The manifest (tab-separated lines: KIND CLIP METHOD JSON).")
    var manifest: String

    @Option(help: ArgumentHelp("Write the table to this file as well as stdout.", valueName: "FILE"))
    var output: String?

    @Option(help: "The method the scene-text check compares against.")
    var baselineMethod = "input"

    func run() throws {
        guard let data = FileManager.default.contents(atPath: manifest) else {
            throw EvalTableError.manifestUnreadable(manifest)
        }
        let directory = URL(fileURLWithPath: manifest).deletingLastPathComponent()
        let table = try ValidationTable(manifest: String(decoding: data, as: UTF8.self), directory: directory,
                                        baselineMethod: baselineMethod)
        let text = table.markdown
        if let output {
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw EvalTableError.outputNotWritable(output)
            }
        }
        print(text, terminator: "")
    }
}

enum EvalTableError: Error, CustomStringConvertible {
    case manifestUnreadable(String)
    case outputNotWritable(String)

    var description: String {
        switch self {
        case .manifestUnreadable(let p):
            return "manifest \(p) cannot be read; check the path (tools/validate_lite.sh writes OUT_DIR/manifest.tsv)"
        case .outputNotWritable(let p):
            return "--output \(p): cannot write the file; check that its folder exists and is writable"
        }
    }
}
