public import SentinelCore

/// The named errors of `io.sentinel.Manager`, with what each carries: the one place their names
/// and parameters are spelled (sentineld raises them, sentinelctl explains them).
public enum ManagerError: Error, Sendable, Equatable {
    case noSuchServer(name: String)
    case noSuchEndpoint(name: String)
    case noSuchUser(name: String)
    case noSuchSession(id: String)
    /// `reason` says why in words (no server part, a server not attached, a catalog that does not list it).
    case noSuchTool(endpoint: String, tool: String, reason: String)
    /// `reason` says why in words, as for `noSuchTool`.
    case noSuchPrompt(endpoint: String, prompt: String, reason: String)
    case serverExists(name: String)
    case endpointExists(name: String)
    case userExists(name: String)
    case serverInUse(name: String, endpoints: [String])
    case serverNotAttached(endpoint: String, server: String)
    case secretKeyNotRotatable(reason: String)
    case invalidValue(field: String, reason: String)
    case internalError(message: String)

    /// The error's name in the interface, without the interface prefix.
    public enum Name: String, Sendable, CaseIterable {
        case noSuchServer = "NoSuchServer"
        case noSuchEndpoint = "NoSuchEndpoint"
        case noSuchUser = "NoSuchUser"
        case noSuchSession = "NoSuchSession"
        case noSuchTool = "NoSuchTool"
        case noSuchPrompt = "NoSuchPrompt"
        case serverExists = "ServerExists"
        case endpointExists = "EndpointExists"
        case userExists = "UserExists"
        case serverInUse = "ServerInUse"
        case serverNotAttached = "ServerNotAttached"
        case secretKeyNotRotatable = "SecretKeyNotRotatable"
        case invalidValue = "InvalidValue"
        case internalError = "InternalError"

        /// `io.sentinel.Manager.<name>`, as a varlink reply names the error.
        public var qualified: String { ManagerAPI.interface + "." + rawValue }
    }

    public var name: Name {
        switch self {
        case .noSuchServer: .noSuchServer
        case .noSuchEndpoint: .noSuchEndpoint
        case .noSuchUser: .noSuchUser
        case .noSuchSession: .noSuchSession
        case .noSuchTool: .noSuchTool
        case .noSuchPrompt: .noSuchPrompt
        case .serverExists: .serverExists
        case .endpointExists: .endpointExists
        case .userExists: .userExists
        case .serverInUse: .serverInUse
        case .serverNotAttached: .serverNotAttached
        case .secretKeyNotRotatable: .secretKeyNotRotatable
        case .invalidValue: .invalidValue
        case .internalError: .internalError
        }
    }

    /// The error's parameters on the wire.
    public var parameters: [String: JSONValue] {
        switch self {
        case .noSuchServer(let name), .noSuchEndpoint(let name), .noSuchUser(let name), .serverExists(let name),
            .endpointExists(let name), .userExists(let name):
            ["name": .string(name)]
        case .noSuchSession(let id): ["id": .string(id)]
        case .noSuchTool(let endpoint, let tool, let reason):
            ["endpoint": .string(endpoint), "tool": .string(tool), "reason": .string(reason)]
        case .noSuchPrompt(let endpoint, let prompt, let reason):
            ["endpoint": .string(endpoint), "prompt": .string(prompt), "reason": .string(reason)]
        case .serverInUse(let name, let endpoints): ["name": .string(name), "endpoints": JSONValue(endpoints)]
        case .serverNotAttached(let endpoint, let server): ["endpoint": .string(endpoint), "server": .string(server)]
        case .secretKeyNotRotatable(let reason): ["reason": .string(reason)]
        case .invalidValue(let field, let reason): ["field": .string(field), "reason": .string(reason)]
        case .internalError(let message): ["message": .string(message)]
        }
    }

    /// The error a varlink reply names, or nil when it is not one of this interface's
    /// (missing parameters read as "?", so a sentence can still be made of it).
    public init?(qualifiedName: String, parameters: [String: JSONValue]) {
        guard qualifiedName.hasPrefix(ManagerAPI.interface + "."),
            let name = Name(rawValue: String(qualifiedName.dropFirst(ManagerAPI.interface.count + 1)))
        else { return nil }
        func text(_ key: String) -> String { parameters[key]?.stringValue ?? "?" }
        switch name {
        case .noSuchServer: self = .noSuchServer(name: text("name"))
        case .noSuchEndpoint: self = .noSuchEndpoint(name: text("name"))
        case .noSuchUser: self = .noSuchUser(name: text("name"))
        case .noSuchSession: self = .noSuchSession(id: text("id"))
        case .noSuchTool: self = .noSuchTool(endpoint: text("endpoint"), tool: text("tool"), reason: text("reason"))
        case .noSuchPrompt: self = .noSuchPrompt(endpoint: text("endpoint"), prompt: text("prompt"), reason: text("reason"))
        case .serverExists: self = .serverExists(name: text("name"))
        case .endpointExists: self = .endpointExists(name: text("name"))
        case .userExists: self = .userExists(name: text("name"))
        case .serverInUse:
            self = .serverInUse(name: text("name"), endpoints: parameters["endpoints"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        case .serverNotAttached: self = .serverNotAttached(endpoint: text("endpoint"), server: text("server"))
        case .secretKeyNotRotatable: self = .secretKeyNotRotatable(reason: text("reason"))
        case .invalidValue: self = .invalidValue(field: text("field"), reason: text("reason"))
        case .internalError: self = .internalError(message: text("message"))
        }
    }
}
