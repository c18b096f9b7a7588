import Foundation
public import SentinelCore
import GRDB

// A server's catalog besides its tools: prompts, resources, templates and declared capabilities.
extension Store {
    /// A server's prompts, resources and templates in catalog order, and its last recorded capabilities.
    public func surface(server: String) async throws -> ServerSurface {
        try await pool.read { db in
            let serverID = try db.id(of: "server", table: "servers", name: server)
            return ServerSurface(
                prompts: try Self.prompts(serverIDs: [serverID: server], db: db),
                resources: try Self.resources(serverIDs: [serverID: server], db: db),
                templates: try Self.templates(serverIDs: [serverID: server], db: db),
                capabilities: try String.fetchOne(db, sql: "SELECT capabilities FROM servers WHERE id = ?", arguments: [serverID])
                    .flatMap(ServerCapabilities.init(parsing:)))
        }
    }

    /// Writes the parts of `surface` that are not nil; within one list, the first entry of a name or URI wins.
    static func replaceSurface(serverID: Int64, _ surface: ServerSurface, db: Database) throws {
        if let prompts = surface.prompts {
            try db.execute(sql: "DELETE FROM prompts WHERE server_id = ?", arguments: [serverID])
            for (position, prompt) in prompts.enumerated() {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO prompts (server_id, name, title, description, definition, position, discovered_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [serverID, prompt.name, prompt.title, prompt.description, prompt.definition, position, prompt.discoveredAt])
            }
        }
        if let resources = surface.resources {
            try db.execute(sql: "DELETE FROM resources WHERE server_id = ?", arguments: [serverID])
            for (position, resource) in resources.enumerated() {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO resources (server_id, uri, name, title, mime_type, definition, position, discovered_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        serverID, resource.uri, resource.name, resource.title, resource.mimeType, resource.definition, position,
                        resource.discoveredAt,
                    ])
            }
        }
        if let templates = surface.templates {
            try db.execute(sql: "DELETE FROM resource_templates WHERE server_id = ?", arguments: [serverID])
            for (position, template) in templates.enumerated() {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO resource_templates
                            (server_id, uri_template, name, title, mime_type, definition, position, discovered_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        serverID, template.uriTemplate, template.name, template.title, template.mimeType, template.definition,
                        position, template.discoveredAt,
                    ])
            }
        }
        if let capabilities = surface.capabilities {
            try db.execute(sql: "UPDATE servers SET capabilities = ? WHERE id = ?", arguments: [capabilities.json, serverID])
        }
    }

    /// The prompts of the servers `serverIDs` (id: name), ordered by server name, then catalog order.
    static func prompts(serverIDs: [Int64: String], db: Database) throws -> [Prompt] {
        try rows(table: "prompts", order: "position, name", serverIDs: serverIDs, db: db).map { row, server in
            Prompt(
                server: server, name: row["name"], title: row["title"], description: row["description"],
                definition: row["definition"], discoveredAt: row["discovered_at"])
        }
    }

    /// The resources of the servers `serverIDs`, ordered by server name, then catalog order.
    static func resources(serverIDs: [Int64: String], db: Database) throws -> [Resource] {
        try rows(table: "resources", order: "position, uri", serverIDs: serverIDs, db: db).map { row, server in
            Resource(
                server: server, uri: row["uri"], name: row["name"], title: row["title"], mimeType: row["mime_type"],
                definition: row["definition"], discoveredAt: row["discovered_at"])
        }
    }

    /// The resource templates of the servers `serverIDs`, ordered by server name, then catalog order.
    static func templates(serverIDs: [Int64: String], db: Database) throws -> [ResourceTemplate] {
        try rows(table: "resource_templates", order: "position, uri_template", serverIDs: serverIDs, db: db).map { row, server in
            ResourceTemplate(
                server: server, uriTemplate: row["uri_template"], name: row["name"], title: row["title"],
                mimeType: row["mime_type"], definition: row["definition"], discoveredAt: row["discovered_at"])
        }
    }

    private static func rows(
        table: String, order: String, serverIDs: [Int64: String], db: Database
    ) throws -> [(Row, String)] {
        var result: [(Row, String)] = []
        for (id, server) in serverIDs.sorted(by: { $0.value < $1.value }) {
            for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table) WHERE server_id = ? ORDER BY \(order)", arguments: [id]) {
                result.append((row, server))
            }
        }
        return result
    }
}
