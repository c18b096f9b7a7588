/// A call needs a credential its owner has not connected, or one that expired; `message` says where to connect it.
///
/// The gateway answers the call with a tool error carrying `message` (not a protocol error), so the
/// model can pass it on to the user. When the caller can connect it themselves (`connectURL`) and their client
/// declared URL-mode elicitation, the gateway asks the client to open that page instead (the spec's mechanism for
/// "connect your account"), with `message` as the elicitation's text.
public struct UpstreamCredentialRequired: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The server whose credential is needed (nil when not known to the thrower).
    public var server: String?
    /// The page where the caller connects or re-authenticates the credential themselves, pointing at `server`; nil
    /// when only an administrator can (a shared credential) or the call has no signed-in user.
    public var connectURL: String?

    public init(_ message: String, server: String? = nil, connectURL: String? = nil) {
        self.message = message
        self.server = server
        self.connectURL = connectURL
    }

    public var description: String { message }
}
