/// The reverse proxies whose word about the client's address is believed (`[HTTP] TrustedProxies=`), and the
/// one rule that answers "which address did this request come from".
///
/// A request whose TCP peer is not listed comes from that peer, whatever its headers say. A request from a
/// listed proxy comes from the right-most address of the forwarding header that is not itself a listed proxy:
/// each proxy appends the address it saw, so everything left of the first untrusted hop was written by the
/// client and may be forged.
public struct TrustedProxies: Sendable, Equatable {
    /// Which header the proxies append to.
    public enum Header: String, Sendable, CaseIterable {
        /// `X-Forwarded-For: client, proxy1` (nginx `$proxy_add_x_forwarded_for`, HAProxy `option forwardfor`).
        case xForwardedFor = "X-Forwarded-For"
        /// RFC 7239 `Forwarded: for=client;proto=https, for="[2001:db8::1]"`.
        case forwarded = "Forwarded"
    }

    public var ranges: [IPAddressRange]
    public var header: Header

    public init(ranges: [IPAddressRange] = [], header: Header = .xForwardedFor) {
        self.ranges = ranges
        self.header = header
    }

    public var isEmpty: Bool { ranges.isEmpty }

    public func trusts(_ address: IPAddress) -> Bool {
        ranges.contains { $0.contains(address) }
    }

    /// The client address of a request from `peer` that carried `values` (every line of the configured header,
    /// in order). An entry that is not an address (`unknown`, an obfuscated RFC 7239 identifier, garbage) stops
    /// the walk: the hop that wrote it is the best knowledge there is.
    public func clientAddress(peer: IPAddress, headerValues values: [String]) -> IPAddress {
        guard trusts(peer), !values.isEmpty else { return peer }
        let hops: [IPAddress?] =
            switch header {
            case .xForwardedFor: Self.xForwardedForHops(values)
            case .forwarded: Self.forwardedHops(values)
            }
        var current = peer
        for hop in hops.reversed() {
            guard let hop else { return current }
            if !trusts(hop) { return hop }
            current = hop
        }
        return current
    }

    /// The entries of `X-Forwarded-For` lines, left to right; nil where an entry is not an address.
    static func xForwardedForHops(_ values: [String]) -> [IPAddress?] {
        values.flatMap { line in
            line.split(separator: ",", omittingEmptySubsequences: false).map { entry in
                node(Substring(entry.trimmingWhitespace()))
            }
        }
    }

    /// The `for=` of each element of `Forwarded` lines (RFC 7239 §4), left to right; nil where an element has
    /// none or it is not an address.
    static func forwardedHops(_ values: [String]) -> [IPAddress?] {
        var hops: [IPAddress?] = []
        for line in values {
            for element in splitOutsideQuotes(line, on: ",") {
                var found: IPAddress?
                for pair in splitOutsideQuotes(element, on: ";") {
                    let trimmed = pair.trimmingWhitespace()
                    guard let equals = trimmed.firstIndex(of: "="),
                        trimmed[..<equals].trimmingWhitespace().lowercased() == "for"
                    else { continue }
                    var value = Substring(trimmed[trimmed.index(after: equals)...].trimmingWhitespace())
                    if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                        value = value.dropFirst().dropLast()
                    }
                    found = node(value)
                    break
                }
                hops.append(found)
            }
        }
        return hops
    }

    /// An address with an optional port: `192.0.2.1`, `192.0.2.1:8080`, `2001:db8::1`, `[2001:db8::1]:443`.
    static func node(_ text: Substring) -> IPAddress? {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let rest = text[text.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && isPort(rest.dropFirst())) else { return nil }
            guard let address = IPAddress(parsing: text[text.index(after: text.startIndex)..<close]), !address.isIPv4
            else { return nil }
            return address
        }
        if let address = IPAddress(parsing: text) { return address }
        // IPv4 with a port: exactly one colon.
        guard let colon = text.firstIndex(of: ":"), text[text.index(after: colon)...].firstIndex(of: ":") == nil,
            isPort(text[text.index(after: colon)...]), let address = IPAddress(parsing: text[..<colon]), address.isIPv4
        else { return nil }
        return address
    }

    private static func isPort(_ text: Substring) -> Bool {
        (1...5).contains(text.utf8.count) && text.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }

    private static func splitOutsideQuotes(_ text: some StringProtocol, on separator: Character) -> [Substring] {
        let text = Substring(text)
        var parts: [Substring] = []
        var start = text.startIndex
        var quoted = false
        var escaped = false
        for index in text.indices {
            let character = text[index]
            if escaped {
                escaped = false
            } else if quoted && character == "\\" {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if !quoted && character == separator {
                parts.append(text[start..<index])
                start = text.index(after: index)
            }
        }
        parts.append(text[start...])
        return parts
    }
}
