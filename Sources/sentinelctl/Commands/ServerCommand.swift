import Foundation
import ArgumentParser
import SentinelCore

struct ServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server", abstract: "Manage upstream MCP servers.",
        subcommands: [Add.self, List.self, Show.self, Update.self, Remove.self, Tools.self, Refresh.self])

    /// Parses repeated `KEY=VALUE` options.
    static func environment(_ assignments: [String]) throws -> [String: String] {
        var result: [String: String] = [:]
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                throw CLIError(message: "--env expects KEY=VALUE, got '\(assignment)'", exitCode: 64)
            }
            result[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
        }
        return result
    }

    /// Reads `Name: value` header lines from standard input (secrets never go on the command line).
    static func headersFromStandardInput() throws -> [String: String] {
        var headers: [String: String] = [:]
        while let line = readLine(strippingNewline: true) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                throw CLIError(message: "expected 'Name: value' header lines on standard input", exitCode: 64)
            }
            headers[String(line[..<colon]).trimmingCharacters(in: .whitespaces)] =
                String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        guard !headers.isEmpty else { throw CLIError(message: "no header lines on standard input", exitCode: 64) }
        return headers
    }

    static func printServers(_ servers: [JSONValue]) {
        Output.table(
            ["name", "transport", "target", "mode", "tools", "endpoints", "state"],
            servers.map { server in
                let target = server["transport"]?.stringValue == "http"
                    ? Output.text(server["url"]) : (server["command"]?.arrayValue?.compactMap(\.stringValue).joined(separator: " ") ?? "-")
                let state = server["last_error"]?.stringValue.map { "error: \($0)" }
                    ?? (server["refreshed"]?.isNull == false ? "ok" : "not refreshed")
                return [
                    Output.text(server["name"]), Output.text(server["transport"]), target,
                    Output.text(server["credential_mode"]), Output.text(server["tool_count"]),
                    Output.text(server["endpoints"]), state,
                ]
            })
    }

    static func printServer(_ server: JSONValue) {
        Output.fields([
            ("Name", Output.text(server["name"])),
            ("Transport", Output.text(server["transport"])),
            ("Description", Output.text(server["description"])),
            ("Command", server["command"]?.arrayValue?.compactMap(\.stringValue).joined(separator: " ").nonEmpty ?? "-"),
            ("Environment", server["environment"]?.objectValue?.keys.sorted().joined(separator: ", ").nonEmpty ?? "-"),
            ("Working dir", Output.text(server["working_directory"])),
            ("URL", Output.text(server["url"])),
            ("Headers", Output.text(server["header_names"])),
            ("Credentials", Output.text(server["credential_mode"])),
            ("Timeouts", "connect \(Output.text(server["connect_timeout"])) s, call \(Output.text(server["call_timeout"])) s"),
            ("Tools", Output.text(server["tool_count"])),
            ("Endpoints", Output.text(server["endpoints"])),
            ("Refreshed", Output.text(server["refreshed"])),
            ("Last error", Output.text(server["last_error"])),
            ("Created", Output.text(server["created"])),
            ("Updated", Output.text(server["updated"])),
        ])
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a server: a stdio command after --, or a Streamable HTTP --url.",
            discussion: """
                Examples:
                  sentinelctl server add time -- uvx mcp-server-time
                  sentinelctl server add docs --url https://mcp.example.org/mcp
                """)

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Server name: lower-case letters, digits and '-'.") var name: String
        @Option(help: "Streamable HTTP URL of a remote server.") var url: String?
        @Flag(name: .customLong("headers-stdin"), help: "Read static headers for an http server ('Name: value' lines, e.g. Authorization) from standard input; they are stored encrypted.")
        var headersFromStdin = false
        @Option(help: "What the server is for.") var description: String?
        @Option(name: .customLong("env"), help: ArgumentHelp("Environment for a stdio server (repeatable).", valueName: "KEY=VALUE"))
        var environment: [String] = []
        @Option(name: .customLong("working-directory"), help: "Working directory of a stdio server.") var workingDirectory: String?
        @Option(name: .customLong("credential-mode"), help: "none, shared or personal.") var credentialMode: String?
        @Option(name: .customLong("connect-timeout"), help: "Seconds to connect and initialize.") var connectTimeout: Int?
        @Option(name: .customLong("call-timeout"), help: "Seconds allowed per tool call.") var callTimeout: Int?
        @Argument(parsing: .postTerminator, help: "The stdio command and its arguments, after --.") var command: [String] = []

        func validate() throws {
            if url == nil && command.isEmpty { throw ValidationError("give a command after -- or --url") }
            if url != nil && !command.isEmpty { throw ValidationError("give either a command after -- or --url, not both") }
        }

        func run() throws {
            var spec: [String: JSONValue] = [
                "name": .string(name), "transport": .string(url == nil ? "stdio" : "http"),
                "description": JSONValue(description), "url": JSONValue(url),
                "working_directory": JSONValue(workingDirectory), "credential_mode": JSONValue(credentialMode),
                "connect_timeout": JSONValue(connectTimeout), "call_timeout": JSONValue(callTimeout),
            ]
            if !command.isEmpty { spec["command"] = JSONValue(command) }
            if !environment.isEmpty { spec["environment"] = JSONValue(try ServerCommand.environment(environment)) }
            if headersFromStdin { spec["headers"] = JSONValue(try ServerCommand.headersFromStandardInput()) }
            let reply = try connection.connect().call("AddServer", ["server": .object(spec.filter { !$0.value.isNull })])
            if connection.json { return Output.json(reply["server"] ?? .null) }
            ServerCommand.printServer(reply["server"] ?? .null)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List servers.")
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            let servers = try connection.connect().call("ListServers")["servers"]?.arrayValue ?? []
            if connection.json { return Output.json(.array(servers)) }
            ServerCommand.printServers(servers)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one server.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var name: String

        func run() throws {
            let server = try connection.connect().call("GetServer", ["name": .string(name)])["server"] ?? .null
            if connection.json { return Output.json(server) }
            ServerCommand.printServer(server)
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a server; options not given keep their value.",
            discussion: "A new stdio command goes after --; --env replaces the whole environment.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var name: String
        @Option var url: String?
        @Option var description: String?
        @Option(name: .customLong("env"), help: ArgumentHelp("Replace the environment (repeatable).", valueName: "KEY=VALUE"))
        var environment: [String] = []
        @Flag(name: .customLong("clear-env"), help: "Remove every environment variable.") var clearEnvironment = false
        @Flag(name: .customLong("headers-stdin"), help: "Replace the static headers with 'Name: value' lines from standard input.")
        var headersFromStdin = false
        @Flag(name: .customLong("clear-headers"), help: "Remove every static header.") var clearHeaders = false
        @Option(name: .customLong("working-directory"), help: "Working directory; empty to clear.") var workingDirectory: String?
        @Option(name: .customLong("credential-mode")) var credentialMode: String?
        @Option(name: .customLong("connect-timeout")) var connectTimeout: Int?
        @Option(name: .customLong("call-timeout")) var callTimeout: Int?
        @Argument(parsing: .postTerminator) var command: [String] = []

        func run() throws {
            var changes: [String: JSONValue] = [
                "url": JSONValue(url), "description": JSONValue(description), "working_directory": JSONValue(workingDirectory),
                "credential_mode": JSONValue(credentialMode), "connect_timeout": JSONValue(connectTimeout),
                "call_timeout": JSONValue(callTimeout),
            ]
            if !command.isEmpty { changes["command"] = JSONValue(command) }
            if clearEnvironment { changes["environment"] = .object([:]) }
            if !environment.isEmpty { changes["environment"] = JSONValue(try ServerCommand.environment(environment)) }
            if clearHeaders { changes["headers"] = .object([:]) }
            if headersFromStdin { changes["headers"] = JSONValue(try ServerCommand.headersFromStandardInput()) }
            changes = changes.filter { !$0.value.isNull }
            guard !changes.isEmpty else { throw CLIError(message: "nothing to change; see sentinelctl server update --help", exitCode: 64) }
            let server = try connection.connect().call("UpdateServer", ["name": .string(name), "changes": .object(changes)])["server"] ?? .null
            if connection.json { return Output.json(server) }
            ServerCommand.printServer(server)
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a server and its catalog.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var name: String
        @Flag(help: "Also detach it from every endpoint that uses it.") var force = false

        func run() throws {
            let reply = try connection.connect().call("RemoveServer", ["name": .string(name), "force": .bool(force)])
            if connection.json { return Output.json(.object(reply)) }
            let detached = reply["detached_from"]?.arrayValue?.compactMap(\.stringValue) ?? []
            print(detached.isEmpty ? "Removed server \(name)." : "Removed server \(name); detached from \(detached.joined(separator: ", ")).")
        }
    }

    struct Refresh: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect to a server now and refresh its cached tool catalog.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var name: String

        func run() throws {
            let server = try connection.connect().call("RefreshServer", ["name": .string(name)])["server"] ?? .null
            if connection.json { return Output.json(server) }
            if let error = server["last_error"]?.stringValue {
                throw CLIError(message: "refreshing \(name) failed: \(error)")
            }
            print("Refreshed \(name): \(Output.text(server["tool_count"])) tool(s).")
        }
    }

    struct Tools: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a server's cached tool catalog.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var name: String

        func run() throws {
            let tools = try connection.connect().call("ListServerTools", ["name": .string(name)])["tools"]?.arrayValue ?? []
            if connection.json { return Output.json(.array(tools)) }
            Output.table(
                ["tool", "title", "description"],
                tools.map { tool in
                    let description = Output.text(tool["description"]).split(separator: "\n").first.map(String.init) ?? "-"
                    return [Output.text(tool["name"]), Output.text(tool["title"]), String(description.prefix(70))]
                })
        }
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
