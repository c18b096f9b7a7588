public import SentinelCore

/// One decoded varlink method call.
public struct VarlinkCall: Sendable {
    /// Fully qualified method, `interface.Method`.
    public var method: String
    public var parameters: [String: JSONValue]
    public var oneway: Bool
    public var more: Bool
    public var upgrade: Bool

    public init(method: String, parameters: [String: JSONValue] = [:], oneway: Bool = false, more: Bool = false, upgrade: Bool = false) {
        self.method = method
        self.parameters = parameters
        self.oneway = oneway
        self.more = more
        self.upgrade = upgrade
    }

    /// The interface part of `method`.
    public var interface: String {
        guard let dot = method.lastIndex(of: ".") else { return "" }
        return String(method[..<dot])
    }

    /// The member part of `method`.
    public var member: String {
        guard let dot = method.lastIndex(of: ".") else { return method }
        return String(method[method.index(after: dot)...])
    }

    /// Decodes a call message; nil when the message is not a well-formed call (the connection is then closed).
    public init?(message: JSONValue) {
        guard let object = message.objectValue, let method = object["method"]?.stringValue, !method.isEmpty else { return nil }
        var parameters: [String: JSONValue] = [:]
        switch object["parameters"] {
        case nil, .null?: break
        case .object(let value)?: parameters = value
        default: return nil
        }
        func flag(_ name: String) -> Bool? {
            switch object[name] {
            case nil, .null?: return false
            case .bool(let value)?: return value
            default: return nil
            }
        }
        guard let oneway = flag("oneway"), let more = flag("more"), let upgrade = flag("upgrade") else { return nil }
        self.init(method: method, parameters: parameters, oneway: oneway, more: more, upgrade: upgrade)
    }

    /// The wire form of this call.
    public var message: JSONValue {
        var object: [String: JSONValue] = ["method": .string(method)]
        if !parameters.isEmpty { object["parameters"] = .object(parameters) }
        if oneway { object["oneway"] = true }
        if more { object["more"] = true }
        if upgrade { object["upgrade"] = true }
        return .object(object)
    }
}
