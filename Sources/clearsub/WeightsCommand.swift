// PLACEHOLDER owned by a helper; replaced before landing.
import ArgumentParser
struct WeightsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "weights")
    func run() throws { throw ValidationError("not yet implemented") }
}
