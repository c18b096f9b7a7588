public import Foundation
public import SentinelCore

/// Who may authorize clients on each endpoint.
public protocol AccessListStore: Sendable {
    /// The endpoint's access list (`notFound` for an unknown endpoint).
    func access(endpoint: String) async throws -> EndpointAccess
    /// Puts principals on the list; idempotent. A named user must exist (`notFound`), a group need not yet.
    func allow(_ principals: [AccessPrincipal], endpoint: String) async throws -> EndpointAccess
    /// Takes principals off the list and, in the same transaction, revokes the grants active at `now` of users
    /// the list no longer admits. Returns the list after and the grants revoked (with `revokedAt` = `now`).
    func deny(_ principals: [AccessPrincipal], endpoint: String, now: Date) async throws -> (access: EndpointAccess, revoked: [Grant])
}
