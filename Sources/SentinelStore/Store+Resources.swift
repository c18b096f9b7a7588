import Foundation
public import SentinelCore
import GRDB

// The rules that open an endpoint's resources (`ResourceRule`), and everything an endpoint shows in one read.
extension Store {
    /// The endpoint's resource rules, ordered by server name, then prefix.
    public func resourceRules(endpoint: String) async throws -> [ResourceRule] {
        try await pool.read { db in
            try Self.resourceRules(endpointID: try db.id(of: "endpoint", table: "endpoints", name: endpoint), endpoint: endpoint, db: db)
        }
    }

    /// Adds or removes resource rules, all or nothing; returns the rules added or removed.
    public func setResourceRules(endpoint: String, rules: [ResourceRule], enabled: Bool) async throws -> [ResourceRule] {
        try await pool.write { db in
            let endpointID = try db.id(of: "endpoint", table: "endpoints", name: endpoint)
            let attached = try Self.endpoint(named: endpoint, db: db).servers
            var serverIDs: [String: Int64] = [:]
            for rule in rules {
                serverIDs[rule.server] = try db.id(of: "server", table: "servers", name: rule.server)
                guard attached.contains(rule.server) else { throw StoreError.notAttached(endpoint: endpoint, server: rule.server) }
            }
            let now = Date()
            var changed: [ResourceRule] = []
            for rule in rules {
                let rule = ResourceRule(endpoint: endpoint, server: rule.server, prefix: rule.prefix)
                guard let serverID = serverIDs[rule.server], !changed.contains(rule) else { continue }
                if enabled {
                    try db.execute(
                        sql: """
                            INSERT OR IGNORE INTO endpoint_resource_rules (endpoint_id, server_id, uri_prefix, enabled_at)
                            VALUES (?, ?, ?, ?)
                            """,
                        arguments: [endpointID, serverID, rule.prefix, now])
                } else {
                    try db.execute(
                        sql: "DELETE FROM endpoint_resource_rules WHERE endpoint_id = ? AND server_id = ? AND uri_prefix = ?",
                        arguments: [endpointID, serverID, rule.prefix])
                }
                if db.changesCount > 0 { changed.append(rule) }
            }
            if !changed.isEmpty {
                try db.execute(sql: "UPDATE endpoints SET updated_at = ? WHERE id = ?", arguments: [now, endpointID])
            }
            return changed
        }
    }

    /// Everything the endpoint can show, read at one moment.
    public func exposedSurface(endpoint name: String) async throws -> EndpointSurface {
        try await pool.read { db in
            let endpointID = try db.id(of: "endpoint", table: "endpoints", name: name)
            let (endpoint, tools) = try Self.exposedTools(endpoint: name, db: db)
            var serverIDs: [Int64: String] = [:]
            for server in endpoint.servers { serverIDs[try db.id(of: "server", table: "servers", name: server)] = server }
            let catalog = Dictionary(
                try Self.prompts(serverIDs: serverIDs, db: db).map { (ExposedName.key(server: $0.server, tool: $0.name), $0) },
                uniquingKeysWith: { first, _ in first })
            let prompts = try Self.promptSelections(endpoint: name, db: db).listed.compactMap { selection -> ExposedPrompt? in
                guard let prompt = catalog[ExposedName.key(server: selection.server, tool: selection.prompt)] else { return nil }
                return ExposedPrompt(exposedName: selection.exposedName, enabled: selection.enabled, prompt: prompt)
            }
            var capabilities: [String: ServerCapabilities] = [:]
            for (id, server) in serverIDs {
                if let json = try String.fetchOne(db, sql: "SELECT capabilities FROM servers WHERE id = ?", arguments: [id]) {
                    capabilities[server] = ServerCapabilities(parsing: json)
                }
            }
            return EndpointSurface(
                endpoint: endpoint, tools: tools, prompts: prompts,
                rules: try Self.resourceRules(endpointID: endpointID, endpoint: name, db: db),
                resources: try Self.resources(serverIDs: serverIDs, db: db),
                templates: try Self.templates(serverIDs: serverIDs, db: db), capabilities: capabilities)
        }
    }

    static func resourceRules(endpointID: Int64, endpoint: String, db: Database) throws -> [ResourceRule] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT s.name AS server, r.uri_prefix AS prefix
                FROM endpoint_resource_rules r JOIN servers s ON s.id = r.server_id
                WHERE r.endpoint_id = ?
                ORDER BY s.name, r.uri_prefix
                """, arguments: [endpointID]
        ).map { ResourceRule(endpoint: endpoint, server: $0["server"], prefix: $0["prefix"]) }
    }
}
