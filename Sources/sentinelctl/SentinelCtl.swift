import ArgumentParser
import Foundation
import SentinelCore

/// `sentinelctl`: manage a running sentineld over its varlink control socket.
@main
struct SentinelCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sentinelctl",
        abstract: "Manage the Sentinel MCP gateway.",
        discussion: """
            Talks to sentineld over the io.sentinel.Manager varlink socket. Needs root, the \
            daemon's user, or membership in the control group (default "sentinel"). Prints \
            tables for people and JSON with --json. Exits 0 on success and non-zero with a \
            one-line error otherwise.
            """,
        version: SentinelVersion.current,
        subcommands: [
            StatusCommand.self, ServerCommand.self, EndpointCommand.self, UserCommand.self, SessionCommand.self,
            KeyCommand.self, LogsCommand.self, WatchCommand.self,
        ])

    /// Parses and runs, turning every failure into one line on stderr and an exit code.
    static func main() {
        do {
            var command = try parseAsRoot(hoistingGlobalOptions(Array(CommandLine.arguments.dropFirst())))
            try command.run()
        } catch let error as CLIError {
            fail(error.message, code: error.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // --help and --version print to stdout and exit 0.
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
            fail(message, code: code.rawValue)
        }
        Foundation.exit(0)
    }

    /// Moves `--json` and `--address` given before the subcommand to after it, so that
    /// `sentinelctl --json server list` works like `sentinelctl server list --json`.
    static func hoistingGlobalOptions(_ arguments: [String]) -> [String] {
        var hoisted: [String] = []
        var rest: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--json" || argument.hasPrefix("--address=") {
                hoisted.append(argument)
            } else if argument == "--address", index + 1 < arguments.count {
                hoisted += [argument, arguments[index + 1]]
                index += 1
            } else {
                rest = Array(arguments[index...])
                break
            }
            index += 1
        }
        guard !hoisted.isEmpty else { return arguments }
        // Before an unknown word, the options are irrelevant: let the parser report the word.
        let names = configuration.subcommands.compactMap { $0.configuration.commandName }
        guard let first = rest.first, names.contains(first) else { return rest }
        if let terminator = rest.firstIndex(of: "--") {
            rest.insert(contentsOf: hoisted, at: terminator)
        } else {
            rest += hoisted
        }
        return rest
    }

    static func fail(_ message: String, code: Int32) -> Never {
        var text = message
        if text.hasPrefix("Error: ") { text.removeFirst(7) }
        FileHandle.standardError.write(Data("sentinelctl: \(text)\n".utf8))
        Foundation.exit(code == 0 ? 1 : code)
    }
}

/// Options every command that talks to the daemon takes.
struct ConnectionOptions: ParsableArguments {
    @Option(
        name: .customLong("address"),
        help: ArgumentHelp(
            "Control socket, unix:PATH (default: $SENTINEL_ADDRESS, else unix:/run/sentinel/io.sentinel.Manager).",
            valueName: "address"))
    var address: String?

    @Flag(name: .customLong("json"), help: "Print JSON instead of a table.")
    var json = false

    var resolvedAddress: String {
        address ?? ProcessInfo.processInfo.environment["SENTINEL_ADDRESS"] ?? "unix:/run/sentinel/io.sentinel.Manager"
    }

    func connect() throws -> ControlConnection {
        try ControlConnection(address: resolvedAddress)
    }
}
