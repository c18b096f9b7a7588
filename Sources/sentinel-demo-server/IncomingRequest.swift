import SentinelCore

/// A request that passed JSON-RPC validation; its params may still be wrong for its method.
struct IncomingRequest: Sendable {
    var id: RequestID
    var method: String
    var params: [String: JSONValue]

    /// `params._meta`, when it is an object.
    var meta: [String: JSONValue]? { params["_meta"]?.objectValue }
}
