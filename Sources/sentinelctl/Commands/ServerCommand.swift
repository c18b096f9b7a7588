import Foundation
import ArgumentParser
import SentinelCore

struct ServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server", abstract: "Manage upstream MCP servers.",
        subcommands: [Add.self, List.self, Show.self, Update.self, Remove.self, Tools.self, Refresh.self, Login.self])

    /// How a shared or personal server's credential is obtained; shared by `add` and `update`.
    struct CredentialOptions: ParsableArguments {
        @Option(name: .customLong("credential-mode"), help: "none, shared (one credential for everyone) or personal (each user's own).")
        var credentialMode: String?
        @Option(name: .customLong("credential-kind"), help: "bearer (a pasted token) or oauth (sign in at the server).")
        var credentialKind: String?
        @Option(name: .customLong("credential-env"), help: ArgumentHelp("stdio: the environment variable that receives the credential.", valueName: "NAME"))
        var credentialEnv: String?
        @Option(name: .customLong("oauth-client-id"), help: "OAuth client id registered at the server's authorization server (else Sentinel registers itself).")
        var oauthClientID: String?
        @Flag(name: .customLong("oauth-client-secret-stdin"), help: "Read that client's secret from standard input; stored encrypted.")
        var oauthClientSecretFromStdin = false
        @Flag(name: .customLong("token-stdin"), help: "Shared mode: read the shared bearer token from standard input; stored encrypted.")
        var tokenFromStdin = false

        /// The fields for ServerSpec or ServerChanges; reads a secret from standard input when asked.
        func fields(headersFromStdin: Bool) throws -> [String: JSONValue] {
            if [headersFromStdin, oauthClientSecretFromStdin, tokenFromStdin].filter({ $0 }).count > 1 {
                throw CLIError(message: "standard input can carry only one of --headers-stdin, --token-stdin and --oauth-client-secret-stdin", exitCode: 64)
            }
            var fields: [String: JSONValue] = [
                "credential_mode": JSONValue(credentialMode), "credential_kind": JSONValue(credentialKind),
                "credential_env": JSONValue(credentialEnv), "oauth_client_id": JSONValue(oauthClientID),
            ]
            if oauthClientSecretFromStdin { fields["oauth_client_secret"] = .string(try SecretInput.read(prompt: "OAuth client secret: ", confirm: false)) }
            if tokenFromStdin { fields["token"] = .string(try SecretInput.read(prompt: "Shared token: ", confirm: false)) }
            return fields
        }
    }

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

    static func credentialSummary(_ server: JSONValue) -> String {
        let kind = server["credential_kind"]?.stringValue == "oauth" ? "OAuth sign-in" : "bearer token"
        var parts: [String]
        switch server["credential_mode"]?.stringValue {
        case "shared": parts = ["shared (\(kind)): \(Output.text(server["shared_credential"]))"]
        case "personal":
            parts = ["personal (\(kind)): \(Output.text(server["connected_users"])) user(s) connected"]
            if let expired = server["expired_users"]?.intValue, expired > 0 { parts.append("\(expired) expired") }
        default: parts = ["none"]
        }
        if let env = server["credential_env"]?.stringValue { parts.append("in $\(env)") }
        if let client = server["oauth_client_id"]?.stringValue { parts.append("client \(client)") }
        return parts.joined(separator: ", ")
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
            ("Credentials", credentialSummary(server)),
            ("Timeouts", "connect \(Output.text(server["connect_timeout"])) s, call \(Output.text(server["call_timeout"])) s"),
            ("Tools", Output.text(server["tool_count"])),
            ("Endpoints", Output.text(server["endpoints"])),
            ("Refreshed", Output.text(server["refreshed"])),
            ("Last error", Output.text(server["last_error"])),
            ("Protocol faults", Output.text(server["protocol_faults"])),
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
        @OptionGroup var credentials: CredentialOptions
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
                "working_directory": JSONValue(workingDirectory),
                "connect_timeout": JSONValue(connectTimeout), "call_timeout": JSONValue(callTimeout),
            ]
            spec.merge(try credentials.fields(headersFromStdin: headersFromStdin)) { $1 }
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
        @OptionGroup var credentials: CredentialOptions
        @Option(name: .customLong("connect-timeout")) var connectTimeout: Int?
        @Option(name: .customLong("call-timeout")) var callTimeout: Int?
        @Argument(parsing: .postTerminator) var command: [String] = []

        func run() throws {
            var changes: [String: JSONValue] = [
                "url": JSONValue(url), "description": JSONValue(description), "working_directory": JSONValue(workingDirectory),
                "connect_timeout": JSONValue(connectTimeout), "call_timeout": JSONValue(callTimeout),
            ]
            changes.merge(try credentials.fields(headersFromStdin: headersFromStdin)) { $1 }
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

    struct Login: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign in to a shared OAuth server: prints the URL to open in a browser.",
            discussion: "The shared credential is stored (encrypted) when the sign-in completes; every user's calls then use it.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var name: String

        func run() throws {
            let reply = try connection.connect().call("LoginServer", ["name": .string(name)])
            if connection.json { return Output.json(.object(reply)) }
            print("Open this URL in a browser to sign in to \(name):\n\(Output.text(reply["url"]))")
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
