/// One JSON-RPC 2.0 message with only its envelope decoded.
///
/// `params`, `result` and `error` stay byte ranges into `bytes`, so a
/// gateway can route a message and forward its payload untouched.
public struct JSONRPCMessage: Sendable {
    public enum Kind: Sendable, Equatable {
        case request
        case notification
        case response
        case errorResponse
    }

    /// Why a message is not acceptable JSON-RPC; `code` is the JSON-RPC error code to answer with.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var code: Int
        public var message: String
        /// The request id, when it could be read.
        public var id: RawJSON?
        public var description: String { "\(code): \(message)" }
    }

    public let bytes: [UInt8]
    public let kind: Kind
    /// The id as JSON text (a string or a number); absent for notifications, and for an error
    /// response whose id is null or missing (a peer that could not read the request's id, e.g. -32700).
    public let id: RawJSON?
    public let method: String?
    public let params: Range<Int>?
    /// The members of `params` when it is an object, scanned once at parse time.
    public let paramsMembers: [String: Range<Int>]
    public let result: Range<Int>?
    public let error: Range<Int>?

    /// Parses one message (not a batch).
    ///
    /// Text that is not UTF-8, or holds an escaped lone surrogate, is refused with -32700 (RFC 8259
    /// §8.1) unless `allowingInvalidUnicode`, which is only for reading what a refused peer meant
    /// (which request it answered), never for passing its text on.
    public init(parsing bytes: [UInt8], allowingInvalidUnicode: Bool = false) throws(Invalid) {
        let members: [String: Range<Int>]
        do {
            members = try JSONScanner.members(of: bytes, allowingInvalidUnicode: allowingInvalidUnicode)
        } catch {
            if (try? JSONScanner.validate(bytes)) != nil {
                throw Invalid(code: JSONRPCErrorCode.invalidRequest, message: "a JSON-RPC message must be an object", id: nil)
            }
            throw Invalid(code: JSONRPCErrorCode.parseError, message: "parse error: \(error)", id: nil)
        }
        self.bytes = bytes
        var id: RawJSON?
        if let range = members["id"] {
            let value = RawJSON(bytes[range])
            let first = value.bytes.first
            let isString = first == UInt8(ascii: "\"")
            let isNumber = first.map { $0 == UInt8(ascii: "-") || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) } ?? false
            // JSON-RPC 2.0 §5: an error response has a null id when the request's id could not be read.
            let isNullOfError = value == .null && members["error"] != nil && members["method"] == nil && members["result"] == nil
            guard isString || isNumber || isNullOfError else {
                throw Invalid(code: JSONRPCErrorCode.invalidRequest, message: "id must be a string or a number", id: nil)
            }
            if !isNullOfError { id = value }
        }
        self.id = id
        guard let version = members["jsonrpc"], bytes[version].elementsEqual(#""2.0""#.utf8) else {
            throw Invalid(code: JSONRPCErrorCode.invalidRequest, message: "jsonrpc must be \"2.0\"", id: id)
        }
        if let methodRange = members["method"] {
            guard let method = RawJSON.string(from: bytes[methodRange]), !method.isEmpty
            else { throw Invalid(code: JSONRPCErrorCode.invalidRequest, message: "method must be a non-empty string", id: id) }
            self.method = method
            if let paramsRange = members["params"] {
                let first = bytes[paramsRange].first
                guard first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else {
                    throw Invalid(code: JSONRPCErrorCode.invalidRequest, message: "params must be an object or an array", id: id)
                }
            }
            self.params = members["params"]
            self.paramsMembers = members["params"].flatMap { try? JSONScanner.members(of: bytes, in: $0) } ?? [:]
            self.result = nil
            self.error = nil
            self.kind = id == nil ? .notification : .request
        } else if let resultRange = members["result"] {
            guard id != nil else { throw Invalid(code: JSONRPCErrorCode.invalidRequest, message: "response without id", id: nil) }
            self.method = nil
            self.params = nil
            self.paramsMembers = [:]
            self.result = resultRange
            self.error = nil
            self.kind = .response
        } else if let errorRange = members["error"] {
            self.method = nil
            self.params = nil
            self.paramsMembers = [:]
            self.result = nil
            self.error = errorRange
            self.kind = .errorResponse
        } else {
            throw Invalid(code: JSONRPCErrorCode.invalidRequest, message: "neither a request nor a response", id: id)
        }
    }

    /// The members of `params._meta` when present.
    public func metaMembers() -> [String: Range<Int>] {
        guard let meta = paramsMembers["_meta"], let members = try? JSONScanner.members(of: bytes, in: meta) else { return [:] }
        return members
    }

    /// Decodes a small value inside the message (a name, a token).
    public func decode(_ range: Range<Int>) -> JSONValue? {
        let slice = bytes[range]
        if slice.first == UInt8(ascii: "\""), let text = RawJSON.string(from: slice) { return .string(text) }
        return try? JSONValue.parse(String(decoding: slice, as: UTF8.self))
    }

    /// The raw text of a range.
    public func raw(_ range: Range<Int>) -> RawJSON {
        RawJSON(bytes[range])
    }

    /// `params.name` as a string, when present.
    public var paramsName: String? {
        paramsMembers["name"].flatMap { decode($0)?.stringValue }
    }

    /// `code` and `message` of an error response.
    public var errorDetails: (code: Int, message: String)? {
        guard let error, let object = decode(error) else { return nil }
        return (Int(object["code"]?.intValue ?? 0), object["message"]?.stringValue ?? "")
    }
}

/// Builders for outgoing JSON-RPC messages from raw parts.
public enum JSONRPC {
    public static func request(id: RawJSON, method: String, params: RawJSON?) -> RawJSON {
        var members: [(String, RawJSON)] = [("jsonrpc", RawJSON(string: "2.0")), ("id", id), ("method", RawJSON(string: method))]
        if let params { members.append(("params", params)) }
        return RawJSON.object(members)
    }

    public static func notification(method: String, params: RawJSON?) -> RawJSON {
        var members: [(String, RawJSON)] = [("jsonrpc", RawJSON(string: "2.0")), ("method", RawJSON(string: method))]
        if let params { members.append(("params", params)) }
        return RawJSON.object(members)
    }

    public static func result(id: RawJSON, result: RawJSON) -> RawJSON {
        RawJSON.object([("jsonrpc", RawJSON(string: "2.0")), ("id", id), ("result", result)])
    }

    public static func error(id: RawJSON?, code: Int, message: String, data: JSONValue? = nil) -> RawJSON {
        var error: [String: JSONValue] = ["code": .int(Int64(code)), "message": .string(message)]
        if let data { error["data"] = data }
        return RawJSON.object([("jsonrpc", RawJSON(string: "2.0")), ("id", id ?? .null), ("error", RawJSON(.object(error)))])
    }

    /// An error response that keeps an upstream's raw error object.
    public static func error(id: RawJSON, rawError: RawJSON) -> RawJSON {
        RawJSON.object([("jsonrpc", RawJSON(string: "2.0")), ("id", id), ("error", rawError)])
    }
}

/// JSON-RPC and MCP error codes Sentinel uses; the one place each code is named.
///
/// 2026-07-28 (basic/index "Error Codes") partitions the JSON-RPC server-error range: -32000 to
/// -32019 is legacy (no new allocations), -32020 to -32099 is reserved for codes the MCP
/// specification defines, and codes for other purposes SHOULD lie outside the JSON-RPC reserved
/// range (-32768 to -32000). Sentinel's own codes therefore live at -31001 and -31003.
public enum JSONRPCErrorCode {
    public static let parseError = -32700
    public static let invalidRequest = -32600
    public static let methodNotFound = -32601
    public static let invalidParams = -32602
    public static let internalError = -32603
    /// MCP handshake era (2024-11-05 … 2025-11-25): a resource that does not exist. 2026-07-28 uses `invalidParams`
    /// instead (server/resources "Error Handling"), and asks clients to accept this code too.
    public static let resourceNotFound = -32002
    /// MCP 2026-07-28: a header disagrees with the body, or a required header is missing.
    public static let headerMismatch = -32020
    /// MCP 2026-07-28: a required client capability is missing.
    public static let missingCapability = -32021
    /// MCP 2026-07-28: unsupported protocol version (`data.supported`, `data.requested`).
    public static let unsupportedVersion = -32022
    /// MCP 2025-11-25 (`URLElicitationRequiredError`): the request can be served once the user has completed the URL
    /// elicitations in `data.elicitations`. Never sent in 2026-07-28, where an `input_required` result carries them.
    public static let urlElicitationRequired = -32042
    /// Sentinel: the upstream server did not answer within its call timeout.
    public static let requestTimeout = -31001
    /// Sentinel: the endpoint, or the caller's share of it, runs its maximum of concurrent calls (HTTP 429 with
    /// `Retry-After`): retry shortly.
    public static let callLimitReached = -31002
    /// Sentinel: the upstream server failed, broke the protocol or is unreachable.
    public static let upstreamUnavailable = -31003
    /// The call was cancelled (by the client, or its connection closed): LSP's RequestCancelled,
    /// outside the JSON-RPC reserved range.
    public static let requestCancelled = -32800

    /// The codes the MCP specification reserves for its own errors (-32020 to -32099). Each has a meaning for one hop
    /// and one protocol era, so an upstream's error in this range is not passed on to a client as it came.
    public static let reservedForMCP = -32099 ... -32020
}
