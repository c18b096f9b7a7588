public import SentinelCore

/// Settings of the authorization server, from `sentineld.conf`.
public struct AuthSettings: Sendable {
    /// The issuer and base of every URL Sentinel publishes (`[HTTP] PublicURL`), without a trailing slash.
    public var issuer: String
    public var durations: AccessDurations
    /// Lifetime of an access token in seconds (never beyond its grant).
    public var accessTokenLifetime: Int
    /// How long a browser sign-in on the consent pages lasts, in seconds.
    public var signInLifetime: Int
    /// Whether client-ID metadata documents may be fetched from loopback or private addresses (and over http).
    public var clientMetadataPrivateTargets: Bool

    public init(
        issuer: String, durations: AccessDurations = AccessDurations(), accessTokenLifetime: Int = 3600,
        signInLifetime: Int = 12 * 3600, clientMetadataPrivateTargets: Bool = false
    ) {
        self.issuer = issuer
        self.durations = durations
        self.accessTokenLifetime = accessTokenLifetime
        self.signInLifetime = signInLifetime
        self.clientMetadataPrivateTargets = clientMetadataPrivateTargets
    }

    /// Cookies get `Secure` when the public URL is https.
    var secureCookies: Bool { issuer.hasPrefix("https://") }

    /// The endpoint URL (the OAuth resource) of `endpoint`.
    public func resource(endpoint: String) -> String { issuer + "/mcp/" + endpoint }

    /// The endpoint name a resource URL names, if it is one of ours (a trailing slash is tolerated).
    public func endpoint(forResource resource: String) -> String? {
        let prefix = issuer + "/mcp/"
        guard resource.hasPrefix(prefix) else { return nil }
        var name = String(resource.dropFirst(prefix.count))
        if name.hasSuffix("/") { name.removeLast() }
        return EntityName.problem(with: name, kind: .endpoint) == nil ? name : nil
    }
}
