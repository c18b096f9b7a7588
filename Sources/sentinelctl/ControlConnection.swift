import Foundation
import SentinelControlAPI
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
    static let interface = ManagerAPI.interface

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

    /// Calls a typed method; the reply comes typed, and as it was sent (what `--json` prints).
    func call<Method: ManagerMethod>(
        _ method: Method.Type, _ parameters: Method.Parameters
    ) throws -> (reply: Method.Reply, raw: [String: JSONValue]) {
        let raw = try call(Method.name, try ManagerAPI.object(parameters))
        return (try Self.decode(Method.Reply.self, raw), raw)
    }

    /// Calls a typed method that takes no parameters.
    func call<Method: ManagerMethod>(_ method: Method.Type) throws -> (reply: Method.Reply, raw: [String: JSONValue])
    where Method.Parameters == ManagerAPI.Empty {
        try call(method, ManagerAPI.Empty())
    }

    /// Calls a typed method with `more`, handing each reply to `body` (typed and as sent) until the stream ends.
    func callMore<Method: ManagerMethod>(
        _ method: Method.Type, _ parameters: Method.Parameters, body: (Method.Reply, [String: JSONValue]) throws -> Bool
    ) throws {
        try callMore(Method.name, try ManagerAPI.object(parameters)) { raw in try body(try Self.decode(Method.Reply.self, raw), raw) }
    }

    static func decode<Reply: Decodable>(_ type: Reply.Type, _ raw: [String: JSONValue]) throws -> Reply {
        do {
            return try ManagerAPI.decode(type, from: raw)
        } catch {
            throw CLIError(message: "the daemon sent a reply this sentinelctl cannot read (\(error)); are sentinelctl and sentineld the same version?")
        }
    }

    /// Calls with `more`, handing each reply to `body` until the stream ends.
    func callMore(_ method: String, _ parameters: [String: JSONValue] = [:], body: ([String: JSONValue]) throws -> Bool) throws {
        do {
            try client.callMore(Self.interface + "." + method, parameters, body: body)
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
        if let named = ManagerError(qualifiedName: error.name, parameters: error.parameters) { return explain(named) }
        func s(_ key: String) -> String { error.parameters[key]?.stringValue ?? "?" }
        switch error.name {
        case VarlinkError.permissionDenied.name:
            return "permission denied: the control socket needs root or membership in the control group"
        case "org.varlink.service.InvalidParameter": return "invalid parameter '\(s("parameter"))'"
        case "org.varlink.service.MethodNotFound", "org.varlink.service.InterfaceNotFound":
            return "the daemon does not know this call (\(error)); are sentinelctl and sentineld the same version?"
        default: return error.description
        }
    }

    /// A sentence for one of the interface's own errors.
    static func explain(_ error: ManagerError) -> String {
        switch error {
        case .noSuchServer(let name): "no server named '\(name)'"
        case .noSuchEndpoint(let name): "no endpoint named '\(name)'"
        case .noSuchUser(let name): "no user named '\(name)'"
        case .noSuchSession(let id): "no session with id '\(id)'"
        case .noSuchTool(let endpoint, let tool, let reason):
            "endpoint '\(endpoint)' has no tool '\(tool)': \(reason)"
                + (reason.contains("sentinelctl") ? "" : " (see: sentinelctl endpoint tools \(endpoint))")
        case .noSuchPrompt(let endpoint, let prompt, let reason):
            "endpoint '\(endpoint)' has no prompt '\(prompt)': \(reason)"
                + (reason.contains("sentinelctl") ? "" : " (see: sentinelctl endpoint prompts \(endpoint))")
        case .serverExists(let name): "a server named '\(name)' already exists"
        case .endpointExists(let name): "an endpoint named '\(name)' already exists"
        case .userExists(let name): "a user named '\(name)' already exists"
        case .serverInUse(let name, let endpoints):
            "server '\(name)' is attached to endpoint(s) \(endpoints.joined(separator: ", ")); detach it or use --force"
        case .serverNotAttached(let endpoint, let server): "server '\(server)' is not attached to endpoint '\(endpoint)'"
        case .secretKeyNotRotatable: VarlinkError(error.name.qualified, error.parameters).description
        case .invalidValue(let field, let reason): "\(field): \(reason)"
        case .internalError(let message): "the daemon failed: \(message)"
        }
    }
}
