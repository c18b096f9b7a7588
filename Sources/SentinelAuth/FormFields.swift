import Foundation

/// `application/x-www-form-urlencoded` fields (request bodies and query strings).
public enum FormFields {
    /// Parses `a=1&b=x+y`; a repeated field keeps its first value (OAuth forbids repeats, see `repeated`).
    public static func parse(_ text: some StringProtocol) -> [String: String] {
        var fields: [String: String] = [:]
        for (name, value) in pairs(text) where fields[name] == nil {
            fields[name] = value
        }
        return fields
    }

    /// Names that occur more than once (OAuth 2.1 §3.1: such a request is invalid).
    public static func repeated(_ text: some StringProtocol) -> [String] {
        var seen: Set<String> = []
        var repeated: [String] = []
        for (name, _) in pairs(text) where !seen.insert(name).inserted && !repeated.contains(name) {
            repeated.append(name)
        }
        return repeated
    }

    static func pairs(_ text: some StringProtocol) -> [(String, String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), !name.isEmpty else { return nil }
            return (name, parts.count > 1 ? decode(parts[1]) ?? "" : "")
        }
    }

    static func decode(_ text: some StringProtocol) -> String? {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    /// Encodes `fields` in the given order.
    public static func encode(_ fields: [(String, String)]) -> String {
        fields.map { "\(encodeComponent($0.0))=\(encodeComponent($0.1))" }.joined(separator: "&")
    }

    static func encodeComponent(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// `uri` with `fields` added to its query.
    public static func appending(_ fields: [(String, String)], to uri: String) -> String {
        let separator = uri.contains("?") ? "&" : "?"
        return uri + separator + encode(fields)
    }
}
