public import Foundation

/// What the store remembers of a handshake-era MCP session (`Mcp-Session-Id`).
///
/// Session ids verify themselves (an HMAC with a key the store keeps); the store holds only what an id
/// cannot say: when its session was last used (written now and then, not per request) and that it
/// was deleted. Rows are forgotten once their session would have expired anyway.
public struct StoredMCPSession: Sendable, Equatable {
    public var endpoint: String
    public var lastUsed: Date
    /// Ended by DELETE: the id is refused (404) until the row is forgotten.
    public var ended: Bool
    public var clientName: String
    public var clientVersion: String

    public init(endpoint: String, lastUsed: Date, ended: Bool, clientName: String, clientVersion: String) {
        self.endpoint = endpoint
        self.lastUsed = lastUsed
        self.ended = ended
        self.clientName = clientName
        self.clientVersion = clientVersion
    }
}
