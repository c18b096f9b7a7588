import SentinelCore
import Testing
@testable import SentinelGateway

struct ConnectionAdmissionTests {
    func address(_ text: String) -> IPAddress { IPAddress(parsing: text)! }

    func limits(total: Int, perAddress: Int, trustedProxies: [String] = []) -> HTTPConnectionLimits {
        var configuration = DaemonConfiguration()
        configuration.maxConnections = total
        configuration.maxConnectionsPerAddress = perAddress
        configuration.trustedProxies.ranges = trustedProxies.map { IPAddressRange(parsing: $0)! }
        return HTTPConnectionLimits(configuration)
    }

    @Test func theCapPerAddressLeavesOtherAddressesIn() {
        let admission = ConnectionAdmission()
        let caps = limits(total: 100, perAddress: 3)
        var keys: [IPAddress?] = []
        for _ in 0..<3 {
            guard case .admitted(let key) = admission.admit(peer: address("127.0.0.2"), limits: caps) else {
                Issue.record("refused below the cap")
                return
            }
            keys.append(key)
        }
        #expect(admission.admit(peer: address("127.0.0.2"), limits: caps) == .refusedAddress)
        #expect(admission.admit(peer: address("::ffff:127.0.0.2"), limits: caps) == .refusedAddress, "one address, two spellings")
        #expect(admission.admit(peer: address("127.0.0.3"), limits: caps) == .admitted(key: address("127.0.0.3")))
        admission.release(key: keys[0])
        #expect(admission.admit(peer: address("127.0.0.2"), limits: caps) == .admitted(key: address("127.0.0.2")))
        #expect(admission.openConnections == 4)
    }

    @Test func ipv6PeersCountPerSlash64() {
        let admission = ConnectionAdmission()
        let caps = limits(total: 100, perAddress: 2)
        #expect(admission.admit(peer: address("2001:db8:1:2::1"), limits: caps) == .admitted(key: address("2001:db8:1:2::")))
        #expect(admission.admit(peer: address("2001:db8:1:2:ffff::9"), limits: caps) == .admitted(key: address("2001:db8:1:2::")))
        #expect(admission.admit(peer: address("2001:db8:1:2::3"), limits: caps) == .refusedAddress)
        #expect(admission.admit(peer: address("2001:db8:1:3::1"), limits: caps) != .refusedAddress)
    }

    @Test func theTotalCapHoldsAndTrustedProxiesCountOnlyTowardsIt() {
        let admission = ConnectionAdmission()
        let caps = limits(total: 5, perAddress: 2, trustedProxies: ["10.0.0.1"])
        for _ in 0..<4 {
            #expect(admission.admit(peer: address("10.0.0.1"), limits: caps) == .admitted(key: nil), "a proxy is many clients")
        }
        #expect(admission.admit(peer: address("192.0.2.1"), limits: caps) == .admitted(key: address("192.0.2.1")))
        #expect(admission.admit(peer: address("192.0.2.2"), limits: caps) == .refusedTotal)
        #expect(admission.admit(peer: address("10.0.0.1"), limits: caps) == .refusedTotal)
        admission.release(key: nil)
        #expect(admission.admit(peer: address("192.0.2.2"), limits: caps) == .admitted(key: address("192.0.2.2")))
    }

    @Test func refusalsAreAnsweredPolitelyOnlyUpToABound() {
        let admission = ConnectionAdmission()
        for _ in 0..<ConnectionAdmission.maxRefusing { #expect(admission.startRefusing()) }
        #expect(!admission.startRefusing())
        admission.finishRefusing()
        #expect(admission.startRefusing())
    }

    @Test func refusalsAreReportedOncePerTenSeconds() {
        let admission = ConnectionAdmission()
        let start = ContinuousClock.now
        #expect(admission.noteRefusal(now: start) == 1)
        #expect(admission.noteRefusal(now: start + .seconds(1)) == nil)
        #expect(admission.noteRefusal(now: start + .seconds(2)) == nil)
        #expect(admission.noteRefusal(now: start + .seconds(11)) == 3)
    }
}
