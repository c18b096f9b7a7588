public import SentinelCore

/// Why a call to an upstream server failed.
public enum UpstreamError: Error, Sendable, CustomStringConvertible {
    /// The child process could not be started.
    case spawnFailed(String)
    /// The remote server could not be reached.
    case connectFailed(String)
    /// Initialization (or discovery) failed.
    case handshakeFailed(String)
    /// The process exited or the connection broke while the call was in flight.
    case connectionLost(String)
    /// No answer within the call timeout.
    case timeout(Duration)
    /// The upstream answered with a JSON-RPC error; `raw` is its error object.
    case rpc(code: Int, message: String, raw: RawJSON)
    /// The upstream broke the protocol (unparsable output, unexpected HTTP status…).
    case protocolViolation(String)
    /// The server refused the credential it was sent (HTTP 401).
    case unauthorized(String)
    /// An HTTP server answered a request with a 4xx or 5xx status and no JSON-RPC error: it refused
    /// or failed that request, which is not a fault in the protocol; `detail` is the start of its body.
    case httpStatus(Int, detail: String)

    public var description: String {
        switch self {
        case .spawnFailed(let why): "cannot start the server: \(why)"
        case .connectFailed(let why): "cannot reach the server: \(why)"
        case .handshakeFailed(let why): "the server failed to initialize: \(why)"
        case .connectionLost(let why): "the connection to the server was lost: \(why)"
        case .timeout(let limit): "the server did not answer within \(limit.components.seconds) s"
        case .rpc(let code, let message, _): "the server answered with error \(code): \(message)"
        case .protocolViolation(let why): "the server broke the MCP protocol: \(why)"
        case .unauthorized(let why): "the server refused the credential: \(why)"
        case .httpStatus(let status, let detail) where status < 500:
            "the server refused the request with HTTP \(status)" + (detail.isEmpty ? "" : ": \(detail)")
        case .httpStatus(let status, let detail):
            "the server failed with HTTP \(status)" + (detail.isEmpty ? "" : ": \(detail)")
        }
    }
}
