import SentinelCore

/// A tool's `arguments`, read against its input schema.
///
/// Failures are tool input errors: per MCP 2025-11-25 (SEP-1303) they become a result with
/// `isError: true` that the model can read and correct, not a JSON-RPC error.
struct ToolArguments: Sendable {
    struct InputError: Error, Sendable {
        var message: String
    }

    let values: [String: JSONValue]

    /// Rejects members the schema does not declare (`additionalProperties: false`).
    func onlyAllow(_ names: Set<String>) throws(InputError) {
        if let unknown = values.keys.sorted().first(where: { !names.contains($0) }) {
            let allowed = names.isEmpty ? "it takes no arguments" : "allowed: \(names.sorted().joined(separator: ", "))"
            throw InputError(message: "unknown argument \"\(unknown)\" (\(allowed))")
        }
    }

    func string(_ name: String) throws(InputError) -> String? {
        guard let value = values[name], !value.isNull else { return nil }
        guard case .string(let text) = value else { throw InputError(message: "\"\(name)\" must be a string") }
        return text
    }

    func requiredString(_ name: String) throws(InputError) -> String {
        guard let text = try string(name) else { throw InputError(message: "\"\(name)\" is required (a string)") }
        return text
    }

    /// A JSON number, kept as `.int` or `.double` the way the client wrote it.
    func requiredNumber(_ name: String, in range: ClosedRange<Double>? = nil) throws(InputError) -> JSONValue {
        guard let value = values[name] else { throw InputError(message: "\"\(name)\" is required (a number)") }
        guard let number = value.doubleValue, number.isFinite else {
            throw InputError(message: "\"\(name)\" must be a number")
        }
        if let range, !range.contains(number) {
            throw InputError(
                message: "\"\(name)\" must be between \(range.lowerBound.plainText) and \(range.upperBound.plainText)")
        }
        return value
    }

    func integer(_ name: String, in range: ClosedRange<Int>, default defaultValue: Int) throws(InputError) -> Int {
        guard let value = values[name], !value.isNull else { return defaultValue }
        guard let number = value.intValue, let integer = Int(exactly: number), range.contains(integer) else {
            throw InputError(message: "\"\(name)\" must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return integer
    }
}
