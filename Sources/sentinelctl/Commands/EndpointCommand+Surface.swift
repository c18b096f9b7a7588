import ArgumentParser
import SentinelControlAPI
import SentinelCore

/// `endpoint prompts`, `endpoint resources`, and the prompt and resource parts of `endpoint enable|disable`.
extension EndpointCommand {
    struct Prompts: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show every prompt of an endpoint's servers and whether it is enabled.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var endpoint: String

        func run() throws {
            let (reply, raw) = try connection.connect().call(ManagerAPI.ListPromptSelections.self, .init(endpoint: endpoint))
            if connection.json { return Output.json(raw["prompts"] ?? []) }
            Output.table(
                ["server", "prompt", "exposed name", "enabled"],
                reply.prompts.map {
                    [Output.text($0.server), Output.text($0.prompt), Output.text($0.exposedName), Output.text(.bool($0.enabled))]
                })
        }
    }

    struct Resources: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an endpoint's resource rules, then every resource and template of its servers.",
            discussion: """
                URI is what clients see: the server's URI behind SERVER+ (sdk+file:///README.md), or after \
                ui:// for MCP Apps pages (ui://sdk+board/app.html). STATE says what opens it: a rule, the \
                tool whose page it is (MCP Apps: enabling the tool is enough), or off.
                """)
        @OptionGroup var connection: ConnectionOptions
        @Argument var endpoint: String

        func run() throws {
            let (reply, raw) = try connection.connect().call(ManagerAPI.ListResourceRules.self, .init(endpoint: endpoint))
            if connection.json { return Output.json(.object(raw)) }
            if reply.rules.isEmpty {
                print("No resource rules (sentinelctl endpoint enable \(endpoint) --resources SERVER opens a server's resources).")
            } else {
                Output.table(
                    ["rule", "server", "prefix"],
                    reply.rules.map { [Output.text($0.mappedPrefix), Output.text($0.server), $0.prefix.isEmpty ? "(all)" : $0.prefix] })
            }
            print("")
            Output.table(
                ["uri", "server", "kind", "state"],
                reply.resources.map { [Output.text($0.uri), Output.text($0.server), $0.kind.rawValue, EndpointCommand.state($0)] })
        }
    }

    /// The STATE column of `endpoint resources`.
    static func state(_ resource: ManagerAPI.ResourceSelection) -> String {
        switch resource.state {
        case .rule: "enabled (rule \(Output.text(resource.rule)))"
        case .tool: "enabled (page of tool \(Output.text(resource.tool)))"
        case .off: "off"
        }
    }

    /// `endpoint enable|disable`: tools, then prompts, then resource rules, each only when named.
    static func select(_ selection: ToolSelectionArguments, enabling: Bool) throws {
        let connection = try selection.connection.connect()
        var changed: [(String, JSONValue)] = []
        if selection.namesTools {
            changed.append(
                ("tools",
                 enabling
                    ? try setTools(selection, method: ManagerAPI.EnableTools.self, verb: "Enabled", connection: connection)
                    : try setTools(selection, method: ManagerAPI.DisableTools.self, verb: "Disabled", connection: connection)))
        }
        if selection.namesPrompts {
            let change = ManagerAPI.PromptChange(endpoint: selection.endpoint, prompts: selection.prompts, allOf: selection.promptServers)
            let (reply, raw) = enabling
                ? try connection.call(ManagerAPI.EnablePrompts.self, change) : try connection.call(ManagerAPI.DisablePrompts.self, change)
            changed.append(("prompts", raw["changed"] ?? []))
            if !selection.connection.json {
                let names = reply.changed.map { Output.text($0.exposedName) }.joined(separator: ", ")
                print(
                    reply.changed.isEmpty
                        ? "No prompt changed: already \(enabling ? "enabled" : "disabled")."
                        : "\(enabling ? "Enabled" : "Disabled") \(reply.changed.count) prompt(s) on \(selection.endpoint): \(names)")
            }
        }
        if !selection.resources.isEmpty {
            let change = ManagerAPI.ResourceChange(
                endpoint: selection.endpoint, rules: selection.resources.map(ManagerAPI.ResourceRuleSpec.init(argument:)))
            let (reply, raw) = enabling
                ? try connection.call(ManagerAPI.EnableResources.self, change)
                : try connection.call(ManagerAPI.DisableResources.self, change)
            changed.append(("resources", raw["changed"] ?? []))
            if !selection.connection.json {
                let rules = reply.changed.map { Output.text($0.mappedPrefix) }.joined(separator: ", ")
                print(
                    reply.changed.isEmpty
                        ? (enabling ? "No resource rule added: already there." : "No resource rule removed: none of them was there.")
                        : enabling
                            ? "Added \(reply.changed.count) resource rule(s) to \(selection.endpoint): \(rules)"
                            : "Removed \(reply.changed.count) resource rule(s) from \(selection.endpoint): \(rules)")
            }
        }
        guard selection.connection.json else { return }
        if changed.count == 1 { return Output.json(changed[0].1) }
        Output.json(.object(Dictionary(uniqueKeysWithValues: changed)))
    }
}
