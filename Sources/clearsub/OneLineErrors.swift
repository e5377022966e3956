// Entry point wrapper: every failure is reported as ONE line on stderr ("clearsub: error: …") with a
// non-zero exit status, never a usage dump or a crash trace. Help and --version keep
// ArgumentParser's normal output.
import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension ClearSub {
    static func main() {
        OpenMPSpin.relaunchIfUnset()   // libgomp's idle spinning, set before it loads (OpenMPSpin.swift)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }      // --help, --version
            if error is ExitCode { Foundation.exit(code.rawValue) }  // already reported
            CLIOutput.errorLine(message(for: error))
            Foundation.exit(code.rawValue)
        }
        Foundation.exit(0)
    }
}

enum CLIOutput {
    /// Writes "clearsub: error: MESSAGE" as a single line on stderr.
    static func errorLine(_ message: String) {
        line("error: " + flatten(message))
    }

    static func warningLine(_ message: String) {
        line("warning: " + flatten(message))
    }

    static func line(_ text: String) {
        FileHandle.standardError.write(Data("clearsub: \(text)\n".utf8))
    }

    /// Joins a multi-line message into one line, dropping ArgumentParser's "Error: " prefix.
    static func flatten(_ message: String) -> String {
        var m = message.trimmingCharacters(in: .whitespacesAndNewlines)
        if m.hasPrefix("Error: ") { m.removeFirst("Error: ".count) }
        return m.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: "; ")
    }
}
