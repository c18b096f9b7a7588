import ArgumentParser
import SentinelCore

struct EndpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "endpoint", abstract: "Manage endpoints and the tools they expose.",
        subcommands: [
            Create.self, List.self, Show.self, Update.self, Delete.self, Attach.self, Detach.self, Tools.self, Enable.self,
            Disable.self, Allow.self, Deny.self,
        ])

    static func printEndpoint(_ endpoint: JSONValue) {
        let auth = endpoint["auth"]?.stringValue == "none"
            ? "none: NO AUTHENTICATION, anyone who can reach the listener may call its tools" : "oauth (sign-in and grant required)"
        Output.fields([
            ("Name", Output.text(endpoint["name"])),
            ("URL", Output.text(endpoint["url"])),
            ("Description", Output.text(endpoint["description"])),
            ("Auth", auth),
            ("Access", accessSummary(endpoint)),
            ("Servers", Output.text(endpoint["servers"])),
            ("Tools", "\(Output.text(endpoint["enabled_tools"])) enabled of \(Output.text(endpoint["available_tools"]))"),
            ("Payload capture", Output.text(endpoint["capture_payloads"])),
            ("Created", Output.text(endpoint["created"])),
            ("Updated", Output.text(endpoint["updated"])),
        ])
    }

    static func accessSummary(_ endpoint: JSONValue) -> String {
        if endpoint["auth"]?.stringValue == "none" { return "everyone (no authentication)" }
        let users = endpoint["allowed_users"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let groups = endpoint["allowed_groups"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let parts = users.map { "user \($0)" } + groups.map { "group \($0)" }
        return parts.isEmpty ? "nobody yet (sentinelctl endpoint allow \(Output.text(endpoint["name"])) --user NAME)" : parts.joined(separator: ", ")
    }

    static func printSelections(_ selections: [JSONValue]) {
        Output.table(
            ["server", "tool", "exposed name", "state"],
            selections.map {
                [
                    Output.text($0["server"]), Output.text($0["tool"]), Output.text($0["exposed_name"]),
                    $0["enabled"]?.boolValue == true ? "enabled" : "disabled",
                ]
            })
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an endpoint; no tool is enabled until 'endpoint enable'.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Endpoint name; clients connect to <public-url>/mcp/<name>.") var name: String
        @Option var description: String?
        @Option(name: .customLong("server"), help: "Attach this server (repeatable).") var servers: [String] = []
        @Flag(name: .customLong("no-auth"), help: "Serve without authentication (only allowed on a loopback listener).")
        var noAuth = false
        @Flag(name: .customLong("capture-payloads"), help: "Copy tool arguments and results into the audit log.")
        var capturePayloads = false

        func run() throws {
            let endpoint = try connection.connect().call(
                "CreateEndpoint",
                [
                    "name": .string(name), "description": JSONValue(description), "servers": JSONValue(servers),
                    "auth": .string(noAuth ? "none" : "oauth"), "capture_payloads": .bool(capturePayloads),
                ])["endpoint"] ?? .null
            if connection.json { return Output.json(endpoint) }
            EndpointCommand.printEndpoint(endpoint)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List endpoints.")
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            let endpoints = try connection.connect().call("ListEndpoints")["endpoints"]?.arrayValue ?? []
            if connection.json { return Output.json(.array(endpoints)) }
            Output.table(
                ["name", "auth", "servers", "tools", "url"],
                endpoints.map {
                    [
                        Output.text($0["name"]), Output.text($0["auth"]), Output.text($0["servers"]),
                        "\(Output.text($0["enabled_tools"]))/\(Output.text($0["available_tools"]))", Output.text($0["url"]),
                    ]
                })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one endpoint.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var name: String

        func run() throws {
            let endpoint = try connection.connect().call("GetEndpoint", ["name": .string(name)])["endpoint"] ?? .null
            if connection.json { return Output.json(endpoint) }
            EndpointCommand.printEndpoint(endpoint)
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change an endpoint's description, auth or payload capture.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var name: String
        @Option var description: String?
        @Option(help: "oauth, or none (loopback listeners only).") var auth: String?
        @Option(name: .customLong("capture-payloads"), help: "true or false.") var capturePayloads: Bool?

        func run() throws {
            var changes: [String: JSONValue] = ["description": JSONValue(description), "auth": JSONValue(auth)]
            if let capturePayloads { changes["capture_payloads"] = .bool(capturePayloads) }
            changes = changes.filter { !$0.value.isNull }
            guard !changes.isEmpty else { throw CLIError(message: "nothing to change; see sentinelctl endpoint update --help", exitCode: 64) }
            let endpoint = try connection.connect().call("UpdateEndpoint", ["name": .string(name), "changes": .object(changes)])["endpoint"] ?? .null
            if connection.json { return Output.json(endpoint) }
            EndpointCommand.printEndpoint(endpoint)
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an endpoint with its tool selection and sessions.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var name: String

        func run() throws {
            _ = try connection.connect().call("DeleteEndpoint", ["name": .string(name)])
            if connection.json { return Output.json(.object([:])) }
            print("Deleted endpoint \(name).")
        }
    }

    struct Attach: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Attach a server to an endpoint (its tools start disabled).")
        @OptionGroup var connection: ConnectionOptions
        @Argument var endpoint: String
        @Argument var server: String

        func run() throws {
            let reply = try connection.connect().call("AttachServer", ["endpoint": .string(endpoint), "server": .string(server)])
            if connection.json { return Output.json(reply["endpoint"] ?? .null) }
            EndpointCommand.printEndpoint(reply["endpoint"] ?? .null)
        }
    }

    struct Detach: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Detach a server from an endpoint.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var endpoint: String
        @Argument var server: String

        func run() throws {
            let reply = try connection.connect().call("DetachServer", ["endpoint": .string(endpoint), "server": .string(server)])
            if connection.json { return Output.json(reply["endpoint"] ?? .null) }
            EndpointCommand.printEndpoint(reply["endpoint"] ?? .null)
        }
    }

    struct Tools: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show every tool of an endpoint's servers and whether it is enabled.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var endpoint: String

        func run() throws {
            let tools = try connection.connect().call("ListToolSelections", ["endpoint": .string(endpoint)])["tools"]?.arrayValue ?? []
            if connection.json { return Output.json(.array(tools)) }
            EndpointCommand.printSelections(tools)
        }
    }

    /// The arguments `enable` and `disable` share.
    struct ToolSelectionArguments: ParsableArguments {
        @OptionGroup var connection: ConnectionOptions
        @Argument var endpoint: String
        @Argument(help: "SERVER/TOOL names (or exposed names).") var tools: [String] = []
        @Option(name: .customLong("all"), help: ArgumentHelp("Every tool of this server (repeatable).", valueName: "server"))
        var servers: [String] = []

        func validate() throws {
            if tools.isEmpty && servers.isEmpty { throw ValidationError("name at least one SERVER/TOOL or --all SERVER") }
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enable tools on an endpoint.",
            discussion: """
                Name tools as SERVER/TOOL (or by exposed name); --all SERVER enables a server's whole catalog. \
                An enabled tool keeps the exposed name it was enabled under while it stays enabled: a tool that \
                appears later with a colliding name takes its hashed name instead.
                """)
        @OptionGroup var selection: ToolSelectionArguments

        func run() throws {
            try EndpointCommand.setTools(selection, method: "EnableTools", verb: "Enabled")
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable tools on an endpoint.",
            discussion: """
                Name tools as SERVER/TOOL (or by exposed name); --all SERVER disables a server's whole catalog. \
                Disabling releases the tool's exposed name; enabled again, it takes the name it would get then.
                """)
        @OptionGroup var selection: ToolSelectionArguments

        func run() throws {
            try EndpointCommand.setTools(selection, method: "DisableTools", verb: "Disabled")
        }
    }

    /// The arguments `allow` and `deny` share.
    struct AccessArguments: ParsableArguments {
        @OptionGroup var connection: ConnectionOptions
        @Argument var endpoint: String
        @Option(name: .customLong("user"), help: ArgumentHelp("A user (repeatable).", valueName: "name")) var users: [String] = []
        @Option(name: .customLong("group"), help: ArgumentHelp("A group (repeatable).", valueName: "name")) var groups: [String] = []

        func validate() throws {
            if users.isEmpty && groups.isEmpty { throw ValidationError("name at least one --user or --group") }
        }

        var parameters: [String: JSONValue] {
            ["endpoint": .string(endpoint), "users": JSONValue(users), "groups": JSONValue(groups)]
        }
    }

    struct Allow: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let users or groups authorize AI clients on an endpoint.",
            discussion: "An endpoint with auth oauth admits nobody until users or groups are allowed.")
        @OptionGroup var access: AccessArguments

        func run() throws {
            let reply = try access.connection.connect().call("AllowAccess", access.parameters)
            if access.connection.json { return Output.json(reply["endpoint"] ?? .null) }
            print("Access to \(access.endpoint): \(EndpointCommand.accessSummary(reply["endpoint"] ?? .null))")
        }
    }

    struct Deny: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take users or groups off an endpoint's access list.",
            discussion: "Sessions of users the list no longer admits are revoked at once.")
        @OptionGroup var access: AccessArguments

        func run() throws {
            let reply = try access.connection.connect().call("DenyAccess", access.parameters)
            if access.connection.json { return Output.json(.object(reply)) }
            let revoked = reply["revoked"]?.arrayValue?.count ?? 0
            print("Access to \(access.endpoint): \(EndpointCommand.accessSummary(reply["endpoint"] ?? .null)); \(revoked) session(s) revoked")
        }
    }

    static func setTools(_ selection: ToolSelectionArguments, method: String, verb: String) throws {
        let connection = selection.connection
        let endpoint = selection.endpoint
        let tools = selection.tools
        let servers = selection.servers
        let changed = try connection.connect().call(
            method, ["endpoint": .string(endpoint), "tools": JSONValue(tools), "all_of": JSONValue(servers)]
        )["changed"]?.arrayValue ?? []
        if connection.json { return Output.json(.array(changed)) }
        if changed.isEmpty {
            print("No change: already \(verb.lowercased()).")
        } else {
            print("\(verb) \(changed.count) tool(s) on \(endpoint): \(changed.map { Output.text($0["exposed_name"]) }.joined(separator: ", "))")
        }
    }
}
