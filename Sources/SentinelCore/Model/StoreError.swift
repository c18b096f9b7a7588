/// Why a store operation was refused. Each case names what a caller needs to act.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(kind: String, name: String)
    case alreadyExists(kind: String, name: String)
    /// The server is attached to these endpoints; detach it or remove with force.
    case serverInUse(server: String, endpoints: [String])
    case notAttached(endpoint: String, server: String)
    case noSuchTool(endpoint: String, tool: String)
    case noSuchPrompt(endpoint: String, prompt: String)
    /// The database was written by a newer sentineld; refusing to touch it.
    case newerSchema(path: String, unknownMigrations: [String])
    case invalid(field: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let kind, let name): "no \(kind) named '\(name)'"
        case .alreadyExists(let kind, let name): "a \(kind) named '\(name)' already exists"
        case .serverInUse(let server, let endpoints):
            "server '\(server)' is attached to endpoint(s) \(endpoints.joined(separator: ", "))"
        case .notAttached(let endpoint, let server): "server '\(server)' is not attached to endpoint '\(endpoint)'"
        case .noSuchTool(let endpoint, let tool): "endpoint '\(endpoint)' has no tool '\(tool)' in its servers' catalogs"
        case .noSuchPrompt(let endpoint, let prompt):
            "endpoint '\(endpoint)' has no prompt '\(prompt)' in its servers' catalogs"
        case .newerSchema(let path, let unknown):
            "\(path) was written by a newer sentineld (unknown schema migrations: \(unknown.joined(separator: ", "))); refusing to open it"
        case .invalid(let field, let reason): "\(field): \(reason)"
        }
    }
}
