public import SentinelCore

/// What a method handler returns: one reply, or a stream of them (only for calls with `more`).
public enum VarlinkResponse: Sendable {
    case reply([String: JSONValue])
    /// Each element is sent at once. The element with `continues: false` ends the call; a stream
    /// that finishes without one (an endless stream ended by shutdown) closes the connection.
    case stream(AsyncThrowingStream<VarlinkStreamReply, any Error>)
}

/// One reply of a `more` call.
public struct VarlinkStreamReply: Sendable {
    public var parameters: [String: JSONValue]
    /// Whether more replies follow.
    public var continues: Bool

    public init(_ parameters: [String: JSONValue], continues: Bool) {
        self.parameters = parameters
        self.continues = continues
    }
}

/// Who is calling, from the socket's peer credentials.
public struct VarlinkPeer: Sendable, Equatable {
    public var uid: UInt32
    public var gid: UInt32
    public var pid: Int32
    /// Supplementary groups of the peer process when the kernel reported them.
    public var groups: [UInt32]

    public init(uid: UInt32, gid: UInt32, pid: Int32, groups: [UInt32]) {
        self.uid = uid
        self.gid = gid
        self.pid = pid
        self.groups = groups
    }
}

/// A varlink interface a `VarlinkServer` serves.
public protocol VarlinkInterface: Sendable {
    /// The parsed IDL; calls are checked against it before `handle` sees them.
    var definition: VarlinkInterfaceDefinition { get }

    /// Handles one call whose parameters already match the IDL.
    func handle(_ call: VarlinkCall, peer: VarlinkPeer) async throws -> VarlinkResponse

    /// Turns a non-varlink error thrown by `handle` into a named error of this interface.
    func varlinkError(for error: any Error) -> VarlinkError
}
