public import Foundation
public import SentinelCore

/// Upstream servers and the tool catalogs last fetched from them.
public protocol ServerStore: Sendable {
    /// Adds a server; its name must be new (`alreadyExists`) and valid (`Server.validationProblem`, `invalid`).
    /// Headers and an OAuth client secret are sealed, so a server carrying them needs a secret key.
    func addServer(_ server: Server) async throws -> Server
    /// Every server, ordered by name.
    func servers() async throws -> [Server]
    /// One server by name (`notFound`), with its sealed fields opened.
    func server(named name: String) async throws -> Server
    /// Changes a server atomically: `change` sees the current record, and what it leaves is validated and
    /// written as a whole (renaming is refused with `invalid(field: "name")`). Sets `updatedAt` to the time of the write.
    func updateServer(named name: String, _ change: @Sendable (inout Server) throws -> Void) async throws -> Server
    /// Removes a server with its catalog, credentials and tool selections. Without `force`, a server attached to
    /// endpoints is refused with `serverInUse` listing them by name; with it, it is detached from them.
    /// Returns the endpoints it was attached to, by name.
    @discardableResult
    func removeServer(named name: String, force: Bool) async throws -> [String]
    /// Replaces a server's catalog with `tools` (kept in the given order) and the parts of `surface` that are
    /// not nil (prompts, resources, templates, each kept in the given order; capabilities), and records a
    /// successful refresh at `now` (`refreshedAt`; `lastError` cleared), in one transaction. Pinned names of
    /// enabled tools and prompts survive the replacement. Entries repeating a prompt name, a resource URI or a
    /// template within one list keep the first.
    func replaceCatalog(server: String, tools: [Tool], surface: ServerSurface, at now: Date) async throws
    /// Records a failed refresh at `now` (`refreshedAt`, `lastError`); the catalog stays as last seen.
    func recordRefreshFailure(server: String, error: String, at now: Date) async throws
    /// A server's catalog, in the order of the last `replaceCatalog`.
    func tools(server: String) async throws -> [Tool]
    /// A server's prompts, resources and templates (each in the order of the last `replaceCatalog` that
    /// replaced it; never nil) and its last recorded capabilities (nil when never recorded).
    func surface(server: String) async throws -> ServerSurface
}

extension ServerStore {
    /// Replaces a server's tools only, keeping its prompts, resources, templates and capabilities.
    public func replaceCatalog(server: String, tools: [Tool], at now: Date) async throws {
        try await replaceCatalog(server: server, tools: tools, surface: ServerSurface(), at: now)
    }
}
