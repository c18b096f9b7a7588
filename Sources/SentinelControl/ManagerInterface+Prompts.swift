import SentinelControlAPI
import SentinelCore
import SentinelStore

extension ManagerInterface {
    func listPromptSelections(_ endpoint: String) async throws -> ManagerAPI.ListPromptSelections.Reply {
        ManagerAPI.ListPromptSelections.Reply(prompts: try await store.promptSelections(endpoint: endpoint).map(Self.encode))
    }

    func setPrompts(
        _ parameters: ManagerAPI.PromptChange, _ request: ManagerRequest, enabled: Bool
    ) async throws -> ManagerAPI.PromptChangeReply {
        let endpoint = parameters.endpoint
        let prompts = parameters.prompts ?? []
        let servers = parameters.allOf ?? []
        guard !prompts.isEmpty || !servers.isEmpty else {
            throw ManagerError.invalidValue(field: "prompts", reason: "name at least one SERVER/PROMPT or a server in all_of")
        }
        if enabled, !servers.isEmpty {
            // Enabling every prompt of a server that lists none would change nothing, silently.
            let attached = try await store.endpoint(named: endpoint).servers
            for server in servers where attached.contains(server) {
                guard try await store.surface(server: server).prompts?.isEmpty ?? true else { continue }
                throw ManagerError.invalidValue(
                    field: "all_of", reason: "server \(server) lists no prompts (sentinelctl server refresh \(server) fetches them again)")
            }
        }
        let changed: [PromptSelection]
        do {
            changed = try await store.setPrompts(endpoint: endpoint, prompts: prompts, allOf: servers, enabled: enabled)
        } catch StoreError.noSuchPrompt(let endpoint, let prompt) {
            throw ManagerError.noSuchPrompt(endpoint: endpoint, prompt: prompt, reason: await whyUnknownPrompt(prompt, endpoint: endpoint))
        }
        if !changed.isEmpty {
            recordChange(
                request,
                .promptsSelected(
                    endpoint: endpoint, prompts: changed.map { PromptReference(server: $0.server, prompt: $0.prompt) }, enabled: enabled),
                message: "\(changed.count) prompt(s) \(enabled ? "enabled" : "disabled") on endpoint \(endpoint): "
                    + changed.map(\.exposedName).joined(separator: ", "))
        }
        return ManagerAPI.PromptChangeReply(changed: changed.map(Self.encode))
    }

    /// Why `name` names no prompt of the endpoint, in words an admin can act on.
    func whyUnknownPrompt(_ name: String, endpoint: String) async -> String {
        guard let reference = ToolReference(naming: name) else {
            return "name it SERVER/PROMPT, or by the exposed name that sentinelctl endpoint prompts \(endpoint) shows"
        }
        let server = reference.server
        guard (try? await store.server(named: server)) != nil else { return "no server named '\(server)'" }
        guard let attached = try? await store.endpoint(named: endpoint).servers, attached.contains(server) else {
            return "server '\(server)' is not attached to endpoint '\(endpoint)' (sentinelctl endpoint attach \(endpoint) \(server))"
        }
        let count = (try? await store.surface(server: server).prompts?.count) ?? 0
        if let tools = try? await store.tools(server: server), tools.contains(where: { $0.name == reference.tool }) {
            return "server \(server) lists \(count) prompt(s), none named '\(reference.tool)'; \(reference.tool) is a tool "
                + "(name it without --prompt)"
        }
        return "server \(server) lists \(count) prompt(s), none named '\(reference.tool)'"
    }

    static func encode(_ selection: PromptSelection) -> ManagerAPI.PromptSelection {
        ManagerAPI.PromptSelection(
            server: selection.server, prompt: selection.prompt, exposedName: selection.exposedName, enabled: selection.enabled)
    }
}
