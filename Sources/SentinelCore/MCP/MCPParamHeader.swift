/// `Mcp-Param-{Name}` headers: tool arguments that a tool's `inputSchema` marks with `x-mcp-header`
/// and that 2026-07-28 clients mirror into HTTP headers (transports/streamable-http "Custom Headers
/// from Tool Parameters"). A server that reads the body must check them against it (-32020).
public struct MCPParamHeader: Sendable, Equatable {
    /// The chain of `properties` keys from the schema root to the annotated property.
    public var path: [String]
    /// The `x-mcp-header` value: the header is `Mcp-Param-{token}`.
    public var token: String
    /// The property's JSON Schema type: `string`, `integer` or `boolean`.
    public var type: String

    public init(path: [String], token: String, type: String) {
        self.path = path
        self.token = token
        self.type = type
    }

    public var headerName: String { MCPProtocol.Header.parameterPrefix + token }

    /// The schema keyword that marks a mirrored argument.
    public static let annotation = "x-mcp-header"
    static let primitiveTypes: Set<String> = ["string", "integer", "boolean"]
    /// Applicator keywords whose value is one schema, a list of schemas or a map of schemas. Only
    /// `properties` keeps a position statically reachable; instance data (`default`, `enum`, …) and
    /// `$ref` are never entered.
    static let singleSchemaKeywords: Set<String> = [
        "items", "contains", "unevaluatedItems", "additionalProperties", "propertyNames", "unevaluatedProperties",
        "not", "if", "then", "else", "contentSchema",
    ]
    static let schemaListKeywords: Set<String> = ["allOf", "anyOf", "oneOf", "prefixItems"]
    static let schemaMapKeywords: Set<String> = ["patternProperties", "dependentSchemas", "$defs", "definitions"]

    /// The headers a tool's input schema declares. Empty when it declares none, and when any
    /// annotation is invalid: conforming clients then drop the tool and send no headers, so
    /// there is nothing to check.
    public static func declared(by schema: JSONValue) -> [MCPParamHeader] {
        var found: [MCPParamHeader] = []
        var seen: Set<String> = []
        var stack: [(path: [String]?, node: JSONValue)] = [([], schema)]
        while let (path, node) = stack.popLast() {
            guard let object = node.objectValue else { continue }
            if let annotation = object[annotation] {
                guard let path, !path.isEmpty, let token = annotation.stringValue, isToken(token),
                    let type = object["type"]?.stringValue, primitiveTypes.contains(type),
                    seen.insert(token.lowercased()).inserted
                else { return [] }
                found.append(MCPParamHeader(path: path, token: token, type: type))
            }
            for (keyword, value) in object {
                if keyword == "properties", let properties = value.objectValue {
                    for (name, sub) in properties { stack.append((path.map { $0 + [name] }, sub)) }
                } else if singleSchemaKeywords.contains(keyword) {
                    stack.append((nil, value))
                } else if schemaListKeywords.contains(keyword), let list = value.arrayValue {
                    stack += list.map { (nil, $0) }
                } else if schemaMapKeywords.contains(keyword), let map = value.objectValue {
                    stack += map.values.map { (nil, $0) }
                }
            }
        }
        return found.sorted { $0.token.lowercased() < $1.token.lowercased() }
    }

    /// RFC 9110 token characters.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// Checks the `Mcp-Param-*` headers of a `tools/call` against its arguments: each declared
    /// header and its argument are present together and equal (after base64 decoding; integers
    /// compared as numbers), or absent together (`null` counts as absent). Headers the schema does
    /// not declare are not checked. Returns the first disagreement as a -32020 refusal.
    ///
    /// - Parameters:
    ///   - bytes: the request body; `arguments` the range of `params.arguments` in it (nil: none).
    ///   - headers: every `Mcp-Param-*` header field received, in order.
    public static func check(
        _ declared: [MCPParamHeader], bytes: [UInt8], arguments: Range<Int>?, headers: [(name: String, value: String)]
    ) -> MCPRequestRules.Refusal? {
        for header in declared {
            let key = header.headerName.lowercased()
            let values = headers.filter { $0.name.lowercased() == key }.map(\.value)
            let argument = header.path.joined(separator: ".")
            guard values.count <= 1 else {
                return .mismatch("\(header.headerName) appears more than once")
            }
            let value = arguments.flatMap { valueRange(at: header.path, in: bytes, object: $0) }
            let text = value.map { String(decoding: bytes[$0], as: UTF8.self) }
            guard let text, text != "null" else {
                if !values.isEmpty {
                    return .mismatch("\(header.headerName) is present but the argument '\(argument)' is absent")
                }
                continue
            }
            guard let raw = values.first else {
                return .mismatch("\(header.headerName) is missing but the argument '\(argument)' is present")
            }
            guard let decoded = MCPHeaderValue.decode(raw) else {
                return .mismatch("\(header.headerName) carries a malformed base64 value")
            }
            guard matches(decoded, argument: text, type: header.type) else {
                return .mismatch("\(header.headerName) '\(decoded)' differs from the argument '\(argument)'")
            }
        }
        return nil
    }

    /// The `Mcp-Param-*` headers a conforming client sends for these arguments: each declared argument
    /// that is present, not null and a scalar, rendered (strings as they are, integers in decimal, booleans
    /// as `true`/`false`) and encoded for HTTP. A gateway sends these upstream for every caller, so that a
    /// 2026-07-28 upstream gets them from handshake-era callers too.
    public static func mirrored(_ declared: [MCPParamHeader], bytes: [UInt8], arguments: Range<Int>?) -> [(name: String, value: String)] {
        guard let arguments else { return [] }
        var headers: [(name: String, value: String)] = []
        for header in declared {
            guard let range = valueRange(at: header.path, in: bytes, object: arguments) else { continue }
            let text = String(decoding: bytes[range], as: UTF8.self)
            let rendered: String?
            switch text.utf8.first ?? 0 {
            case UInt8(ascii: "\""): rendered = RawJSON.string(from: bytes[range])
            case UInt8(ascii: "t"), UInt8(ascii: "f"): rendered = text
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                rendered = header.type == "integer" ? integer(fromJSON: text).map { String($0) } ?? text : text
            default: rendered = nil  // null, objects and arrays are not mirrored
            }
            if let rendered { headers.append((header.headerName, MCPHeaderValue.encode(rendered))) }
        }
        return headers
    }

    /// The range of the value at `path` (object members all the way), nil when a step is missing.
    static func valueRange(at path: [String], in bytes: [UInt8], object: Range<Int>) -> Range<Int>? {
        var range = JSONScanner.trimmed(bytes, object)
        for key in path {
            guard bytes[range].first == UInt8(ascii: "{"), let members = try? JSONScanner.members(of: bytes, in: range),
                let next = members[key]
            else { return nil }
            range = JSONScanner.trimmed(bytes, next)
        }
        return range
    }

    /// Whether a decoded header value stands for the argument's JSON text, rendered as clients
    /// render it: strings as they are, booleans as `true`/`false`, numbers in decimal.
    static func matches(_ header: String, argument text: String, type: String) -> Bool {
        switch text.utf8.first {
        case UInt8(ascii: "\""):
            return (try? JSONValue.parse(text))?.stringValue == header
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            return text == header
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            return false  // not mirrorable: a conforming client sends no header for it
        default:
            if type == "integer", let body = integer(fromJSON: text), let sent = integer(fromDecimal: header) {
                return body == sent
            }
            return text == header
        }
    }

    /// An integral JSON number (`42`, `42.0`, `4.2e1`) within ±2^53.
    static func integer(fromJSON text: String) -> Int64? {
        if let exact = Int64(text) { return exact }
        guard let double = Double(text), double.rounded() == double, abs(double) <= 9_007_199_254_740_992 else { return nil }
        return Int64(double)
    }

    /// A header value in plain decimal (`42`, `-7`, `42.0`): no exponent, no sign other than `-`.
    static func integer(fromDecimal text: String) -> Int64? {
        var digits = Substring(text)
        if let dot = digits.firstIndex(of: ".") {
            let fraction = digits[digits.index(after: dot)...]
            guard !fraction.isEmpty, fraction.allSatisfy({ $0 == "0" }) else { return nil }
            digits = digits[..<dot]
        }
        let unsigned = digits.hasPrefix("-") ? digits.dropFirst() : digits
        guard !unsigned.isEmpty, unsigned.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(digits)
    }
}
