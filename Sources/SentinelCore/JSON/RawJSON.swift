/// JSON text kept as bytes, passed through without being decoded.
///
/// The gateway forwards tool arguments and results this way: only the
/// JSON-RPC envelope is decoded, so a client's numbers, key order and
/// escapes reach the upstream exactly as sent, and back.
public struct RawJSON: Sendable, Hashable {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = Array(bytes)
    }

    /// The serialised form of a decoded value.
    public init(_ value: JSONValue) {
        self.bytes = Array(value.serialized())
    }

    /// JSON text of a string value, escaped.
    public init(string: String) {
        // Names, ids and versions are plain ASCII: quoted as they are, without an encoder per string
        // (the gateway builds several per call). Anything that needs escaping goes through JSONEncoder.
        let utf8 = string.utf8
        let plain = utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        if plain {
            var out: [UInt8] = []
            out.reserveCapacity(utf8.count + 2)
            out.append(UInt8(ascii: "\""))
            out += utf8
            out.append(UInt8(ascii: "\""))
            self.bytes = out
        } else {
            self.bytes = Array(JSONValue.string(string).serialized())
        }
    }

    /// Decodes a JSON string value (nil if `slice` is not one). Strings without escapes, the common
    /// case for names, versions and ids, are taken as they are, without a decoder.
    public static func string(from slice: ArraySlice<UInt8>) -> String? {
        guard slice.count >= 2, slice.first == UInt8(ascii: "\""), slice.last == UInt8(ascii: "\"") else { return nil }
        if !slice.contains(UInt8(ascii: "\\")), !slice.contains(where: { $0 < 0x20 }) {
            return String(validating: slice.dropFirst().dropLast(), as: UTF8.self)
        }
        return (try? JSONValue.parse(String(decoding: slice, as: UTF8.self)))?.stringValue
    }

    public static let null = RawJSON(Array("null".utf8))
    public static let emptyObject = RawJSON(Array("{}".utf8))

    /// Decodes the bytes (for the few places that must look inside).
    public func decoded() throws -> JSONValue {
        try JSONValue.parse(String(decoding: bytes, as: UTF8.self))
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Builds a JSON object from members whose values are already JSON text.
    public static func object(_ members: [(String, RawJSON)]) -> RawJSON {
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (index, (key, value)) in members.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += RawJSON(string: key).bytes
            out.append(UInt8(ascii: ":"))
            out += value.bytes
        }
        out.append(UInt8(ascii: "}"))
        return RawJSON(out)
    }
}
