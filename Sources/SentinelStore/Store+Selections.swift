import Foundation
import GRDB
import SentinelCore

/// A tool or prompt as an endpoint's selection names it: what `switchSelections` enables or disables.
protocol EndpointSelection {
    var server: String { get }
    /// The tool's or prompt's name on its server.
    var selectedName: String { get }
    var exposedName: String { get }
    var enabled: Bool { get set }
}

extension ToolSelection: EndpointSelection {
    var selectedName: String { tool }
}

extension PromptSelection: EndpointSelection {
    var selectedName: String { prompt }
}

extension Store {
    /// Enables (a row in `table`, pinning the exposed name) or disables (the row deleted) each of `targets` whose
    /// state differs, once per exposed name; touches the endpoint's `updated_at` when anything changed. Returns the
    /// selections that changed, with their new state.
    static func switchSelections<Selection: EndpointSelection>(
        _ targets: [Selection], enabled: Bool, endpointID: Int64, table: String, nameColumn: String, db: Database
    ) throws -> [Selection] {
        var changed: [Selection] = []
        var seen = Set<String>()
        let now = Date()
        for var target in targets where target.enabled != enabled && seen.insert(target.exposedName).inserted {
            let serverID = try db.id(of: "server", table: "servers", name: target.server)
            if enabled {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO \(table) (endpoint_id, server_id, \(nameColumn), enabled_at, exposed_name)
                        VALUES (?, ?, ?, ?, ?)
                        """,
                    arguments: [endpointID, serverID, target.selectedName, now, target.exposedName])
            } else {
                try db.execute(
                    sql: "DELETE FROM \(table) WHERE endpoint_id = ? AND server_id = ? AND \(nameColumn) = ?",
                    arguments: [endpointID, serverID, target.selectedName])
            }
            target.enabled = enabled
            changed.append(target)
        }
        if !changed.isEmpty {
            try db.execute(sql: "UPDATE endpoints SET updated_at = ? WHERE id = ?", arguments: [now, endpointID])
        }
        return changed
    }
}
