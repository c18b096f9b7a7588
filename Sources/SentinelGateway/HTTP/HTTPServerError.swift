#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import SentinelCore

/// The HTTP server could not listen: names the address (or the inherited socket) and the system's reason, so
/// "address already in use" says which address.
public struct HTTPServerError: Error, CustomStringConvertible {
    /// What could not be listened on: `127.0.0.1:8080`, or `the socket-activated descriptor 3`.
    public let listener: String
    /// The system's reason, in words.
    public let reason: String

    init(listener: HTTPServer.Listener, underlying: any Error) {
        switch listener {
        case .address(let address): self.listener = address.description
        case .fileDescriptor(let descriptor): self.listener = "the socket-activated descriptor \(descriptor)"
        }
        if let error = underlying as? IOError {
            reason = String(cString: strerror(error.errnoCode))
        } else {
            reason = "\(underlying)"
        }
    }

    public var description: String { "cannot listen for HTTP on \(listener): \(reason)" }
}
