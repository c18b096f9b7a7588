public import Foundation
public import SentinelCore
import GRDB

extension Store {
    /// Replaces a server's catalog with `tools` (in the upstream's order) and the parts of `surface` that are
    /// not nil, and records a successful refresh.
    public func replaceCatalog(
        server: String, tools: [Tool], surface: ServerSurface = ServerSurface(), at now: Date = Date()
    ) async throws {
        try await pool.write { db in
            let serverID = try db.id(of: "server", table: "servers", name: server)
            try Self.replaceSurface(serverID: serverID, surface, db: db)
            try db.execute(sql: "DELETE FROM tools WHERE server_id = ?", arguments: [serverID])
            for (position, tool) in tools.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO tools (server_id, name, title, description, input_schema, output_schema, annotations,
                            definition, position, discovered_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        serverID, tool.name, tool.title, tool.description, tool.inputSchema, tool.outputSchema,
                        tool.annotations, tool.definition, position, tool.discoveredAt,
                    ])
            }
            try db.execute(
                sql: "UPDATE servers SET refreshed_at = ?, last_error = NULL WHERE id = ?", arguments: [now, serverID])
        }
    }

    /// Records a failed refresh; the catalog stays as last seen.
    public func recordRefreshFailure(server: String, error: String, at now: Date = Date()) async throws {
        try await pool.write { db in
            let serverID = try db.id(of: "server", table: "servers", name: server)
            try db.execute(
                sql: "UPDATE servers SET refreshed_at = ?, last_error = ? WHERE id = ?", arguments: [now, error, serverID])
        }
    }

    /// A server's catalog, in the upstream's order.
    public func tools(server: String) async throws -> [Tool] {
        try await pool.read { db in
            let serverID = try db.id(of: "server", table: "servers", name: server)
            return try Row.fetchAll(
                db, sql: "SELECT * FROM tools WHERE server_id = ? ORDER BY position, name", arguments: [serverID]
            ).map { Self.tool(from: $0, server: server) }
        }
    }

    /// Every catalog tool of the endpoint's servers with its exposed name and state.
    public func toolSelections(endpoint: String) async throws -> [ToolSelection] {
        try await pool.read { db in try Self.toolSelections(endpoint: endpoint, db: db) }
    }

    /// Enables or disables tools on an endpoint. `tools` holds `SERVER/TOOL` names; `allOf` names
    /// servers whose whole catalog is affected. Unknown tools are refused before anything changes.
    /// Returns the selections whose state changed.
    ///
    /// Enabling pins the tool's exposed name: it keeps that name while it stays enabled, whatever
    /// appears in its server's catalog later. Disabling releases it, so a tool enabled again takes
    /// the name it would get at that moment (the same one unless another tool has taken it meanwhile).
    /// An enabled tool that has left its server's catalog keeps its name reserved; it can still be
    /// disabled by `SERVER/TOOL` or by that name.
    ///
    /// A tool of an attached server whose catalog is empty (not listed yet: it may be waiting for a
    /// credential) is enabled ahead of the catalog when named `SERVER/TOOL` or `SERVER__TOOL`: stored by
    /// name with its pinned name, `listed` false, and exposed once the server lists it.
    public func setTools(
        endpoint: String, tools: [String], allOf servers: [String], enabled: Bool
    ) async throws -> [ToolSelection] {
        try await pool.write { db in
            let endpointID = try db.id(of: "endpoint", table: "endpoints", name: endpoint)
            let selections = try Self.toolSelections(endpoint: endpoint, db: db)
            var targets: [ToolSelection] = []
            let absent = try Self.absentEnabledTools(endpointID: endpointID, db: db)
            let attached = try Self.endpoint(named: endpoint, db: db).servers
            for name in tools {
                let matches: (ToolSelection) -> Bool = { "\($0.server)/\($0.tool)" == name || $0.exposedName == name }
                if let selection = selections.first(where: matches) ?? absent.first(where: matches) {
                    targets.append(selection)
                } else if enabled,
                    let ahead = try Self.aheadOfCatalog(
                        name, endpoint: endpoint, attached: attached, known: selections + absent + targets, db: db)
                {
                    targets.append(ahead)
                } else {
                    throw StoreError.noSuchTool(endpoint: endpoint, tool: name)
                }
            }
            for server in servers {
                _ = try db.id(of: "server", table: "servers", name: server)
                guard attached.contains(server) else { throw StoreError.notAttached(endpoint: endpoint, server: server) }
                targets += (selections + absent).filter { $0.server == server }
            }
            return try Self.switchSelections(
                targets, enabled: enabled, endpointID: endpointID, table: "endpoint_tools", nameColumn: "tool_name", db: db)
        }
    }

    /// Enabled tools that their server's catalog does not list (enabled ahead of it, or gone from it), with the
    /// names they keep reserved; `listed` is false. Ordered by server name, then tool name.
    public func unlistedEnabledTools(endpoint: String) async throws -> [ToolSelection] {
        try await pool.read { db in
            try Self.absentEnabledTools(endpointID: try db.id(of: "endpoint", table: "endpoints", name: endpoint), db: db)
        }
    }

    /// The not yet enabled selection of a tool named ahead of its server's catalog, or nil when `name` cannot be
    /// one: not `SERVER/TOOL` or `SERVER__TOOL`, a server not attached, or one whose catalog lists tools (then
    /// a name it does not list is a typo, not a tool to come). Its exposed name is unique among `known`.
    static func aheadOfCatalog(
        _ name: String, endpoint: String, attached: [String], known: [ToolSelection], db: Database
    ) throws -> ToolSelection? {
        guard let reference = ToolReference(naming: name), attached.contains(reference.server) else { return nil }
        let serverID = try db.id(of: "server", table: "servers", name: reference.server)
        guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tools WHERE server_id = ?", arguments: [serverID]) == 0
        else { return nil }
        if let same = known.first(where: { $0.server == reference.server && $0.tool == reference.tool }) { return same }
        var pinned: [String: String] = [:]
        for selection in known where selection.enabled || !selection.listed {
            pinned[ExposedName.key(server: selection.server, tool: selection.tool)] = selection.exposedName
        }
        let pairs = known.map { (server: $0.server, tool: $0.tool) } + [(server: reference.server, tool: reference.tool)]
        let names = ExposedName.assign(pairs, pinned: pinned)
        return ToolSelection(
            endpoint: endpoint, server: reference.server, tool: reference.tool,
            exposedName: names[ExposedName.key(server: reference.server, tool: reference.tool)]
                ?? ExposedName.preferred(server: reference.server, tool: reference.tool),
            enabled: false, listed: false)
    }

    static func toolSelections(endpoint: String, db: Database) throws -> [ToolSelection] {
        let endpointID = try db.id(of: "endpoint", table: "endpoints", name: endpoint)
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT s.name AS server, t.name AS tool, et.tool_name IS NOT NULL AS enabled, et.exposed_name AS pinned
                FROM endpoint_servers es
                JOIN servers s ON s.id = es.server_id
                JOIN tools t ON t.server_id = s.id
                LEFT JOIN endpoint_tools et ON et.endpoint_id = es.endpoint_id AND et.server_id = s.id AND et.tool_name = t.name
                WHERE es.endpoint_id = ?
                ORDER BY s.name, t.position, t.name
                """, arguments: [endpointID])
        // Enabled tools missing from their catalog keep their names reserved, so they come back under them.
        let absent = try absentEnabledTools(endpointID: endpointID, db: db)
        var pinned: [String: String] = [:]
        for row in rows {
            if let name = row["pinned"] as String? { pinned[ExposedName.key(server: row["server"], tool: row["tool"])] = name }
        }
        for selection in absent { pinned[ExposedName.key(server: selection.server, tool: selection.tool)] = selection.exposedName }
        let pairs = rows.map { (server: $0["server"] as String, tool: $0["tool"] as String) }
        let names = ExposedName.assign(pairs + absent.map { (server: $0.server, tool: $0.tool) }, pinned: pinned)
        return rows.map { row in
            let server: String = row["server"]
            let tool: String = row["tool"]
            return ToolSelection(
                endpoint: endpoint, server: server, tool: tool,
                exposedName: names[ExposedName.key(server: server, tool: tool)]
                    ?? ExposedName.preferred(server: server, tool: tool),
                enabled: row["enabled"])
        }
    }

    /// Enabled tools with a pinned name that their server's catalog no longer lists.
    private static func absentEnabledTools(endpointID: Int64, db: Database) throws -> [ToolSelection] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT e.name AS endpoint, s.name AS server, et.tool_name AS tool, et.exposed_name AS pinned
                FROM endpoint_tools et
                JOIN endpoints e ON e.id = et.endpoint_id
                JOIN servers s ON s.id = et.server_id
                WHERE et.endpoint_id = ? AND et.exposed_name IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM tools t WHERE t.server_id = et.server_id AND t.name = et.tool_name)
                ORDER BY s.name, et.tool_name
                """, arguments: [endpointID]
        ).map { row in
            ToolSelection(
                endpoint: row["endpoint"], server: row["server"], tool: row["tool"], exposedName: row["pinned"], enabled: true,
                listed: false)
        }
    }

    static func tool(from row: Row, server: String) -> Tool {
        Tool(
            server: server,
            name: row["name"],
            title: row["title"],
            description: row["description"],
            inputSchema: row["input_schema"],
            outputSchema: row["output_schema"],
            annotations: row["annotations"],
            definition: row["definition"],
            discoveredAt: row["discovered_at"]
        )
    }

    /// The endpoint and every catalog tool of its servers (full definitions), in one read.
    public func exposedTools(endpoint name: String) async throws -> (endpoint: Endpoint, tools: [ExposedTool]) {
        try await pool.read { db in try Self.exposedTools(endpoint: name, db: db) }
    }

    static func exposedTools(endpoint name: String, db: Database) throws -> (endpoint: Endpoint, tools: [ExposedTool]) {
        let endpoint = try Self.endpoint(named: name, db: db)
        let selections = try Self.toolSelections(endpoint: name, db: db)
        var catalogs: [String: [String: Tool]] = [:]
        for server in endpoint.servers {
            let serverID = try db.id(of: "server", table: "servers", name: server)
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM tools WHERE server_id = ?", arguments: [serverID])
            catalogs[server] = Dictionary(
                rows.map { row in (row["name"] as String, Self.tool(from: row, server: server)) },
                uniquingKeysWith: { first, _ in first })
        }
        let tools = selections.compactMap { selection -> ExposedTool? in
            guard let tool = catalogs[selection.server]?[selection.tool] else { return nil }
            return ExposedTool(exposedName: selection.exposedName, enabled: selection.enabled, tool: tool)
        }
        return (endpoint, tools)
    }
}
