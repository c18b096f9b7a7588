import Foundation

/// Which redirect URIs a client may register and how an authorization request's URI must match.
///
/// Registration accepts `https` URIs and plain `http` only to a loopback host (RFC 8252 §7.3),
/// never with a fragment or user information. At authorization the URI must equal a registered
/// one exactly, except that a loopback URI may use any port (native apps pick a free one).
public enum RedirectURIRules {
    /// Why `uri` cannot be registered, or nil when it can.
    public static func problem(registering uri: String) -> String? {
        guard let components = URLComponents(string: uri), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty
        else { return "'\(uri)' is not an absolute URI" }
        if components.fragment != nil { return "'\(uri)' has a fragment" }
        if components.user != nil || components.password != nil { return "'\(uri)' has user information" }
        let reserved = ["code", "state", "iss", "error", "error_description"]
        if let name = components.queryItems?.first(where: { reserved.contains($0.name) })?.name {
            return "'\(uri)' already carries the '\(name)' parameter of an authorization response"
        }
        switch scheme {
        case "https": return nil
        case "http": return isLoopback(host) ? nil : "'\(uri)' uses plain http to a host that is not loopback"
        default: return "'\(uri)' must use https (or http to a loopback address)"
        }
    }

    /// Whether the `requested` URI of an authorization request matches one of `registered`.
    public static func matches(_ requested: String, registered: [String]) -> Bool {
        if registered.contains(requested) { return true }
        guard var asked = URLComponents(string: requested), asked.scheme?.lowercased() == "http",
              let host = asked.host, isLoopback(host)
        else { return false }
        asked.port = nil
        return registered.contains { candidate in
            guard var known = URLComponents(string: candidate), known.scheme?.lowercased() == "http" else { return false }
            known.port = nil
            return known.string == asked.string
        }
    }

    /// `localhost`, an IPv4 literal in `127.0.0.0/8`, or `::1` (never a DNS name that merely starts with "127.").
    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare == "::1" { return true }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { octet in
            !octet.isEmpty && octet.count <= 3 && octet.allSatisfy(\.isASCII) && octet.allSatisfy(\.isNumber) && (Int(octet) ?? 256) <= 255
        }
    }
}
