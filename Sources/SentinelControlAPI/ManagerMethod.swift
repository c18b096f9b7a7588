import Foundation
public import SentinelCore

/// One method of `io.sentinel.Manager`: its name, parameters and reply, shared by sentineld
/// (which serves it) and sentinelctl (which calls it).
///
/// The IDL text (`ManagerIDL`) stays the published interface; a test checks that every method
/// here and there agrees, field by field, with the same optionality.
public protocol ManagerMethod: Sendable {
    associatedtype Parameters: Codable & Sendable
    associatedtype Reply: Codable & Sendable
    /// The method's name in the interface, without the interface prefix.
    static var name: String { get }
}

/// The `io.sentinel.Manager` interface.
public enum ManagerAPI {
    public static let interface = "io.sentinel.Manager"

    /// The parameters or reply of a method that has none: `()`.
    public struct Empty: Codable, Sendable, Equatable {
        public init() {}
    }

    /// `value` as the JSON object a varlink call or reply carries (absent optionals left out).
    public static func object(_ value: some Encodable) throws -> [String: JSONValue] {
        try JSONValue.parse(JSONEncoder.sorted.encode(value)).objectValue ?? [:]
    }

    /// A typed value from the JSON object a varlink call or reply carries.
    public static func decode<Value: Decodable>(_ type: Value.Type, from object: [String: JSONValue]) throws -> Value {
        try JSONDecoder().decode(type, from: Data(JSONValue.object(object).text().utf8))
    }
}

extension JSONEncoder {
    fileprivate static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}
