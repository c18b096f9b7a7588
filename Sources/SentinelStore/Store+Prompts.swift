import Foundation
public import SentinelCore
import GRDB

// Which prompts each endpoint exposes, under which names: the rules of tools (`Store+Tools`), in a namespace
// of their own.
extension Store {
    /// Every catalog prompt of the endpoint's servers with its exposed name and state.
    public func promptSelections(endpoint: String) async throws -> [PromptSelection] {
        try await pool.read { db in try Self.promptSelections(endpoint: endpoint, db: db).listed }
    }

    /// Enables or disables prompts on an endpoint, all or nothing (see `EndpointStore.setPrompts`).
    public func setPrompts(
        endpoint: String, prompts: [String], allOf servers: [String], enabled: Bool
    ) async throws -> [PromptSelection] {
        try await pool.write { db in
            let endpointID = try db.id(of: "endpoint", table: "endpoints", name: endpoint)
            let selections = try Self.promptSelections(endpoint: endpoint, db: db)
            let known = selections.listed + selections.absent
            let attached = try Self.endpoint(named: endpoint, db: db).servers
            var targets: [PromptSelection] = []
            for name in prompts {
                guard let selection = known.first(where: { "\($0.server)/\($0.prompt)" == name || $0.exposedName == name }) else {
                    throw StoreError.noSuchPrompt(endpoint: endpoint, prompt: name)
                }
                targets.append(selection)
            }
            for server in servers {
                _ = try db.id(of: "server", table: "servers", name: server)
                guard attached.contains(server) else { throw StoreError.notAttached(endpoint: endpoint, server: server) }
                targets += known.filter { $0.server == server }
            }
            return try Self.switchSelections(
                targets, enabled: enabled, endpointID: endpointID, table: "endpoint_prompts", nameColumn: "prompt_name", db: db)
        }
    }

    /// The endpoint's prompt selections: `listed` are the catalog prompts of its servers (server name, then catalog
    /// order); `absent` are enabled prompts their catalog no longer lists, which keep their names reserved.
    static func promptSelections(endpoint: String, db: Database) throws -> (listed: [PromptSelection], absent: [PromptSelection]) {
        let endpointID = try db.id(of: "endpoint", table: "endpoints", name: endpoint)
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT s.name AS server, p.name AS prompt, ep.exposed_name AS pinned
                FROM endpoint_servers es
                JOIN servers s ON s.id = es.server_id
                JOIN prompts p ON p.server_id = s.id
                LEFT JOIN endpoint_prompts ep
                    ON ep.endpoint_id = es.endpoint_id AND ep.server_id = s.id AND ep.prompt_name = p.name
                WHERE es.endpoint_id = ?
                ORDER BY s.name, p.position, p.name
                """, arguments: [endpointID])
        let absent = try Row.fetchAll(
            db,
            sql: """
                SELECT s.name AS server, ep.prompt_name AS prompt, ep.exposed_name AS pinned
                FROM endpoint_prompts ep
                JOIN servers s ON s.id = ep.server_id
                WHERE ep.endpoint_id = ?
                    AND NOT EXISTS (SELECT 1 FROM prompts p WHERE p.server_id = ep.server_id AND p.name = ep.prompt_name)
                ORDER BY s.name, ep.prompt_name
                """, arguments: [endpointID]
        ).map { row in
            PromptSelection(endpoint: endpoint, server: row["server"], prompt: row["prompt"], exposedName: row["pinned"], enabled: true)
        }
        var pinned: [String: String] = [:]
        for row in rows {
            if let name = row["pinned"] as String? { pinned[ExposedName.key(server: row["server"], tool: row["prompt"])] = name }
        }
        for selection in absent { pinned[ExposedName.key(server: selection.server, tool: selection.prompt)] = selection.exposedName }
        let pairs = rows.map { (server: $0["server"] as String, prompt: $0["prompt"] as String) }
        let names = ExposedPrompt.assignNames(pairs + absent.map { (server: $0.server, prompt: $0.prompt) }, pinned: pinned)
        let listed = rows.map { row in
            let server: String = row["server"]
            let prompt: String = row["prompt"]
            return PromptSelection(
                endpoint: endpoint, server: server, prompt: prompt,
                exposedName: names[ExposedName.key(server: server, tool: prompt)] ?? ExposedName.preferred(server: server, tool: prompt),
                enabled: (row["pinned"] as String?) != nil)
        }
        return (listed, absent)
    }
}
