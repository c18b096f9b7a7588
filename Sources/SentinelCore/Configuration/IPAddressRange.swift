/// An address or a CIDR block: `192.0.2.7`, `10.0.0.0/8`, `2001:db8::/32`.
public struct IPAddressRange: Sendable, Hashable, CustomStringConvertible {
    /// The first address of the block.
    public let base: IPAddress
    /// The prefix length over all 128 bits (an IPv4 /8 is 104 here).
    public let prefixLength: Int

    public init(base: IPAddress, prefixLength: Int) {
        self.prefixLength = max(0, min(128, prefixLength))
        self.base = base.masked(toPrefix: self.prefixLength)
    }

    /// Parses an address (a block of one) or `ADDRESS/LENGTH`; host bits after the prefix are ignored.
    public init?(parsing text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parsing: parts[0]) else { return nil }
        let width = address.isIPv4 ? 32 : 128
        var length = width
        if parts.count == 2 {
            guard parts[1].utf8.count <= 3, parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }), let value = Int(parts[1]),
                value <= width
            else { return nil }
            length = value
        }
        self.init(base: address, prefixLength: address.isIPv4 ? 96 + length : length)
    }

    public func contains(_ address: IPAddress) -> Bool {
        address.masked(toPrefix: prefixLength) == base
    }

    public var description: String {
        let width = base.isIPv4 && prefixLength >= 96 ? 32 : 128
        let length = width == 32 ? prefixLength - 96 : prefixLength
        return length == width ? base.description : "\(base)/\(length)"
    }
}
