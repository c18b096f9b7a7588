@testable import SentinelControl
import SentinelControlAPI
import SentinelCore
import SentinelVarlink
import Testing

/// The typed control API (`SentinelControlAPI`) and the published IDL (`ManagerIDL`) say the same
/// thing: every method, its parameter and reply fields at any depth, which of them are optional, and
/// every error with its parameters. A field added, renamed or made optional on one side only fails here.
struct ControlAPIAgreementTests {
    static let definition = try! VarlinkInterfaceDefinition(parsing: ManagerIDL.text)

    /// A value of `type` with every optional field present (`full`) or absent (`!full`), at any depth.
    static func sample(_ type: VarlinkType, full: Bool) -> JSONValue? {
        switch type {
        case .bool: return true
        case .int: return 7
        case .float: return 1.5
        case .string: return "s"
        case .object: return ["key": "value"]
        case .set: return ["key": [:]]
        case .named(let name): return definition.types[name].flatMap { sample($0, full: full) }
        case .array(let element): return sample(element, full: full).map { .array([$0]) }
        case .map(let element): return sample(element, full: full).map { .object(["key": $0]) }
        case .optional(let inner): return full ? sample(inner, full: full) : nil
        case .structure(let fields): return .object(sample(fields, full: full))
        case .enumeration(let cases): return cases.first.map(JSONValue.string)
        }
    }

    static func sample(_ fields: [VarlinkField], full: Bool) -> [String: JSONValue] {
        var object: [String: JSONValue] = [:]
        for field in fields { object[field.name] = sample(field.type, full: full) }
        return object
    }

    /// Decodes an IDL-shaped object into `type` and encodes it back: equal only if the fields agree.
    static func roundTrip<Value: Codable>(_ type: Value.Type, _ object: [String: JSONValue]) throws -> [String: JSONValue] {
        try ManagerAPI.object(ManagerAPI.decode(type, from: object))
    }

    static func check<Method: ManagerMethod>(_ method: Method.Type) throws {
        let idl = try #require(definition.methods[Method.name], "\(Method.name) is not in the IDL")
        for full in [true, false] {
            let parameters = sample(idl.input, full: full)
            #expect(try roundTrip(Method.Parameters.self, parameters) == parameters, "parameters of \(Method.name), full: \(full)")
            let reply = sample(idl.output, full: full)
            #expect(try roundTrip(Method.Reply.self, reply) == reply, "reply of \(Method.name), full: \(full)")
        }
    }

    @Test func everyTypedMethodAgreesWithTheIDL() throws {
        for method in ManagerAPI.methods { try Self.check(method) }
    }

    @Test func everyIDLMethodIsTyped() {
        let typed = Set(ManagerAPI.methods.map { $0.name })
        #expect(typed.count == ManagerAPI.methods.count)
        #expect(typed == Set(Self.definition.methods.keys))
    }

    @Test func everyErrorAgreesWithTheIDL() throws {
        #expect(Set(ManagerError.Name.allCases.map(\.rawValue)) == Set(Self.definition.errors.keys))
        for (name, fields) in Self.definition.errors {
            let parameters = Self.sample(fields, full: true)
            let error = try #require(ManagerError(qualifiedName: "io.sentinel.Manager." + name, parameters: parameters))
            #expect(error.name.rawValue == name)
            #expect(error.parameters == parameters, "parameters of \(name)")
        }
    }
}
