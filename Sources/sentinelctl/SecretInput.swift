import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reads secrets from a terminal prompt (without echo) or from standard input, never from argv.
enum SecretInput {
    static func read(prompt: String, confirm: Bool) throws -> String {
        if isatty(STDIN_FILENO) != 0 {
            let first = try promptHidden(prompt)
            if confirm {
                let second = try promptHidden("Retype " + prompt.lowercased())
                guard first == second else { throw CLIError(message: "the two entries differ") }
            }
            return first
        }
        guard let line = Swift.readLine(strippingNewline: true) else {
            throw CLIError(message: "expected the secret on standard input")
        }
        return line
    }

    private static func promptHidden(_ prompt: String) throws -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = Swift.readLine(strippingNewline: true) else { throw CLIError(message: "no input") }
        return line
    }
}
