import Foundation
import Logging
import SentinelCore
import SentinelCrypto
import SentinelStore
import Testing
@testable import SentinelGateway

/// Handshake-era sessions over a real SQLite store: ids verify themselves, the store remembers ends.
struct MCPSessionsTests {
    static let day = 86_400
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    static func withStore(_ body: (_ open: () throws -> Store) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sentinel-sessions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = SecretBox.generateKey()
        let path = directory.appendingPathComponent("sentinel.sqlite").path
        try await body { try Store(path: path, secrets: try SecretBox(key: key)) }
    }

    static func sessions(_ store: Store) -> MCPSessions {
        MCPSessions(store: store, logger: Logger(label: "test"))
    }

    static func isValid(_ lookup: MCPSessions.Lookup) -> Bool {
        if case .valid = lookup { return true }
        return false
    }

    @Test func anIssuedIdIsValidForItsEndpointAndGrantOnly() async throws {
        try await Self.withStore { open in
            let sessions = Self.sessions(try open())
            let id = try await sessions.create(
                endpoint: "eng", grant: "g1", protocolVersion: "2025-06-18", clientName: "claude", clientVersion: "1", now: Self.now)
            guard case .valid(let session) = await sessions.resolve(id, endpoint: "eng", grant: "g1", idleSeconds: Self.day, now: Self.now)
            else { Issue.record("a fresh id was refused"); return }
            #expect(session.protocolVersion == "2025-06-18" && session.clientName == "claude")
            #expect(!Self.isValid(await sessions.resolve(id, endpoint: "ops", grant: "g1", idleSeconds: Self.day, now: Self.now)))
            #expect(!Self.isValid(await sessions.resolve(id, endpoint: "eng", grant: "g2", idleSeconds: Self.day, now: Self.now)))
        }
    }

    @Test func aRestartKeepsValidIdsValidAndForgedOnesRefused() async throws {
        try await Self.withStore { open in
            let id = try await Self.sessions(try open()).create(
                endpoint: "eng", grant: nil, protocolVersion: "2025-11-25", clientName: "c", clientVersion: "", now: Self.now)
            let restarted = Self.sessions(try open())
            guard case .valid(let session) = await restarted.resolve(id, endpoint: "eng", grant: nil, idleSeconds: Self.day, now: Self.now)
            else { Issue.record("a valid id was refused after a restart"); return }
            #expect(session.protocolVersion == "2025-11-25")
            var forged = try #require(MCPSessionID(parsing: id))
            forged.issuedAt += 1
            #expect(!Self.isValid(await restarted.resolve(forged.text, endpoint: "eng", grant: nil, idleSeconds: Self.day, now: Self.now)))
            #expect(!Self.isValid(await restarted.resolve("made-up", endpoint: "eng", grant: nil, idleSeconds: Self.day, now: Self.now)))
        }
    }

    @Test func theCapabilitiesDeclaredInInitializeOutliveARestart() async throws {
        try await Self.withStore { open in
            let id = try await Self.sessions(try open()).create(
                endpoint: "eng", grant: "g1", protocolVersion: "2025-11-25", capabilities: MCPClientCapabilities(urlElicitation: true),
                clientName: "c", clientVersion: "", now: Self.now)
            guard case .valid(let session) = await Self.sessions(try open()).resolve(
                id, endpoint: "eng", grant: "g1", idleSeconds: Self.day, now: Self.now)
            else { Issue.record("a valid id was refused after a restart"); return }
            #expect(session.capabilities.urlElicitation)
            var flipped = try #require(MCPSessionID(parsing: id))
            flipped.capabilities = MCPClientCapabilities()
            #expect(!Self.isValid(await Self.sessions(try open()).resolve(
                flipped.text, endpoint: "eng", grant: "g1", idleSeconds: Self.day, now: Self.now)), "the capabilities are signed")
        }
    }

    @Test func anEndedSessionStaysEndedAcrossARestart() async throws {
        try await Self.withStore { open in
            let sessions = Self.sessions(try open())
            let id = try await sessions.create(
                endpoint: "eng", grant: nil, protocolVersion: "2025-11-25", clientName: "c", clientVersion: "", now: Self.now)
            #expect(Self.isValid(await sessions.end(id, endpoint: "eng", grant: nil, idleSeconds: Self.day, now: Self.now)))
            #expect(!Self.isValid(await sessions.resolve(id, endpoint: "eng", grant: nil, idleSeconds: Self.day, now: Self.now)))
            #expect(!Self.isValid(await sessions.end(id, endpoint: "eng", grant: nil, idleSeconds: Self.day, now: Self.now)))
            #expect(!Self.isValid(await Self.sessions(try open()).resolve(id, endpoint: "eng", grant: nil, idleSeconds: Self.day, now: Self.now)))
        }
    }

    @Test func anIdleSessionExpiresAndAnActiveOneSurvivesARestart() async throws {
        try await Self.withStore { open in
            let sessions = Self.sessions(try open())
            let idle = try await sessions.create(
                endpoint: "eng", grant: nil, protocolVersion: "2025-11-25", clientName: "c", clientVersion: "", now: Self.now)
            let active = try await sessions.create(
                endpoint: "eng", grant: nil, protocolVersion: "2025-11-25", clientName: "busy", clientVersion: "2", now: Self.now)
            // Used every 40 minutes for 3 hours under a 1-hour lifetime: the use is recorded as it goes.
            for step in 1...4 {
                let at = Self.now.addingTimeInterval(TimeInterval(step * 2_400))
                #expect(Self.isValid(await sessions.resolve(active, endpoint: "eng", grant: nil, idleSeconds: 3_600, now: at)))
            }
            let later = Self.now.addingTimeInterval(4 * 2_400 + 1_800)
            #expect(!Self.isValid(await sessions.resolve(idle, endpoint: "eng", grant: nil, idleSeconds: 3_600, now: later)))
            let restarted = Self.sessions(try open())
            guard case .valid(let session) = await restarted.resolve(active, endpoint: "eng", grant: nil, idleSeconds: 3_600, now: later)
            else { Issue.record("an active session was lost in a restart"); return }
            #expect(session.clientName == "busy" && session.clientVersion == "2")
            #expect(!Self.isValid(await restarted.resolve(idle, endpoint: "eng", grant: nil, idleSeconds: 3_600, now: later)))
        }
    }
}
