import Glibc
import Testing
@testable import SentinelSystemd

/// Serialized: the tests point the process-wide `NOTIFY_SOCKET` at their own socket.
@Suite(.serialized) struct ServiceNotifierTests {
    @Test func readyAndStoppingReachTheNotifySocket() throws {
        let manager = try FakeManager()
        defer { manager.close() }
        let notifier = ServiceNotifier()
        #expect(notifier.isEnabled)

        #expect(notifier.ready(status: "serving 2 endpoints"))
        #expect(try manager.receive() == "READY=1\nSTATUS=serving 2 endpoints")
        #expect(notifier.stopping())
        #expect(try manager.receive() == "STOPPING=1")
    }

    @Test func statusIsKeptOnOneLine() throws {
        let manager = try FakeManager()
        defer { manager.close() }
        #expect(ServiceNotifier().status("reloading\nconfig"))
        #expect(try manager.receive() == "STATUS=reloading config")
    }

    @Test func watchdogAndTimeoutExtensionAreSent() throws {
        let manager = try FakeManager()
        defer { manager.close() }
        let notifier = ServiceNotifier()
        #expect(notifier.watchdog())
        #expect(try manager.receive() == "WATCHDOG=1")
        #expect(notifier.extendTimeout(microseconds: 5_000_000))
        #expect(try manager.receive() == "EXTEND_TIMEOUT_USEC=5000000")
    }

    @Test func reloadingCarriesTheMonotonicClock() throws {
        let manager = try FakeManager()
        defer { manager.close() }
        let before = ServiceNotifier.monotonicMicroseconds()
        #expect(ServiceNotifier().reloading())
        let after = ServiceNotifier.monotonicMicroseconds()

        let lines = try manager.receive().split(separator: "\n")
        try #require(lines.count == 2)
        #expect(lines[0] == "RELOADING=1")
        #expect(lines[1].hasPrefix("MONOTONIC_USEC="))
        let stamp = try #require(UInt64(lines[1].dropFirst("MONOTONIC_USEC=".count)))
        #expect(before <= stamp && stamp <= after)
    }

    @Test func withoutNotifySocketNothingIsSent() {
        unsetenv("NOTIFY_SOCKET")
        let notifier = ServiceNotifier()
        #expect(!notifier.isEnabled)
        #expect(!notifier.ready(status: nil))
        #expect(!notifier.watchdog())
    }

    @Test func watchdogIntervalFollowsWatchdogUsec() {
        setenv("WATCHDOG_USEC", "3000000", 1)
        setenv("WATCHDOG_PID", String(getpid()), 1)
        #expect(ServiceNotifier().watchdogInterval == .seconds(3))

        setenv("WATCHDOG_PID", String(getpid() + 1), 1)
        #expect(ServiceNotifier().watchdogInterval == nil)

        unsetenv("WATCHDOG_USEC")
        unsetenv("WATCHDOG_PID")
        #expect(ServiceNotifier().watchdogInterval == nil)
    }
}

/// A datagram socket standing in for systemd's notify socket; sets `NOTIFY_SOCKET` while open.
private struct FakeManager {
    let descriptor: Int32
    let path: String

    init() throws {
        path = "/tmp/sentinel-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SocketError(operation: "socket") }

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            bytes.copyBytes(from: path.utf8)
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else {
            _ = Glibc.close(descriptor)
            throw SocketError(operation: "bind")
        }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setenv("NOTIFY_SOCKET", path, 1)
    }

    func receive() throws -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        guard count >= 0 else { throw SocketError(operation: "recv") }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    func close() {
        unsetenv("NOTIFY_SOCKET")
        _ = Glibc.close(descriptor)
        unlink(path)
    }
}

private struct SocketError: Error {
    let operation: String
}
