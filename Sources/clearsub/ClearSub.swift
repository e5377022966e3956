// The `clearsub` command line: one subcommand per verb (shared/design.md §1).
import ArgumentParser

@main
struct ClearSub: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clearsub",
        abstract: "Mask-free video subtitle removal (CLEAR, arXiv 2603.21901) on a plain CPU.",
        subcommands: [
            RemoveCommand.self,
            SynthCommand.self,
            EvalCommand.self,
            EvalTableCommand.self,
            BaselineCommand.self,
            WeightsCommand.self,
            BenchCommand.self,
            TrainCommand.self,
        ]
    )
}

/// `clearsub bench …`: opt-in benchmarks (never part of the tests).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks; each prints a table, or JSON with --json.",
        subcommands: [BenchOpsCommand.self, BenchIOCommand.self, BenchDiTCommand.self, BenchLiteCommand.self, BenchWanCommand.self]
    )
}
