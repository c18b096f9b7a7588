public import Foundation

/// How an endpoint decides who may use it.
public enum EndpointAuth: String, Sendable, CaseIterable, Codable {
    /// Clients need an OAuth grant (the default).
    case oauth
    /// Anyone who reaches the listener may call; allowed only on a loopback listener.
    case none
}

/// A named gateway URL (`/mcp/<name>`) federating tools from its servers.
public struct Endpoint: Sendable, Equatable {
    public var name: String
    public var description: String
    public var auth: EndpointAuth
    /// Whether tool-call arguments and results are copied into the audit log.
    public var capturePayloads: Bool
    /// Names of the attached servers, sorted.
    public var servers: [String]
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        name: String,
        description: String = "",
        auth: EndpointAuth = .oauth,
        capturePayloads: Bool = false,
        servers: [String] = [],
        createdAt: Date,
        updatedAt: Date
    ) {
        self.name = name
        self.description = description
        self.auth = auth
        self.capturePayloads = capturePayloads
        self.servers = servers
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
