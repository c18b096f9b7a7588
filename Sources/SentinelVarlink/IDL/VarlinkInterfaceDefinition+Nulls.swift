public import SentinelCore

extension VarlinkInterfaceDefinition {
    /// `reply` with every absent optional field of the method's output written as `null`, at any depth.
    ///
    /// Typed replies encoded with `Codable` leave absent optionals out; clients that print a reply
    /// as it came (`sentinelctl --json`) show each declared field, so the server sends them all.
    public func presentingAbsentOptionals(in reply: [String: JSONValue], method: String) -> [String: JSONValue] {
        guard let definition = methods[method] else { return reply }
        return presentingAbsentOptionals(in: reply, fields: definition.output)
    }

    func presentingAbsentOptionals(in object: [String: JSONValue], fields: [VarlinkField]) -> [String: JSONValue] {
        var result = object
        for field in fields {
            if let value = object[field.name] {
                result[field.name] = presentingAbsentOptionals(in: value, type: field.type)
            } else if case .optional = field.type {
                result[field.name] = .null
            }
        }
        return result
    }

    func presentingAbsentOptionals(in value: JSONValue, type: VarlinkType) -> JSONValue {
        switch (type, value) {
        case (.optional(let inner), _):
            return value.isNull ? value : presentingAbsentOptionals(in: value, type: inner)
        case (.named(let name), _):
            return types[name].map { presentingAbsentOptionals(in: value, type: $0) } ?? value
        case (.array(let element), .array(let items)):
            return .array(items.map { presentingAbsentOptionals(in: $0, type: element) })
        case (.map(let element), .object(let object)):
            return .object(object.mapValues { presentingAbsentOptionals(in: $0, type: element) })
        case (.structure(let fields), .object(let object)):
            return .object(presentingAbsentOptionals(in: object, fields: fields))
        default:
            return value
        }
    }
}
