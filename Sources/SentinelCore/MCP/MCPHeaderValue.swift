import Foundation

/// The value encoding of `Mcp-Name` and `Mcp-Param-*` headers (2026-07-28 transports
/// "Value Encoding"): visible ASCII as it is, anything else as `=?base64?{UTF-8 in base64}?=`.
public enum MCPHeaderValue {
    static let prefix = "=?base64?"
    static let suffix = "?="

    /// The header form of `text`: plain when it survives HTTP unchanged, else the base64 sentinel
    /// (also for plain text that itself looks like the sentinel).
    public static func encode(_ text: String) -> String {
        let utf8 = text.utf8
        let visible = utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E }
        let edgeSpace = utf8.first == 0x20 || utf8.last == 0x20
        if visible && !edgeSpace && !looksEncoded(text) { return text }
        return prefix + Data(utf8).base64EncodedString() + suffix
    }

    /// The text a header value stands for; nil for a malformed sentinel (bad or non-canonical
    /// base64, or bytes that are not UTF-8), which then matches no body value.
    public static func decode(_ value: String) -> String? {
        guard looksEncoded(value) else { return value }
        let payload = String(value.dropFirst(prefix.count).dropLast(suffix.count))
        guard let data = Data(base64Encoded: payload), data.base64EncodedString() == payload else { return nil }
        return String(validating: Array(data), as: UTF8.self)
    }

    private static func looksEncoded(_ text: String) -> Bool {
        text.utf8.count >= prefix.utf8.count + suffix.utf8.count && text.hasPrefix(prefix) && text.hasSuffix(suffix)
    }
}
