/// An IPv4 or IPv6 address, parsed without the C library so that every rule over it is a pure function.
///
/// IPv4 addresses are kept IPv4-mapped (`::ffff:a.b.c.d`), which is also how a dual-stack socket reports an
/// IPv4 peer: `127.0.0.1` and `::ffff:127.0.0.1` are the same address here and print as `127.0.0.1`.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// The 128 bits, most significant first.
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// An IPv4 address from its 32 bits.
    public init(ipv4 value: UInt32) {
        self.init(high: 0, low: 0x0000_FFFF_0000_0000 | UInt64(value))
    }

    /// Parses `192.0.2.1` or an IPv6 address in any RFC 4291 text form (`2001:db8::1`, `::ffff:192.0.2.1`).
    /// Refuses leading zeros in IPv4 octets (some parsers read them as octal), zone indexes and brackets.
    public init?(parsing text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        if let value = Self.parseIPv4(utf8[...]) {
            self.init(ipv4: value)
        } else if let (high, low) = Self.parseIPv6(utf8[...]) {
            self.init(high: high, low: low)
        } else {
            return nil
        }
    }

    /// Whether this is an IPv4 (or IPv4-mapped) address.
    public var isIPv4: Bool { high == 0 && low >> 32 == 0x0000_FFFF }

    /// Whether only this machine can be the source: 127.0.0.0/8 and ::1.
    public var isLoopback: Bool {
        isIPv4 ? (low >> 24) & 0xFF == 127 : (high == 0 && low == 1)
    }

    /// The address with every bit after the first `length` (counted over 128 bits) cleared.
    public func masked(toPrefix length: Int) -> IPAddress {
        func mask(_ bits: Int) -> UInt64 { bits <= 0 ? 0 : bits >= 64 ? .max : ~(UInt64.max >> UInt64(bits)) }
        return IPAddress(high: high & mask(length), low: low & mask(length - 64))
    }

    /// Dotted quad for IPv4; RFC 5952 text for IPv6 (lower case, the longest run of zero groups shortened).
    public var description: String {
        if isIPv4 {
            let value = UInt32(truncatingIfNeeded: low)
            return "\(value >> 24).\((value >> 16) & 0xFF).\((value >> 8) & 0xFF).\(value & 0xFF)"
        }
        let groups = (0..<8).map { index -> UInt16 in
            let word = index < 4 ? high : low
            return UInt16(truncatingIfNeeded: word >> UInt64(48 - 16 * (index % 4)))
        }
        var bestStart = -1
        var bestLength = 1
        var runStart = -1
        for index in 0...8 {
            if index < 8, groups[index] == 0 {
                if runStart < 0 { runStart = index }
            } else if runStart >= 0 {
                if index - runStart > bestLength {
                    bestStart = runStart
                    bestLength = index - runStart
                }
                runStart = -1
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestStart >= 0 else { return hex.joined(separator: ":") }
        return hex[..<bestStart].joined(separator: ":") + "::" + hex[(bestStart + bestLength)...].joined(separator: ":")
    }

    static func parseIPv4(_ text: ArraySlice<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        var octets = 0
        var current = -1
        var digits = 0
        for byte in text {
            if byte == UInt8(ascii: ".") {
                guard current >= 0, octets < 3 else { return nil }
                value = value << 8 | UInt32(current)
                octets += 1
                current = -1
                digits = 0
            } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                if current == 0 { return nil }  // a leading zero
                digits += 1
                current = max(current, 0) * 10 + Int(byte - UInt8(ascii: "0"))
                guard digits <= 3, current <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard current >= 0, octets == 3 else { return nil }
        return value << 8 | UInt32(current)
    }

    static func parseIPv6(_ text: ArraySlice<UInt8>) -> (UInt64, UInt64)? {
        guard text.count >= 2, text.count <= 45 else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        var index = text.startIndex
        if text.starts(with: "::".utf8) {
            sawGap = true
            index += 2
        }
        while index < text.endIndex {
            // One group, or a trailing dotted IPv4 address.
            var end = index
            while end < text.endIndex, text[end] != UInt8(ascii: ":") { end += 1 }
            let field = text[index..<end]
            let count = head.count + tail.count
            if field.contains(UInt8(ascii: ".")) {
                guard end == text.endIndex, count <= 6, let v4 = parseIPv4(field) else { return nil }
                let pair = [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
                if sawGap { tail += pair } else { head += pair }
                index = end
                break
            }
            guard (1...4).contains(field.count), count < 8 else { return nil }
            var group: UInt16 = 0
            for byte in field {
                guard let nibble = hexValue(byte) else { return nil }
                group = group << 4 | UInt16(nibble)
            }
            if sawGap { tail.append(group) } else { head.append(group) }
            index = end
            guard index < text.endIndex else { break }
            // At a colon: "::" opens the gap (once); a single colon separates groups but cannot end the text.
            if text[text.index(after: index)...].starts(with: ":".utf8) {
                guard !sawGap else { return nil }
                sawGap = true
                index += 2
            } else {
                index += 1
                guard index < text.endIndex else { return nil }
            }
        }
        let total = head.count + tail.count
        guard sawGap ? total <= 7 : total == 8 else { return nil }
        let groups = head + [UInt16](repeating: 0, count: 8 - total) + tail
        let high = groups[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        let low = groups[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        return (high, low)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
