// PLACEHOLDER owned by a helper; replaced before landing.
import ArgumentParser
struct BenchOpsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ops")
    func run() throws { throw ValidationError("not yet implemented") }
}
