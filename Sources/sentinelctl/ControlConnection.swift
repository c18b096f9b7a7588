import Foundation
import SentinelCore
import SentinelVarlink

/// A failure to report as one line, with the exit code to use.
struct CLIError: Error {
    var message: String
    var exitCode: Int32 = 1
}

/// The varlink connection to sentineld, with errors turned into sentences.
struct ControlConnection {
    let client: VarlinkClient
    static let interface = "io.sentinel.Manager"

    init(address: String) throws {
        do {
            client = try VarlinkClient(address: address)
        } catch {
            throw CLIError(message: "\(error) (is sentineld running? use --address or SENTINEL_ADDRESS)", exitCode: 69)
        }
    }

    /// Calls `io.sentinel.Manager.<method>`.
    func call(_ method: String, _ parameters: [String: JSONValue] = [:]) throws -> [String: JSONValue] {
        do {
            return try client.call(Self.interface + "." + method, parameters.filter { !$0.value.isNull })
        } catch let error as VarlinkError {
            throw CLIError(message: Self.explain(error))
        } catch {
            throw CLIError(message: "\(error)", exitCode: 69)
        }
    }

    /// Calls with `more`, handing each reply to `body` until the stream ends.
    func callMore(_ method: String, body: ([String: JSONValue]) throws -> Bool) throws {
        do {
            try client.callMore(Self.interface + "." + method, [:], body: body)
        } catch let error as VarlinkError {
            throw CLIError(message: Self.explain(error))
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError(message: "\(error)", exitCode: 69)
        }
    }

    /// A sentence for a named varlink error.
    static func explain(_ error: VarlinkError) -> String {
        let p = error.parameters
        func s(_ key: String) -> String { p[key]?.stringValue ?? "?" }
        switch error.name {
        case "io.sentinel.Manager.NoSuchServer": return "no server named '\(s("name"))'"
        case "io.sentinel.Manager.NoSuchEndpoint": return "no endpoint named '\(s("name"))'"
        case "io.sentinel.Manager.NoSuchUser": return "no user named '\(s("name"))'"
        case "io.sentinel.Manager.NoSuchSession": return "no session with id '\(s("id"))'"
        case "io.sentinel.Manager.NoSuchTool": return "endpoint '\(s("endpoint"))' has no tool '\(s("tool"))' (see: sentinelctl endpoint tools \(s("endpoint")))"
        case "io.sentinel.Manager.ServerExists": return "a server named '\(s("name"))' already exists"
        case "io.sentinel.Manager.EndpointExists": return "an endpoint named '\(s("name"))' already exists"
        case "io.sentinel.Manager.UserExists": return "a user named '\(s("name"))' already exists"
        case "io.sentinel.Manager.ServerInUse":
            let endpoints = p["endpoints"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ", ") ?? ""
            return "server '\(s("name"))' is attached to endpoint(s) \(endpoints); detach it or use --force"
        case "io.sentinel.Manager.ServerNotAttached": return "server '\(s("server"))' is not attached to endpoint '\(s("endpoint"))'"
        case "io.sentinel.Manager.InvalidValue": return "\(s("field")): \(s("reason"))"
        case "io.sentinel.Manager.InternalError": return "the daemon failed: \(s("message"))"
        case "org.varlink.service.PermissionDenied":
            return "permission denied: the control socket needs root or membership in the control group"
        case "org.varlink.service.InvalidParameter": return "invalid parameter '\(s("parameter"))'"
        case "org.varlink.service.MethodNotFound", "org.varlink.service.InterfaceNotFound":
            return "the daemon does not know this call (\(error)); are sentinelctl and sentineld the same version?"
        default: return error.description
        }
    }
}
