import Foundation
import ArgumentParser
import SentinelControlAPI
import SentinelCore
import SentinelVarlink

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
        @Option(
            name: .customLong("credential-hint"),
            help: ArgumentHelp("One line shown to users where they connect: where to get a token. \"\" clears it.", valueName: "TEXT"))
        var credentialHint: String?
        @Option(name: .customLong("oauth-client-id"), help: "OAuth client id registered at the server's authorization server (else Sentinel registers itself).")
        var oauthClientID: String?
        @Flag(name: .customLong("oauth-client-secret-stdin"), help: "Read that client's secret from standard input; stored encrypted.")
        var oauthClientSecretFromStdin = false
        @Flag(name: .customLong("token-stdin"), help: "Shared mode: read the shared bearer token from standard input; stored encrypted.")
        var tokenFromStdin = false

        /// The credential settings of a ServerSpec or ServerChanges (`parameter`: `server` or `changes`, as an unknown
        /// value is reported); reads a secret from standard input when asked.
        func settings(headersFromStdin: Bool, parameter: String) throws -> ManagerAPI.ServerSettings {
            if [headersFromStdin, oauthClientSecretFromStdin, tokenFromStdin].filter({ $0 }).count > 1 {
                throw CLIError(message: "standard input can carry only one of --headers-stdin, --token-stdin and --oauth-client-secret-stdin", exitCode: 64)
            }
            var settings = ManagerAPI.ServerSettings(
                credentialMode: try credentialMode.map { try ServerCommand.value($0, CredentialMode.self, parameter: parameter + ".credential_mode") },
                credentialKind: try credentialKind.map { try ServerCommand.value($0, CredentialKind.self, parameter: parameter + ".credential_kind") },
                credentialEnv: credentialEnv, credentialHint: credentialHint, oauthClientID: oauthClientID)
            if oauthClientSecretFromStdin { settings.oauthClientSecret = try SecretInput.read(prompt: "OAuth client secret: ", confirm: false) }
            if tokenFromStdin { settings.token = try SecretInput.read(prompt: "Shared token: ", confirm: false) }
            return settings
        }
    }

    /// One of the interface's enumerations from an option; an unknown value is refused as the daemon would refuse it.
    static func value<Value: RawRepresentable>(_ text: String, _ type: Value.Type, parameter: String) throws -> Value
    where Value.RawValue == String {
        guard let value = Value(rawValue: text) else {
            throw CLIError(message: ControlConnection.explain(.invalidParameter(parameter)))
        }
        return value
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

    static func printServers(_ servers: [ManagerAPI.Server]) {
        Output.table(
            ["name", "transport", "target", "mode", "tools", "endpoints", "state"],
            servers.map { server in
                let target = server.transport == .http ? Output.text(server.url) : server.command.joined(separator: " ")
                let state = catalogState(server)
                return [
                    Output.text(server.name), Output.text(server.transport.rawValue), target,
                    Output.text(server.credentialMode.rawValue), Output.text(server.toolCount),
                    Output.text(server.endpoints), state,
                ]
            })
    }

    /// Where the server's catalog stands, in words; waiting for a credential is a state, not an error.
    static func catalogState(_ server: ManagerAPI.Server) -> String {
        switch server.catalogState {
        case .listed: "ok"
        case .notRefreshed: "not refreshed"
        case .waitingForCredential: "waiting for a credential"
        case .failed: "error: \(server.lastError ?? "unknown")"
        }
    }

    /// What the admin can do about a catalog that waits for a credential.
    static func waitingHint(_ server: ManagerAPI.Server) -> String {
        server.credentialMode == .personal
            ? "sentinelctl server login \(server.name), or the first user's" : "sentinelctl server login \(server.name)"
    }

    static func credentialSummary(_ server: ManagerAPI.Server) -> String {
        let kind = server.credentialKind == .oauth ? "OAuth sign-in" : "bearer token"
        var parts: [String]
        switch server.credentialMode {
        case .shared: parts = ["shared (\(kind)): \(Output.text(server.sharedCredential))"]
        case .personal:
            parts = ["personal (\(kind)): \(server.connectedUsers) user(s) connected"]
            if server.expiredUsers > 0 { parts.append("\(server.expiredUsers) expired") }
        case .none: parts = ["none"]
        }
        if let env = server.credentialEnv { parts.append("in $\(env)") }
        if let client = server.oauthClientID { parts.append("client \(client)") }
        return parts.joined(separator: ", ")
    }

    static func printServer(_ server: ManagerAPI.Server) {
        var fields: [(String, String)] = [
            ("Name", Output.text(server.name)),
            ("Transport", Output.text(server.transport.rawValue)),
            ("Description", Output.text(server.description)),
            ("Command", server.command.joined(separator: " ").nonEmpty ?? "-"),
            ("Environment", server.environment.keys.sorted().joined(separator: ", ").nonEmpty ?? "-"),
            ("Working dir", Output.text(server.workingDirectory)),
            ("URL", Output.text(server.url)),
            ("Headers", Output.text(server.headerNames)),
            ("Credentials", credentialSummary(server)),
        ]
        if server.credentialMode != .none { fields.append(("Credential hint", Output.text(server.credentialHint))) }
        if server.credentialMode == .personal { fields.append(("Catalog credential", Output.text(server.catalogCredential))) }
        let catalog = server.catalogState == .waitingForCredential
            ? "waiting for a credential (\(waitingHint(server)))" : catalogState(server)
        fields += [
            ("Timeouts", "connect \(server.connectTimeout) s, call \(server.callTimeout) s"),
            ("Tools", Output.text(server.toolCount)),
            ("Endpoints", Output.text(server.endpoints)),
            ("Catalog", catalog),
            ("Refreshed", Output.text(server.refreshed)),
            ("Last error", server.catalogState == .waitingForCredential ? "-" : Output.text(server.lastError)),
            ("Protocol faults", Output.text(server.protocolFaults)),
            ("Created", Output.text(server.created)),
            ("Updated", Output.text(server.updated)),
        ]
        Output.fields(fields)
    }

    /// Prints the server a reply carries: as sent with `--json`, else as fields.
    static func show(_ reply: ManagerAPI.ServerReply, raw: [String: JSONValue], json: Bool) {
        if json { return Output.json(raw["server"] ?? .null) }
        printServer(reply.server)
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
            var settings = try credentials.settings(headersFromStdin: headersFromStdin, parameter: "server")
            settings.description = description
            settings.url = url
            settings.workingDirectory = workingDirectory
            settings.connectTimeout = connectTimeout
            settings.callTimeout = callTimeout
            if !command.isEmpty { settings.command = command }
            if !environment.isEmpty { settings.environment = try ServerCommand.environment(environment) }
            if headersFromStdin { settings.headers = try ServerCommand.headersFromStandardInput() }
            let spec = ManagerAPI.ServerSpec(name: name, transport: url == nil ? .stdio : .http, settings: settings)
            let (reply, raw) = try connection.connect().call(ManagerAPI.AddServer.self, .init(server: spec))
            ServerCommand.show(reply, raw: raw, json: connection.json)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List servers.")
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            let (reply, raw) = try connection.connect().call(ManagerAPI.ListServers.self)
            if connection.json { return Output.json(raw["servers"] ?? []) }
            ServerCommand.printServers(reply.servers)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one server.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var name: String

        func run() throws {
            let (reply, raw) = try connection.connect().call(ManagerAPI.GetServer.self, .init(name: name))
            ServerCommand.show(reply, raw: raw, json: connection.json)
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
            var changes = try credentials.settings(headersFromStdin: headersFromStdin, parameter: "changes")
            changes.url = url
            changes.description = description
            changes.workingDirectory = workingDirectory
            changes.connectTimeout = connectTimeout
            changes.callTimeout = callTimeout
            if !command.isEmpty { changes.command = command }
            if clearEnvironment { changes.environment = [:] }
            if !environment.isEmpty { changes.environment = try ServerCommand.environment(environment) }
            if clearHeaders { changes.headers = [:] }
            if headersFromStdin { changes.headers = try ServerCommand.headersFromStandardInput() }
            guard changes != ManagerAPI.ServerChanges() else {
                throw CLIError(message: "nothing to change; see sentinelctl server update --help", exitCode: 64)
            }
            let (reply, raw) = try connection.connect().call(ManagerAPI.UpdateServer.self, .init(name: name, changes: changes))
            ServerCommand.show(reply, raw: raw, json: connection.json)
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a server and its catalog.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var name: String
        @Flag(help: "Also detach it from every endpoint that uses it.") var force = false

        func run() throws {
            let (reply, raw) = try connection.connect().call(ManagerAPI.RemoveServer.self, .init(name: name, force: force))
            if connection.json { return Output.json(.object(raw)) }
            let detached = reply.detachedFrom
            print(detached.isEmpty ? "Removed server \(name)." : "Removed server \(name); detached from \(detached.joined(separator: ", ")).")
        }
    }

    struct Refresh: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect to a server now and refresh its cached tool catalog.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var name: String

        func run() throws {
            let (reply, raw) = try connection.connect().call(ManagerAPI.RefreshServer.self, .init(name: name))
            if connection.json { return Output.json(raw["server"] ?? .null) }
            if reply.server.catalogState == .waitingForCredential {
                throw CLIError(message: "\(name) cannot list its tools yet: it waits for a credential (\(ServerCommand.waitingHint(reply.server)))")
            }
            if let error = reply.server.lastError {
                throw CLIError(message: "refreshing \(name) failed: \(error)")
            }
            print("Refreshed \(name): \(reply.server.toolCount) tool(s).")
        }
    }

    struct Login: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect a server's own credential: a shared server's, or a personal server's catalog credential.",
            discussion: """
                OAuth servers: prints the URL to open in a browser; the credential is stored (encrypted) when the \
                sign-in completes. Bearer servers: --token-stdin reads the token; it is stored encrypted and the \
                catalog is fetched with it at once. A shared server's credential serves every user's calls. A \
                personal server's catalog credential only lists its tools (so tools can be enabled before anyone \
                connects); each user's calls still carry their own credential.
                """)
        @OptionGroup var connection: ConnectionOptions
        @Argument var name: String
        @Flag(name: .customLong("token-stdin"), help: "Read a bearer token from standard input; stored encrypted.")
        var tokenFromStdin = false

        func run() throws {
            let token = tokenFromStdin ? try SecretInput.read(prompt: "Token: ", confirm: false) : nil
            let (reply, raw) = try connection.connect().call(ManagerAPI.LoginServer.self, .init(name: name, token: token))
            if connection.json { return Output.json(.object(raw)) }
            if let url = reply.url {
                print("Open this URL in a browser to sign in to \(name):\n\(url)")
            } else if let server = reply.server {
                let purpose = server.credentialMode == .personal ? "catalog credential" : "shared credential"
                if let error = server.lastError {
                    throw CLIError(message: "stored the \(purpose) of \(name), but listing its tools failed: \(error)")
                }
                print("Connected the \(purpose) of \(name): \(server.toolCount) tool(s) listed.")
            }
        }
    }

    struct Tools: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a server's cached tool catalog.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var name: String

        func run() throws {
            let (reply, raw) = try connection.connect().call(ManagerAPI.ListServerTools.self, .init(name: name))
            if connection.json { return Output.json(raw["tools"] ?? []) }
            Output.table(
                ["tool", "title", "description"],
                reply.tools.map { tool in
                    let description = Output.text(tool.description).split(separator: "\n").first.map(String.init) ?? "-"
                    return [Output.text(tool.name), Output.text(tool.title), String(description.prefix(70))]
                })
        }
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
