// PLACEHOLDER owned by a helper; replaced before landing.
import ArgumentParser
struct BenchIOCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "io")
    func run() throws { throw ValidationError("not yet implemented") }
}
