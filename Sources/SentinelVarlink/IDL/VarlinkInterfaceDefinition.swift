public import SentinelCore

/// A parsed varlink interface description (the IDL text served by `GetInterfaceDescription`).
///
/// Parsing our own IDL at start-up means the text clients see is the same
/// schema every incoming call is checked against: one source of truth.
public struct VarlinkInterfaceDefinition: Sendable {
    public let name: String
    public let text: String
    public let types: [String: VarlinkType]
    public let methods: [String: VarlinkMethod]
    public let errors: [String: [VarlinkField]]

    /// Parses IDL text; throws `VarlinkIDLError` with the offending position.
    public init(parsing text: String) throws(VarlinkIDLError) {
        var parser = IDLParser(text: text)
        let parsed = try parser.parseInterface()
        self.name = parsed.name
        self.text = text
        self.types = parsed.types
        self.methods = parsed.methods
        self.errors = parsed.errors
    }

    /// Checks call parameters against a method's input; returns the dotted path of the first bad field.
    public func invalidParameter(in parameters: [String: JSONValue], method: String) -> String? {
        guard let definition = methods[method] else { return nil }
        return invalidField(in: parameters, fields: definition.input, path: "")
    }

    /// Checks reply parameters against a method's output (used by tests and debug builds).
    public func invalidReplyField(in parameters: [String: JSONValue], method: String) -> String? {
        guard let definition = methods[method] else { return method }
        return invalidField(in: parameters, fields: definition.output, path: "")
    }

    func invalidField(in object: [String: JSONValue], fields: [VarlinkField], path: String) -> String? {
        for key in object.keys.sorted() where !fields.contains(where: { $0.name == key }) {
            return path + key
        }
        for field in fields {
            let value = object[field.name]
            if let problem = invalid(value, type: field.type, path: path + field.name) { return problem }
        }
        return nil
    }

    func invalid(_ value: JSONValue?, type: VarlinkType, path: String) -> String? {
        if case .optional(let inner) = type {
            guard let value, !value.isNull else { return nil }
            return invalid(value, type: inner, path: path)
        }
        guard let value, !value.isNull else { return path }
        switch type {
        case .bool: return value.isBool ? nil : path
        case .int: return value.isInteger ? nil : path
        case .float: return value.isNumber ? nil : path
        case .string: return value.string != nil ? nil : path
        case .object: return value.object != nil ? nil : path
        case .set: return value.object != nil ? nil : path
        case .named(let name):
            guard let resolved = types[name] else { return path }
            return invalid(value, type: resolved, path: path)
        case .array(let element):
            guard let items = value.array else { return path }
            for (index, item) in items.enumerated() {
                if let problem = invalid(item, type: element, path: "\(path)[\(index)]") { return problem }
            }
            return nil
        case .map(let element):
            guard let object = value.object else { return path }
            for key in object.keys.sorted() {
                if let problem = invalid(object[key], type: element, path: "\(path).\(key)") { return problem }
            }
            return nil
        case .optional(let inner):
            return invalid(value, type: inner, path: path)
        case .structure(let fields):
            guard let object = value.object else { return path }
            return invalidField(in: object, fields: fields, path: path + ".")
        case .enumeration(let cases):
            guard let text = value.string, cases.contains(text) else { return path }
            return nil
        }
    }
}

/// Why IDL text could not be parsed.
public struct VarlinkIDLError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var line: Int
    public var description: String { "line \(line): \(message)" }
}
