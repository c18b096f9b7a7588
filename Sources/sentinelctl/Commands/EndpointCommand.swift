import ArgumentParser
import SentinelControlAPI
import SentinelCore

struct EndpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "endpoint", abstract: "Manage endpoints and the tools, prompts and resources they expose.",
        subcommands: [
            Create.self, List.self, Show.self, Update.self, Delete.self, Attach.self, Detach.self, Tools.self, Prompts.self,
            Resources.self, Enable.self, Disable.self, Allow.self, Deny.self,
        ])

    static func printEndpoint(_ endpoint: ManagerAPI.Endpoint) {
        let auth = endpoint.auth == .none
            ? "none: NO AUTHENTICATION, anyone who can reach the listener may call its tools" : "oauth (sign-in and grant required)"
        Output.fields([
            ("Name", Output.text(endpoint.name)),
            ("URL", Output.text(endpoint.url)),
            ("Description", Output.text(endpoint.description)),
            ("Auth", auth),
            ("Access", accessSummary(endpoint)),
            ("Servers", Output.text(endpoint.servers)),
            ("Tools", "\(endpoint.enabledTools) enabled of \(endpoint.availableTools)"
                + (endpoint.awaitingTools > 0 ? ", \(endpoint.awaitingTools) more enabled ahead of the catalog" : "")),
            ("Prompts", "\(endpoint.enabledPrompts) enabled of \(endpoint.availablePrompts)"),
            ("Resource rules", endpoint.resourceRules == 0 ? "none" : "\(endpoint.resourceRules) (sentinelctl endpoint resources \(Output.text(endpoint.name)))"),
            ("Payload capture", Output.text(.bool(endpoint.capturePayloads))),
            ("Created", Output.text(endpoint.created)),
            ("Updated", Output.text(endpoint.updated)),
        ])
    }

    static func accessSummary(_ endpoint: ManagerAPI.Endpoint) -> String {
        if endpoint.auth == .none { return "everyone (no authentication)" }
        let parts = endpoint.allowedUsers.map { "user \($0)" } + endpoint.allowedGroups.map { "group \($0)" }
        return parts.isEmpty ? "nobody yet (sentinelctl endpoint allow \(Output.text(endpoint.name)) --user NAME)" : parts.joined(separator: ", ")
    }

    static func printSelections(_ selections: [ManagerAPI.ToolSelection]) {
        Output.table(
            ["server", "tool", "exposed name", "state"],
            selections.map {
                [
                    Output.text($0.server), Output.text($0.tool), Output.text($0.exposedName),
                    $0.enabled ? ($0.listed ? "enabled" : "enabled, not listed yet") : "disabled",
                ]
            })
    }

    /// Prints the endpoint a reply carries: as sent with `--json`, else as fields.
    static func show(_ reply: ManagerAPI.EndpointReply, raw: [String: JSONValue], json: Bool) {
        if json { return Output.json(raw["endpoint"] ?? .null) }
        printEndpoint(reply.endpoint)
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
            let (reply, raw) = try connection.connect().call(
                ManagerAPI.CreateEndpoint.self,
                .init(
                    name: name, description: description, servers: servers, auth: noAuth ? EndpointAuth.none : .oauth,
                    capturePayloads: capturePayloads))
            EndpointCommand.show(reply, raw: raw, json: connection.json)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List endpoints.")
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            let (reply, raw) = try connection.connect().call(ManagerAPI.ListEndpoints.self)
            if connection.json { return Output.json(raw["endpoints"] ?? []) }
            Output.table(
                ["name", "auth", "servers", "tools", "url"],
                reply.endpoints.map {
                    [
                        Output.text($0.name), Output.text($0.auth.rawValue), Output.text($0.servers),
                        "\($0.enabledTools)/\($0.availableTools)", Output.text($0.url),
                    ]
                })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one endpoint.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var name: String

        func run() throws {
            let (reply, raw) = try connection.connect().call(ManagerAPI.GetEndpoint.self, .init(name: name))
            EndpointCommand.show(reply, raw: raw, json: connection.json)
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
            guard description != nil || auth != nil || capturePayloads != nil else {
                throw CLIError(message: "nothing to change; see sentinelctl endpoint update --help", exitCode: 64)
            }
            // An unknown auth mode goes to the daemon as given, which names it in its refusal.
            var changes = try ManagerAPI.object(ManagerAPI.EndpointChanges(description: description, capturePayloads: capturePayloads))
            if let auth { changes["auth"] = .string(auth) }
            let connection = try connection.connect()
            let raw = try connection.call(ManagerAPI.UpdateEndpoint.name, ["name": .string(name), "changes": .object(changes)])
            EndpointCommand.show(try ControlConnection.decode(ManagerAPI.EndpointReply.self, raw), raw: raw, json: self.connection.json)
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an endpoint with its tool selection and sessions.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var name: String

        func run() throws {
            _ = try connection.connect().call(ManagerAPI.DeleteEndpoint.self, .init(name: name))
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
            let (reply, raw) = try connection.connect().call(ManagerAPI.AttachServer.self, .init(endpoint: endpoint, server: server))
            EndpointCommand.show(reply, raw: raw, json: connection.json)
        }
    }

    struct Detach: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Detach a server from an endpoint.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var endpoint: String
        @Argument var server: String

        func run() throws {
            let (reply, raw) = try connection.connect().call(ManagerAPI.DetachServer.self, .init(endpoint: endpoint, server: server))
            EndpointCommand.show(reply, raw: raw, json: connection.json)
        }
    }

    struct Tools: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show every tool of an endpoint's servers and whether it is enabled.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var endpoint: String

        func run() throws {
            let (reply, raw) = try connection.connect().call(ManagerAPI.ListToolSelections.self, .init(endpoint: endpoint))
            if connection.json { return Output.json(raw["tools"] ?? []) }
            EndpointCommand.printSelections(reply.tools)
        }
    }

    /// The arguments `enable` and `disable` share: tools (positional, as ever), prompts and resource rules.
    struct ToolSelectionArguments: ParsableArguments {
        @OptionGroup var connection: ConnectionOptions
        @Argument var endpoint: String
        @Argument(help: "SERVER/TOOL names (or exposed names).") var tools: [String] = []
        @Option(name: .customLong("all"), help: ArgumentHelp("Every tool of this server (repeatable).", valueName: "server"))
        var servers: [String] = []
        @Option(
            name: .customLong("prompt"),
            help: ArgumentHelp("A prompt, as SERVER/PROMPT or its exposed name (repeatable).", valueName: "server/prompt"))
        var prompts: [String] = []
        @Option(name: .customLong("all-prompts"), help: ArgumentHelp("Every prompt of this server (repeatable).", valueName: "server"))
        var promptServers: [String] = []
        @Option(
            name: .customLong("resources"),
            help: ArgumentHelp(
                "A resource rule (repeatable): SERVER (all its resources and templates), SERVER:PREFIX (its URIs that "
                    + "start with PREFIX, as the server spells them), or a mapped prefix as 'endpoint resources' shows it "
                    + "(sdk+file:///docs/).",
                valueName: "rule"))
        var resources: [String] = []

        func validate() throws {
            if tools.isEmpty && servers.isEmpty && prompts.isEmpty && promptServers.isEmpty && resources.isEmpty {
                throw ValidationError("name at least one SERVER/TOOL, --all SERVER, --prompt SERVER/PROMPT, --all-prompts SERVER or --resources RULE")
            }
            for rule in resources where rule.isEmpty { throw ValidationError("--resources needs a server or a mapped prefix") }
        }

        /// Whether tools are named (the positional arguments or --all).
        var namesTools: Bool { !tools.isEmpty || !servers.isEmpty }
        var namesPrompts: Bool { !prompts.isEmpty || !promptServers.isEmpty }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enable tools, prompts or resources on an endpoint.",
            discussion: """
                Name tools as SERVER/TOOL (or by exposed name); --all SERVER enables a server's whole catalog. \
                An enabled tool keeps the exposed name it was enabled under while it stays enabled: a tool that \
                appears later with a colliding name takes its hashed name instead. A tool of an attached server \
                whose catalog is still empty (e.g. a personal server waiting for a credential) can be named \
                SERVER/TOOL or SERVER__TOOL ahead of the catalog: it is enabled by name and appears when the \
                server lists it.

                Prompts are named with --prompt SERVER/PROMPT and are exposed as SERVER__PROMPT, like tools; \
                --all-prompts SERVER enables every prompt of a server. Resources are opened by rules: \
                --resources SERVER opens all of a server's resources and templates, --resources SERVER:PREFIX \
                those whose URI (as the server spells it) starts with PREFIX, and a mapped prefix such as \
                sdk+file:///docs/ (as 'endpoint resources' shows URIs) means the same as sdk:file:///docs/. \
                Clients see every URI mapped: sdk+file:///README.md, and ui://sdk+board/app.html for MCP Apps \
                pages. The page of an enabled tool (MCP Apps) is readable without a rule.

                Tools, prompts and resources are changed in that order, one call each; with --json the changed \
                entries are printed as a list when one kind is named, else as an object with one list per kind.
                """)
        @OptionGroup var selection: ToolSelectionArguments

        func run() throws {
            try EndpointCommand.select(selection, enabling: true)
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable tools, prompts or resources on an endpoint.",
            discussion: """
                Name tools as SERVER/TOOL (or by exposed name); --all SERVER disables a server's whole catalog. \
                Disabling releases the tool's exposed name; enabled again, it takes the name it would get then. \
                --prompt and --all-prompts disable prompts the same way. --resources removes exactly the rule \
                named (SERVER, SERVER:PREFIX or a mapped prefix): a rule with a longer or shorter prefix is \
                another rule and stays.
                """)
        @OptionGroup var selection: ToolSelectionArguments

        func run() throws {
            try EndpointCommand.select(selection, enabling: false)
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

        var parameters: ManagerAPI.AccessChange {
            ManagerAPI.AccessChange(endpoint: endpoint, users: users, groups: groups)
        }
    }

    struct Allow: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let users or groups authorize AI clients on an endpoint.",
            discussion: "An endpoint with auth oauth admits nobody until users or groups are allowed.")
        @OptionGroup var access: AccessArguments

        func run() throws {
            let (reply, raw) = try access.connection.connect().call(ManagerAPI.AllowAccess.self, access.parameters)
            if access.connection.json { return Output.json(raw["endpoint"] ?? .null) }
            print("Access to \(access.endpoint): \(EndpointCommand.accessSummary(reply.endpoint))")
        }
    }

    struct Deny: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take users or groups off an endpoint's access list.",
            discussion: "Sessions of users the list no longer admits are revoked at once.")
        @OptionGroup var access: AccessArguments

        func run() throws {
            let (reply, raw) = try access.connection.connect().call(ManagerAPI.DenyAccess.self, access.parameters)
            if access.connection.json { return Output.json(.object(raw)) }
            print("Access to \(access.endpoint): \(EndpointCommand.accessSummary(reply.endpoint)); \(reply.revoked.count) session(s) revoked")
        }
    }

    /// Prints what `enable` or `disable` changed on tools, as lines for people (nothing with `--json`: the caller prints
    /// the raw `changed` list).
    static func setTools<Method: ManagerMethod>(
        _ selection: ToolSelectionArguments, method: Method.Type, verb: String, connection: ControlConnection
    ) throws -> JSONValue
    where Method.Parameters == ManagerAPI.ToolChange, Method.Reply == ManagerAPI.ToolChangeReply {
        let endpoint = selection.endpoint
        let (reply, raw) = try connection.call(
            method, ManagerAPI.ToolChange(endpoint: endpoint, tools: selection.tools, allOf: selection.servers))
        if selection.connection.json { return raw["changed"] ?? [] }
        let enabling = Method.self == ManagerAPI.EnableTools.self
        let listed = enabling ? reply.changed.filter(\.listed) : reply.changed
        let ahead = enabling ? reply.changed.filter { !$0.listed } : []
        if reply.changed.isEmpty { print("No change: already \(verb.lowercased()).") }
        if !listed.isEmpty {
            print("\(verb) \(listed.count) tool(s) on \(endpoint): \(listed.map { Output.text($0.exposedName) }.joined(separator: ", "))")
        }
        if !ahead.isEmpty { print(try aheadOfCatalog(ahead, endpoint: endpoint, connection: connection)) }
        return raw["changed"] ?? []
    }

    /// The one line that says tools were enabled by name before their servers list them, and what they wait for.
    static func aheadOfCatalog(_ tools: [ManagerAPI.ToolSelection], endpoint: String, connection: ControlConnection) throws -> String {
        var servers: [String] = []
        for tool in tools where !servers.contains(tool.server) { servers.append(tool.server) }
        var hints: [String] = []
        for name in servers {
            let server = try connection.call(ManagerAPI.GetServer.self, .init(name: name)).reply.server
            switch server.catalogState {
            case .waitingForCredential: hints.append("waiting for a credential: \(ServerCommand.waitingHint(server))")
            case .failed: hints.append("its last refresh failed: sentinelctl server refresh \(name)")
            case .listed, .notRefreshed: break
            }
        }
        let one = tools.count == 1
        let who = servers.count == 1 ? "server \(servers[0]) lists" : "servers \(servers.joined(separator: ", ")) list"
        return "Enabled ahead of the catalog on \(endpoint): \(tools.map(\.exposedName).joined(separator: ", ")); "
            + "\(one ? "it" : "they") will appear when \(who) \(one ? "it" : "them")"
            + (hints.isEmpty ? "" : " (\(hints.joined(separator: "; ")))")
    }
}
