import Foundation
import Logging
import SentinelCore
import SentinelCrypto
import SentinelStore
import Synchronization

/// Handshake-era MCP sessions (`Mcp-Session-Id`, 2025-11-25 "Session Management").
///
/// An id verifies itself (`MCPSessionID`: HMAC with a key kept sealed in the store), so a restart,
/// an idle exit or another node keeps every valid session valid. The store remembers what an id
/// cannot say: that DELETE ended it, and when it was last used (recorded every
/// `MCPSessionID.recordInterval`, not per request). Forged, ended and expired ids are refused, and
/// the client is answered 404 so that it initializes again. Requests without an id need none of this.
final class MCPSessions: Sendable {
    /// The outcome of looking an id up.
    enum Lookup: Sendable {
        case valid(MCPSession)
        /// Forged, for another endpoint or grant, ended or expired: answer 404.
        case refused(String)
        /// The store could not be read.
        case unavailable(String)
    }

    private let store: Store
    private let cache: MCPSessionTable
    private let key = Mutex<[UInt8]?>(nil)
    private let logger: Logger

    init(store: Store, logger: Logger, capacity: Int = 10_000) {
        self.store = store
        self.logger = logger
        self.cache = MCPSessionTable(capacity: capacity)
    }

    /// Issues a session id for a client that just initialized.
    func create(
        endpoint: String, grant: String?, protocolVersion: String, capabilities: MCPClientCapabilities = .init(),
        clientName: String, clientVersion: String, now: Date = Date()
    ) async throws -> String {
        let unsigned = MCPSessionID(
            protocolVersion: protocolVersion, capabilities: capabilities, issuedAt: Int64(now.timeIntervalSince1970),
            nonce: SecureRandom.bytes(count: 16))
        let id = unsigned.signed(with: Digest.hmacSHA256(key: try await sessionKey(), data: unsigned.signedBytes(endpoint: endpoint, grant: grant)))
        let text = id.text
        cache.insert(
            text,
            MCPSession(
                endpoint: endpoint, grant: grant, protocolVersion: protocolVersion, capabilities: capabilities, clientName: clientName,
                clientVersion: clientVersion, lastUsed: now, recordedUse: id.issued))
        return text
    }

    /// Looks a session id up for a request on `endpoint` by `grant`, and marks it used.
    func resolve(_ text: String, endpoint: String, grant: String?, idleSeconds: Int, now: Date = Date()) async -> Lookup {
        if let cached = cache.use(text, now: now) {
            guard cached.endpoint == endpoint, cached.grant == grant else {
                return .refused("session \(text) belongs to another endpoint or client")
            }
            guard !MCPSessionID.hasExpired(lastUsed: cached.lastUsed, now: now, idleSeconds: idleSeconds) else {
                cache.remove(text)
                return .refused("session \(text) expired after \(idleSeconds) s without use")
            }
            await recordIfDue(text, cached, now: now, idleSeconds: idleSeconds)
            return .valid(cached)
        }
        guard let id = MCPSessionID(parsing: text) else { return .refused("session \(text) was not issued by this gateway") }
        let stored: StoredMCPSession?
        do {
            let expected = id.signed(with: Digest.hmacSHA256(key: try await sessionKey(), data: id.signedBytes(endpoint: endpoint, grant: grant)))
            guard constantTimeEquals(Array(expected.tag.utf8), Array(id.tag.utf8)) else {
                return .refused("session \(text) was not issued by this gateway to this endpoint and client")
            }
            stored = try await store.mcpSession(idHash: Digest.sha256Hex(text))
        } catch {
            logger.error("cannot check MCP session \(text): \(error)")
            return .unavailable("the gateway cannot read its store")
        }
        if stored?.ended == true { return .refused("session \(text) was ended (DELETE)") }
        let lastUsed = max(stored?.lastUsed ?? id.issued, id.issued)
        guard !MCPSessionID.hasExpired(lastUsed: lastUsed, now: now, idleSeconds: idleSeconds) else {
            return .refused("session \(text) expired after \(idleSeconds) s without use")
        }
        let session = MCPSession(
            endpoint: endpoint, grant: grant, protocolVersion: id.protocolVersion, capabilities: id.capabilities,
            clientName: stored.map(\.clientName).flatMap { $0.isEmpty ? nil : $0 } ?? "unknown",
            clientVersion: stored?.clientVersion ?? "", lastUsed: now, recordedUse: lastUsed)
        cache.insert(text, session)
        await recordIfDue(text, session, now: now, idleSeconds: idleSeconds)
        return .valid(session)
    }

    /// Ends a session (DELETE). Returns `.valid` when it was a valid session and is now ended.
    func end(_ text: String, endpoint: String, grant: String?, idleSeconds: Int, now: Date = Date()) async -> Lookup {
        let lookup = await resolve(text, endpoint: endpoint, grant: grant, idleSeconds: idleSeconds, now: now)
        guard case .valid = lookup else { return lookup }
        do {
            try await store.endMCPSession(
                idHash: Digest.sha256Hex(text), endpoint: endpoint, at: now,
                forgetBefore: now.addingTimeInterval(-TimeInterval(idleSeconds)))
        } catch {
            logger.error("cannot end MCP session \(text): \(error)")
            return .unavailable("the gateway cannot write its store")
        }
        cache.remove(text)
        return lookup
    }

    /// Writes the session's last use to the store when the recorded one has grown stale.
    private func recordIfDue(_ text: String, _ session: MCPSession, now: Date, idleSeconds: Int) async {
        guard now.timeIntervalSince(session.recordedUse) >= MCPSessionID.recordInterval(idleSeconds: idleSeconds) else { return }
        do {
            try await store.recordMCPSessionUse(
                idHash: Digest.sha256Hex(text), endpoint: session.endpoint, clientName: session.clientName,
                clientVersion: session.clientVersion, lastUsed: now, forgetBefore: now.addingTimeInterval(-TimeInterval(idleSeconds)))
            cache.recorded(text, at: now)
        } catch {
            logger.warning("cannot record the use of MCP session \(text): \(error)")
        }
    }

    private func sessionKey() async throws -> [UInt8] {
        if let known = key.withLock({ $0 }) { return known }
        let loaded = try await store.mcpSessionKey()
        key.withLock { $0 = loaded }
        return loaded
    }
}
