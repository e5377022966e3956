// The output file names for one input (design §1.1): NAME_cleaned.mp4, NAME_comparison.mp4,
// NAME_source.mp4 in the output directory, and the conflict checks done before any work starts.
import Foundation

public struct OutputPlan: Sendable, Equatable {
    public let input: String
    public let outputDir: URL
    /// The input's file name without its extension.
    public let name: String
    public let createComparison: Bool
    public let copySource: Bool

    public init(input: String, outputDir: URL, createComparison: Bool, copySource: Bool) {
        self.input = input
        self.outputDir = outputDir
        self.name = URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent
        self.createComparison = createComparison
        self.copySource = copySource
    }

    public var cleaned: URL { outputDir.appendingPathComponent("\(name)_cleaned.mp4") }
    public var comparison: URL { outputDir.appendingPathComponent("\(name)_comparison.mp4") }
    public var source: URL { outputDir.appendingPathComponent("\(name)_source.mp4") }

    /// Every file this plan writes (timing_info.json aside, which is shared by all inputs).
    public var targets: [URL] {
        [cleaned] + (createComparison ? [comparison] : []) + (copySource ? [source] : [])
    }

    /// Checks, before any work, that no target exists (unless `overwrite`), that no target is an
    /// input, and that no two inputs write the same target.
    public static func checkConflicts(_ plans: [OutputPlan], overwrite: Bool) throws {
        let inputs = Set(plans.map { canonical($0.input) })
        var owner: [String: String] = [:]
        for plan in plans {
            for t in plan.targets {
                let key = canonical(t.path)
                if inputs.contains(key) { throw PipelineError.outputIsInput(t.path) }
                if let first = owner[key] {
                    throw PipelineError.duplicateOutputName(t.lastPathComponent, first: first, second: plan.input)
                }
                owner[key] = plan.input
                if !overwrite && FileManager.default.fileExists(atPath: t.path) {
                    throw PipelineError.outputExists(t.path)
                }
            }
        }
    }

    static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
