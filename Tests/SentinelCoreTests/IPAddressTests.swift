import SentinelCore
import Testing

struct IPAddressTests {
    @Test(arguments: [
        ("192.0.2.1", "192.0.2.1"),
        ("0.0.0.0", "0.0.0.0"),
        ("255.255.255.255", "255.255.255.255"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("::FFFF:c000:0201", "192.0.2.1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
        ("1:0:3:4:5:6:7:8", "1:0:3:4:5:6:7:8"),
        ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
    ])
    func parsesAndPrintsCanonically(text: String, expected: String) throws {
        let address = try #require(IPAddress(parsing: text))
        #expect(address.description == expected)
        #expect(IPAddress(parsing: expected) == address, "the printed form parses back to the same address")
    }

    @Test(arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.04", "1..2.3", "1.2.3.4 ", " 1.2.3.4", "a.b.c.d",
        ":", ":::", "1:::2", "1::2::3", ":1::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "g::",
        "fe80::1%eth0", "[::1]", "::ffff:1.2.3", "1:2:3:4:5:6:7:1.2.3.4", "1.2.3.4::",
    ])
    func refusesWhatIsNotAnAddress(text: String) {
        #expect(IPAddress(parsing: text) == nil)
    }

    @Test func ipv4AndItsMappedFormAreOneAddress() throws {
        let plain = try #require(IPAddress(parsing: "127.0.0.5"))
        let mapped = try #require(IPAddress(parsing: "::ffff:127.0.0.5"))
        #expect(plain == mapped)
        #expect(plain.isIPv4 && plain.isLoopback)
        #expect(try #require(IPAddress(parsing: "::1")).isLoopback)
        #expect(try !#require(IPAddress(parsing: "128.0.0.1")).isLoopback)
        #expect(try !#require(IPAddress(parsing: "::2")).isLoopback)
    }

    @Test func rangesMatchByPrefix() throws {
        let block = try #require(IPAddressRange(parsing: "10.1.0.0/16"))
        #expect(block.contains(try #require(IPAddress(parsing: "10.1.255.3"))))
        #expect(!block.contains(try #require(IPAddress(parsing: "10.2.0.1"))))
        #expect(block.description == "10.1.0.0/16")
        let host = try #require(IPAddressRange(parsing: "192.0.2.7"))
        #expect(host.contains(try #require(IPAddress(parsing: "::ffff:192.0.2.7"))))
        #expect(!host.contains(try #require(IPAddress(parsing: "192.0.2.8"))))
        #expect(host.description == "192.0.2.7")
        let v6 = try #require(IPAddressRange(parsing: "2001:db8::/32"))
        #expect(v6.contains(try #require(IPAddress(parsing: "2001:db8:ffff::1"))))
        #expect(!v6.contains(try #require(IPAddress(parsing: "2001:db9::1"))))
        #expect(!v6.contains(try #require(IPAddress(parsing: "10.0.0.1"))))
        let everything = try #require(IPAddressRange(parsing: "0.0.0.0/0"))
        #expect(everything.contains(try #require(IPAddress(parsing: "203.0.113.9"))))
        #expect(!everything.contains(try #require(IPAddress(parsing: "2001:db8::1"))), "an IPv4 block holds no IPv6 address")
        #expect(try #require(IPAddressRange(parsing: "10.1.2.3/8")).description == "10.0.0.0/8", "host bits are dropped")
    }

    @Test(arguments: ["10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8", "::/129", "::/0x10", "host/8", "/8"])
    func refusesBadRanges(text: String) {
        #expect(IPAddressRange(parsing: text) == nil)
    }
}
