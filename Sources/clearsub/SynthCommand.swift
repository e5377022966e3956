// PLACEHOLDER owned by a helper; replaced before landing.
import ArgumentParser
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "synth")
    func run() throws { throw ValidationError("not yet implemented") }
}
