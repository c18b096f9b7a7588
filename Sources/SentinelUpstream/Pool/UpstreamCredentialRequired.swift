/// A call needs a credential its owner has not connected, or one that expired; `message` says where to connect it.
///
/// The gateway answers the call with a tool error carrying `message` (not a protocol error), so the
/// model can pass it on to the user.
public struct UpstreamCredentialRequired: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
