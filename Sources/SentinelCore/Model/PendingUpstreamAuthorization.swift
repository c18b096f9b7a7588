/// An upstream OAuth flow in progress, as the callback needs it back.
public struct PendingUpstreamAuthorization: Sendable, Equatable {
    public var server: String
    public var user: String?
    public var codeVerifier: String
    public var returnTo: String

    public init(server: String, user: String?, codeVerifier: String, returnTo: String) {
        self.server = server
        self.user = user
        self.codeVerifier = codeVerifier
        self.returnTo = returnTo
    }
}
