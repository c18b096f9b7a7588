import Foundation
import Testing
import SentinelCore

struct MCPSessionIDTests {
    @Test func anIdRoundTripsThroughItsText() throws {
        let id = MCPSessionID(protocolVersion: "2025-06-18", issuedAt: 1_750_000_000, nonce: Array(0..<16)).signed(with: Array(repeating: 0xAB, count: 32))
        #expect(id.text == "s2.20250618.0.1750000000.000102030405060708090a0b0c0d0e0f.abababababababababababababababab")
        let parsed = try #require(MCPSessionID(parsing: id.text))
        #expect(parsed == id && parsed.protocolVersion == "2025-06-18" && parsed.issued == Date(timeIntervalSince1970: 1_750_000_000))
        #expect(!parsed.capabilities.urlElicitation)
    }

    @Test func anIdCarriesTheCapabilitiesTheClientDeclared() throws {
        let id = MCPSessionID(
            protocolVersion: "2025-11-25", capabilities: MCPClientCapabilities(urlElicitation: true), issuedAt: 1_750_000_000,
            nonce: Array(0..<16)).signed(with: Array(repeating: 0xAB, count: 32))
        #expect(id.text == "s2.20251125.1.1750000000.000102030405060708090a0b0c0d0e0f.abababababababababababababababab")
        let parsed = try #require(MCPSessionID(parsing: id.text))
        #expect(parsed == id && parsed.capabilities.urlElicitation)
        let without = MCPSessionID(protocolVersion: "2025-11-25", issuedAt: 1_750_000_000, nonce: Array(0..<16))
        #expect(id.signedBytes(endpoint: "eng", grant: nil) != without.signedBytes(endpoint: "eng", grant: nil),
                "the signature covers the capabilities: a client cannot flip them")
    }

    @Test func idsOfTheEarlierFormStayValidAndDeclareNothing() throws {
        let earlier = "s1.20251125.1750000000.000102030405060708090a0b0c0d0e0f.abababababababababababababababab"
        let parsed = try #require(MCPSessionID(parsing: earlier))
        #expect(parsed.text == earlier, "signed and shown as issued")
        #expect(!parsed.capabilities.urlElicitation)
        let bytes = String(decoding: parsed.signedBytes(endpoint: "eng", grant: "g"), as: UTF8.self)
        #expect(bytes == ["sentinel-mcp-session", "s1", "2025-11-25", "1750000000", "000102030405060708090a0b0c0d0e0f", "eng", "g"]
            .joined(separator: "\u{0}"), "the bytes an s1 id was signed over")
    }

    @Test func textsThatThisGatewayCouldNotHaveIssuedAreRejected() {
        let good = "s2.20251125.1.1750000000.000102030405060708090a0b0c0d0e0f.abababababababababababababababab"
        #expect(MCPSessionID(parsing: good) != nil)
        for bad in [
            "", "0123456789abcdef0123456789abcdef", good.replacingOccurrences(of: "s2.", with: "s3."),
            good.replacingOccurrences(of: "s2.", with: "s1."), good.replacingOccurrences(of: ".1.", with: ".A."),
            good.replacingOccurrences(of: ".1.", with: ".10."), good.replacingOccurrences(of: ".1.", with: ".."),
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
