// PLACEHOLDER owned by a helper; replaced before landing.
import ArgumentParser
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval")
    func run() throws { throw ValidationError("not yet implemented") }
}
