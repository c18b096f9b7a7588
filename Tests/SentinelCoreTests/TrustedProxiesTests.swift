import SentinelCore
import Testing

struct TrustedProxiesTests {
    func address(_ text: String) -> IPAddress { IPAddress(parsing: text)! }

    func proxies(_ ranges: String..., header: TrustedProxies.Header = .xForwardedFor) -> TrustedProxies {
        TrustedProxies(ranges: ranges.map { IPAddressRange(parsing: $0)! }, header: header)
    }

    @Test func anUntrustedPeerIsTheClientWhateverItsHeadersSay() {
        let trusted = proxies("10.0.0.1")
        #expect(trusted.clientAddress(peer: address("198.51.100.4"), headerValues: ["203.0.113.9"]) == address("198.51.100.4"))
        #expect(TrustedProxies().clientAddress(peer: address("10.0.0.1"), headerValues: ["203.0.113.9"]) == address("10.0.0.1"))
    }

    @Test func theRightMostUntrustedHopIsTheClient() {
        let trusted = proxies("10.0.0.0/8", "2001:db8::/32")
        // The client forged the first entry; the trusted proxy appended what it saw.
        #expect(trusted.clientAddress(peer: address("10.0.0.1"), headerValues: ["1.1.1.1, 203.0.113.9"]) == address("203.0.113.9"))
        // Two trusted proxies in a row, over two header lines.
        #expect(
            trusted.clientAddress(peer: address("10.0.0.1"), headerValues: ["1.1.1.1, 203.0.113.9", "10.9.9.9"])
                == address("203.0.113.9"))
        #expect(
            trusted.clientAddress(peer: address("10.0.0.1"), headerValues: ["[2001:db9::5]:4711, 2001:db8::7"])
                == address("2001:db9::5"))
        #expect(trusted.clientAddress(peer: address("10.0.0.1"), headerValues: ["203.0.113.9:51000"]) == address("203.0.113.9"))
    }

    @Test func withoutAHeaderOrWithOnlyTrustedHopsTheLastKnownHopIsTheClient() {
        let trusted = proxies("10.0.0.0/8")
        #expect(trusted.clientAddress(peer: address("10.0.0.1"), headerValues: []) == address("10.0.0.1"))
        #expect(trusted.clientAddress(peer: address("10.0.0.1"), headerValues: ["10.0.0.2, 10.0.0.3"]) == address("10.0.0.2"))
    }

    @Test func anEntryThatIsNoAddressStopsTheWalkAtTheHopThatWroteIt() {
        let trusted = proxies("10.0.0.0/8")
        #expect(trusted.clientAddress(peer: address("10.0.0.1"), headerValues: ["203.0.113.9, unknown"]) == address("10.0.0.1"))
        #expect(trusted.clientAddress(peer: address("10.0.0.1"), headerValues: ["203.0.113.9, garbage, 10.0.0.4"]) == address("10.0.0.4"))
        #expect(trusted.clientAddress(peer: address("10.0.0.1"), headerValues: ["203.0.113.9,"]) == address("10.0.0.1"))
        #expect(trusted.clientAddress(peer: address("10.0.0.1"), headerValues: ["01.2.3.4"]) == address("10.0.0.1"))
    }

    @Test func forwardedHeaderReadsTheForParameterOfEachElement() {
        let trusted = proxies("10.0.0.0/8", header: .forwarded)
        #expect(
            trusted.clientAddress(
                peer: address("10.0.0.1"), headerValues: [#"for=1.1.1.1, For="[2001:db8:cafe::17]:4711";proto=https;by=10.0.0.1"#])
                == address("2001:db8:cafe::17"))
        #expect(
            trusted.clientAddress(peer: address("10.0.0.1"), headerValues: ["proto=https;for=192.0.2.60;by=203.0.113.43", "for=10.1.1.1"])
                == address("192.0.2.60"))
        // A quoted comma does not split elements.
        #expect(
            trusted.clientAddress(peer: address("10.0.0.1"), headerValues: [#"for=192.0.2.61;host="a,b", for=10.1.1.1"#])
                == address("192.0.2.61"))
        // Obfuscated identifiers and "unknown" name no address; an element without for= names nobody.
        #expect(trusted.clientAddress(peer: address("10.0.0.1"), headerValues: ["for=192.0.2.62, for=_hidden"]) == address("10.0.0.1"))
        #expect(trusted.clientAddress(peer: address("10.0.0.1"), headerValues: ["for=192.0.2.62, proto=http"]) == address("10.0.0.1"))
        #expect(trusted.clientAddress(peer: address("10.0.0.1"), headerValues: ["for=unknown"]) == address("10.0.0.1"))
    }

    @Test func theOtherHeaderIsIgnored() {
        // Only the configured header's lines are passed in; a Forwarded value read as X-Forwarded-For is no address.
        let trusted = proxies("10.0.0.0/8")
        #expect(trusted.clientAddress(peer: address("10.0.0.1"), headerValues: ["for=192.0.2.60"]) == address("10.0.0.1"))
    }
}
