import Foundation
import SentinelCore

/// What the gateway remembers of a handshake-era client after `initialize`.
struct MCPSession: Sendable {
    var endpoint: String
    /// The grant of the client that initialized it (nil on endpoints without authentication): another grant's
    /// requests cannot use or end it.
    var grant: String?
    var protocolVersion: String
    /// What the client declared in `initialize` that Sentinel's replies depend on (carried in the signed id).
    var capabilities: MCPClientCapabilities
    var clientName: String
    var clientVersion: String
    var lastUsed: Date
    /// The last use the store knows of (the issue time, which the id carries, until one is recorded).
    var recordedUse: Date
}
