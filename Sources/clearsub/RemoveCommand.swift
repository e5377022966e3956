// PLACEHOLDER owned by a helper; replaced before landing.
import ArgumentParser
struct RemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove")
    func run() throws { throw ValidationError("not yet implemented") }
}
