public import Foundation
public import SentinelCore

/// What outlives a restart of handshake-era MCP sessions: the key that signs their ids and their last use.
public protocol MCPSessionStore: Sendable {
    /// The 32-byte key that signs session ids: made and stored sealed on first use, the same on every later
    /// call and for every host sharing the store. Concurrent first calls agree on one key.
    func mcpSessionKey() async throws -> [UInt8]
    /// What is remembered of the session whose id hashes to `idHash`, if anything.
    func mcpSession(idHash: String) async throws -> StoredMCPSession?
    /// Records a use at `lastUsed` (never moving the record back, never reviving an ended session) and forgets
    /// sessions last used before `forgetBefore`.
    func recordMCPSessionUse(
        idHash: String, endpoint: String, clientName: String, clientVersion: String, lastUsed: Date, forgetBefore: Date
    ) async throws
    /// Ends a session (its id is refused until forgotten) and forgets sessions last used before `forgetBefore`.
    func endMCPSession(idHash: String, endpoint: String, at now: Date, forgetBefore: Date) async throws
}
