import Testing
import SentinelCore

struct ListenAddressTests {
    @Test(arguments: [
        ("127.0.0.1:8080", "127.0.0.1", 8080),
        ("0.0.0.0:80", "0.0.0.0", 80),
        ("localhost:1", "localhost", 1),
        ("[::1]:8443", "::1", 8443),
        ("[::]:0", "::", 0),
        ("[fe80::1%eth0]:65535", "fe80::1%eth0", 65535),
    ])
    func validAddressesParse(text: String, host: String, port: Int) throws {
        let address = try #require(ListenAddress(parsing: text))
        #expect(address.host == host)
        #expect(address.port == port)
        #expect(address.description == text)
    }

    @Test(arguments: [
        "", "127.0.0.1", ":8080", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:65536", "127.0.0.1:-1",
        "::1:8080", "[::1]", "[::1]8080", "[::1:8080", "[]:8080",
    ])
    func invalidAddressesAreRefused(text: String) {
        #expect(ListenAddress(parsing: text) == nil)
    }

    @Test func loopbackAddressesAreRecognised() {
        for text in ["127.0.0.1:1", "127.1.2.3:1", "localhost:1", "[::1]:1"] {
            #expect(ListenAddress(parsing: text)?.isLoopback == true, "\(text)")
        }
        for text in ["0.0.0.0:1", "192.168.1.10:1", "[::]:1", "example.org:1", "128.0.0.1:1"] {
            #expect(ListenAddress(parsing: text)?.isLoopback == false, "\(text)")
        }
    }

    /// `isLoopback` decides whether unauthenticated endpoints may be served, so a DNS name that merely
    /// starts with "127." (and may resolve anywhere) must not count as loopback.
    @Test func hostNamesThatOnlyLookLikeLoopbackAreNotLoopback() {
        for text in ["127.example.org:8080", "127.0.0.1.nip.io:8080", "127.:8080", "127.0.0.256:80"] {
            #expect(ListenAddress(parsing: text)?.isLoopback == false, "\(text)")
        }
    }
}
