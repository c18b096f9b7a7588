// Fuzzes the varlink IDL parser (the interface text served by GetInterfaceDescription and checked at start-up).
//
// Invariants:
// - Parse → print → parse gives the same interface: name, types, methods and errors. The printer writes the
//   canonical form of each definition, without comments or line breaks inside definitions.
// - Every type a definition names is defined (the parser checks references).
import FuzzDriver
import SentinelCore

func printed(_ type: VarlinkType) -> String {
    switch type {
    case .bool: "bool"
    case .int: "int"
    case .float: "float"
    case .string: "string"
    case .object: "object"
    case .named(let name): name
    case .array(let element): "[]" + printed(element)
    case .map(let element): "[string]" + printed(element)
    case .set: "[string]()"
    case .optional(let inner): "?" + printed(inner)
    case .structure(let fields): printed(fields)
    case .enumeration(let cases): "(" + cases.joined(separator: ", ") + ")"
    }
}

func printed(_ fields: [VarlinkField]) -> String {
    "(" + fields.map { "\($0.name): \(printed($0.type))" }.joined(separator: ", ") + ")"
}

func printed(_ definition: VarlinkInterfaceDefinition) -> String {
    var lines = ["interface \(definition.name)"]
    for (name, type) in definition.types.sorted(by: { $0.key < $1.key }) { lines.append("type \(name) \(printed(type))") }
    for (name, method) in definition.methods.sorted(by: { $0.key < $1.key }) {
        invariant(method.name == name, "a method filed under another name")
        lines.append("method \(name)\(printed(method.input)) -> \(printed(method.output))")
    }
    for (name, fields) in definition.errors.sorted(by: { $0.key < $1.key }) { lines.append("error \(name) \(printed(fields))") }
    return lines.joined(separator: "\n") + "\n"
}

func names(in type: VarlinkType) -> [String] {
    switch type {
    case .named(let name): [name]
    case .array(let inner), .map(let inner), .optional(let inner): names(in: inner)
    case .structure(let fields): fields.flatMap { names(in: $0.type) }
    default: []
    }
}

func check(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    guard let definition = try? VarlinkInterfaceDefinition(parsing: text) else { return }
    let referenced = definition.types.values.flatMap { names(in: $0) }
        + definition.methods.values.flatMap { ($0.input + $0.output).flatMap { names(in: $0.type) } }
    for name in referenced { invariant(definition.types[name] != nil, "\(name) is used but not defined") }
    let reprinted = printed(definition)
    let again: VarlinkInterfaceDefinition
    do {
        again = try VarlinkInterfaceDefinition(parsing: reprinted)
    } catch {
        invariantFailure("the printed interface does not parse (\(error)):\n\(reprinted)")
    }
    invariant(again.name == definition.name, "parse → print → parse changed the name")
    invariant(again.types == definition.types, "parse → print → parse changed the types:\n\(reprinted)")
    invariant(again.methods == definition.methods, "parse → print → parse changed the methods:\n\(reprinted)")
    invariant(again.errors == definition.errors, "parse → print → parse changed the errors:\n\(reprinted)")
}

Fuzz.run(check)
