public import SentinelCore

/// What the HTTP listener allows a connection, from `sentineld.conf`. Read as each connection is accepted, so a
/// reload applies to the connections that open afterwards.
public struct HTTPConnectionLimits: Sendable {
    /// Open connections at most (already lowered to fit the descriptor limit).
    public var maxConnections: Int
    /// Open connections from one client address at most (IPv6: one /64); trusted proxies are not counted.
    public var maxConnectionsPerAddress: Int
    /// From a request's first byte (on a new connection, from the accept) to the end of its headers.
    public var headerTimeout: Duration
    /// From the end of a request's headers to the end of its body.
    public var bodyTimeout: Duration
    /// How long a connection may wait for its next request once the previous one is answered.
    public var keepAliveTimeout: Duration
    /// Whose forwarding header names the client.
    public var trustedProxies: TrustedProxies

    public init(
        maxConnections: Int, maxConnectionsPerAddress: Int, headerTimeout: Duration, bodyTimeout: Duration,
        keepAliveTimeout: Duration, trustedProxies: TrustedProxies
    ) {
        self.maxConnections = maxConnections
        self.maxConnectionsPerAddress = maxConnectionsPerAddress
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.keepAliveTimeout = keepAliveTimeout
        self.trustedProxies = trustedProxies
    }

    /// The limits `configuration` sets, with `MaxConnections=` lowered to fit an open-file limit of
    /// `descriptorLimit` (see `DaemonConfiguration.effectiveMaxConnections`).
    public init(_ configuration: DaemonConfiguration = DaemonConfiguration(), descriptorLimit: Int = .max) {
        self.init(
            maxConnections: max(1, configuration.effectiveMaxConnections(descriptorLimit: descriptorLimit)),
            maxConnectionsPerAddress: configuration.maxConnectionsPerAddress,
            headerTimeout: .seconds(configuration.headerTimeoutSeconds),
            bodyTimeout: .seconds(configuration.bodyTimeoutSeconds),
            keepAliveTimeout: .seconds(configuration.keepAliveTimeoutSeconds),
            trustedProxies: configuration.trustedProxies)
    }
}
