import Foundation
import Testing
import SentinelCore

struct MCPSessionIDTests {
    @Test func anIdRoundTripsThroughItsText() throws {
        let id = MCPSessionID(protocolVersion: "2025-06-18", issuedAt: 1_750_000_000, nonce: Array(0..<16)).signed(with: Array(repeating: 0xAB, count: 32))
        #expect(id.text == "s1.20250618.1750000000.000102030405060708090a0b0c0d0e0f.abababababababababababababababab")
        let parsed = try #require(MCPSessionID(parsing: id.text))
        #expect(parsed == id && parsed.protocolVersion == "2025-06-18" && parsed.issued == Date(timeIntervalSince1970: 1_750_000_000))
    }

    @Test func textsThatThisGatewayCouldNotHaveIssuedAreRejected() {
        let good = "s1.20251125.1750000000.000102030405060708090a0b0c0d0e0f.abababababababababababababababab"
        #expect(MCPSessionID(parsing: good) != nil)
        for bad in [
            "", "0123456789abcdef0123456789abcdef", good.replacingOccurrences(of: "s1.", with: "s2."),
            good.replacingOccurrences(of: "20251125", with: "20260728"), good.replacingOccurrences(of: "ab", with: "AB"),
            good + "ab", good.replacingOccurrences(of: "1750000000", with: "-1"),
        ] {
            #expect(MCPSessionID(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func theSignatureCoversTheEndpointAndTheGrant() {
        let id = MCPSessionID(protocolVersion: "2025-11-25", issuedAt: 1, nonce: Array(repeating: 7, count: 16))
        #expect(id.signedBytes(endpoint: "eng", grant: nil) != id.signedBytes(endpoint: "ops", grant: nil))
        #expect(id.signedBytes(endpoint: "eng", grant: "g1") != id.signedBytes(endpoint: "eng", grant: "g2"))
        #expect(id.signedBytes(endpoint: "eng", grant: "g1") != id.signedBytes(endpoint: "eng\u{0}g1", grant: nil))
    }

    @Test func sessionsEndAfterTheirIdleLifetimeAndUsesAreRecordedAnEighthOfItApart() {
        let used = Date(timeIntervalSince1970: 1_000)
        #expect(!MCPSessionID.hasExpired(lastUsed: used, now: used.addingTimeInterval(60), idleSeconds: 60))
        #expect(MCPSessionID.hasExpired(lastUsed: used, now: used.addingTimeInterval(61), idleSeconds: 60))
        #expect(MCPSessionID.recordInterval(idleSeconds: 86_400) == 600)
        #expect(MCPSessionID.recordInterval(idleSeconds: 800) == 100)
        #expect(MCPSessionID.recordInterval(idleSeconds: 2) == 1)
    }
}
