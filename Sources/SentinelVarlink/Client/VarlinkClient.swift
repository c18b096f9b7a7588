import Foundation
#if canImport(Glibc)
import Glibc
#endif
public import SentinelCore

/// A blocking varlink client over a unix socket, for command-line tools.
///
/// One call at a time; replies are read in order. Not for use from async
/// code on a shared executor (it blocks the thread while waiting).
public final class VarlinkClient {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    /// The address this client connected to, `unix:PATH`.
    public let address: String

    /// Connects to `unix:/path` (or a bare path).
    public init(address: String) throws(VarlinkClientError) {
        let path = address.hasPrefix("unix:") ? String(address.dropFirst(5)) : address
        guard !path.isEmpty, !path.contains(";") else { throw VarlinkClientError.badAddress(address) }
        self.address = "unix:" + path
        let socketDescriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socketDescriptor >= 0 else { throw VarlinkClientError.connect(path: path, errno: errno) }
        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: storage.sun_path) else {
            close(socketDescriptor)
            throw VarlinkClientError.badAddress(address)
        }
        withUnsafeMutableBytes(of: &storage.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }
        let result = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                connect(socketDescriptor, address, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(socketDescriptor)
            throw VarlinkClientError.connect(path: path, errno: code)
        }
        descriptor = socketDescriptor
    }

    deinit {
        close(descriptor)
    }

    /// Calls a method and returns its reply parameters; a varlink error reply throws `VarlinkCallError`.
    public func call(_ method: String, _ parameters: [String: JSONValue] = [:]) throws -> [String: JSONValue] {
        try send(VarlinkCall(method: method, parameters: parameters).message)
        let reply = try receive()
        return try Self.parameters(of: reply)
    }

    /// Calls a method with `more` and passes each reply to `body` until the server ends the
    /// stream or `body` returns false.
    public func callMore(
        _ method: String, _ parameters: [String: JSONValue] = [:], body: ([String: JSONValue]) throws -> Bool
    ) throws {
        try send(VarlinkCall(method: method, parameters: parameters, more: true).message)
        while true {
            let reply = try receive()
            let values = try Self.parameters(of: reply)
            guard try body(values) else { return }
            guard reply["continues"]?.boolValue == true else { return }
        }
    }

    /// Sends a raw message followed by NUL (tests use this to send malformed input).
    public func send(_ message: JSONValue) throws(VarlinkClientError) {
        try sendRaw(Array(message.serialized()) + [0])
    }

    /// Writes bytes as they are.
    public func sendRaw(_ bytes: [UInt8]) throws(VarlinkClientError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { raw in
                Glibc.send(descriptor, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw VarlinkClientError.io(errno: errno)
            }
            offset += written
        }
    }

    /// Reads one NUL-terminated reply.
    public func receive() throws(VarlinkClientError) -> JSONValue {
        while true {
            if let end = buffer.firstIndex(of: 0) {
                let frame = Array(buffer[..<end])
                buffer.removeSubrange(...end)
                guard let value = try? JSONValue.parse(Data(frame)) else {
                    throw VarlinkClientError.protocolViolation("reply is not JSON")
                }
                return value
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { raw in recv(descriptor, raw.baseAddress, raw.count, 0) }
            if count < 0 {
                if errno == EINTR { continue }
                throw VarlinkClientError.io(errno: errno)
            }
            if count == 0 { throw VarlinkClientError.closed }
            buffer += chunk[..<count]
        }
    }

    static func parameters(of reply: JSONValue) throws -> [String: JSONValue] {
        guard let object = reply.objectValue else { throw VarlinkClientError.protocolViolation("reply is not an object") }
        let parameters = object["parameters"]?.objectValue ?? [:]
        if let error = object["error"]?.stringValue {
            throw VarlinkError(error, parameters)
        }
        return parameters
    }
}

/// Why a varlink client could not talk to the server (as opposed to an error reply).
public enum VarlinkClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case badAddress(String)
    case connect(path: String, errno: Int32)
    case io(errno: Int32)
    case closed
    case protocolViolation(String)

    public var description: String {
        switch self {
        case .badAddress(let address): "invalid address '\(address)' (expected unix:PATH)"
        case .connect(let path, let code): "cannot connect to \(path): \(String(cString: strerror(code)))"
        case .io(let code): "control socket I/O failed: \(String(cString: strerror(code)))"
        case .closed: "the daemon closed the connection"
        case .protocolViolation(let what): "protocol error: \(what)"
        }
    }
}
