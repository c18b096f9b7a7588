import SentinelCore
import Testing

/// The connection limits, trusted proxies and the values `--check-config` must refuse.
struct ConnectionLimitsConfigurationTests {
    func configured(_ text: String) throws -> DaemonConfiguration {
        var configuration = DaemonConfiguration()
        try configuration.apply(try INIFile(parsing: text, file: "f"))
        return configuration
    }

    func refusal(_ section: String, _ key: String, _ value: String) -> String? {
        var configuration = DaemonConfiguration()
        do throws(ConfigurationError) {
            try configuration.set(section: section, key: key, value: value, file: "f.conf", line: 3)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func limitKeysAreApplied() throws {
        let configuration = try configured(
            """
            [HTTP]
            MaxConnections=900
            MaxConnectionsPerAddress=20
            HeaderTimeoutSec=5
            BodyTimeoutSec=2min
            KeepAliveTimeoutSec=30s
            MaxConcurrentCallsPerCaller=4
            TrustedProxies=127.0.0.1 10.0.0.0/8  2001:db8::/32
            ClientAddressHeader=forwarded
            [Control]
            MaxConnections=10
            [Daemon]
            ReservedDescriptors=100
            """)
        #expect(configuration.maxConnections == 900)
        #expect(configuration.maxConnectionsPerAddress == 20)
        #expect(configuration.headerTimeoutSeconds == 5)
        #expect(configuration.bodyTimeoutSeconds == 120)
        #expect(configuration.keepAliveTimeoutSeconds == 30)
        #expect(configuration.maxConcurrentCallsPerCaller == 4)
        #expect(configuration.trustedProxies.ranges.map(\.description) == ["127.0.0.1", "10.0.0.0/8", "2001:db8::/32"])
        #expect(configuration.trustedProxies.header == .forwarded)
        #expect(configuration.controlMaxConnections == 10)
        #expect(configuration.reservedDescriptors == 100)
    }

    @Test func theHTTPCapLeavesTheReservedDescriptorsFree() {
        var configuration = DaemonConfiguration()
        configuration.maxConnections = 4096
        configuration.reservedDescriptors = 256
        #expect(configuration.effectiveMaxConnections(descriptorLimit: 1024) == 768)
        #expect(configuration.effectiveMaxConnections(descriptorLimit: 65536) == 4096)
        #expect(configuration.effectiveMaxConnections(descriptorLimit: 200) == 0)
    }

    @Test(arguments: [
        ("HTTP", "TrustedProxies", "10.0.0.0/33", "'10.0.0.0/33' is not an address or CIDR block"),
        ("HTTP", "TrustedProxies", "proxy.example.org", "is not an address or CIDR block"),
        ("HTTP", "ClientAddressHeader", "X-Real-IP", "expected X-Forwarded-For or Forwarded"),
        ("HTTP", "HeaderTimeoutSec", "0", "from 1 to 3600 seconds"),
        ("HTTP", "KeepAliveTimeoutSec", "2d", "from 1 to 86400 seconds"),
        ("HTTP", "MaxConnections", "0", "from 1 to 1000000"),
        ("HTTP", "MaxConcurrentCallsPerCaller", "-1", "from 1 to 100000"),
        ("Daemon", "ReservedDescriptors", "8", "from 16 to 1000000"),
        // --check-config used to accept these.
        ("HTTP", "PublicURL", "https://", "with a host"),
        ("HTTP", "PublicURL", "https://:8443/x", "with a host"),
        ("HTTP", "PublicURL", "https://user@mcp.example.org", "with a host"),
        ("HTTP", "AllowedOrigins", "https://claude.ai/path", "no path or query"),
        ("HTTP", "AllowedOrigins", "https://claude.ai?x=1", "no path or query"),
        ("HTTP", "AllowedOrigins", "https://claude.ai/", "no path or query"),
        ("HTTP", "AllowedOrigins", "https://", "no path or query"),
        ("State", "Directory", "var/lib/sentinel", "expected an absolute path"),
        ("State", "Directory", "./state", "expected an absolute path"),
        ("HTTP", "Listen", "127.0.0.1:0", "port 0 is not a fixed port"),
        ("HTTP", "Listen", "[::1]:0", "port 0 is not a fixed port"),
    ])
    func refusesWithOneLine(section: String, key: String, value: String, reason: String) throws {
        let message = try #require(refusal(section, key, value), "\(section).\(key)=\(value) must be refused")
        #expect(message.hasPrefix("f.conf:3: \(section).\(key)=\(value): "))
        #expect(message.contains(reason), "\(message)")
        #expect(!message.contains("\n"))
    }

    @Test(arguments: [
        ("HTTP", "PublicURL", "https://mcp.example.org"),
        ("HTTP", "PublicURL", "https://mcp.example.org:8443/sentinel/"),
        ("HTTP", "PublicURL", "http://[::1]:8080"),
        ("HTTP", "AllowedOrigins", "https://claude.ai http://localhost:6274"),
        ("State", "Directory", "/srv/sentinel"),
        ("State", "Directory", ""),
        ("HTTP", "Listen", "0.0.0.0:8080"),
    ])
    func acceptsGoodValues(section: String, key: String, value: String) {
        #expect(refusal(section, key, value) == nil)
    }
}
