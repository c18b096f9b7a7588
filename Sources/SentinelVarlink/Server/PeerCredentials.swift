#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOCore

enum PeerCredentials {
    /// Reads SO_PEERCRED of a unix socket channel, and the peer's supplementary groups from /proc.
    ///
    /// The groups are read once, at accept time, and only trusted when the
    /// process's real uid still matches the socket's credentials.
    static func read(from channel: any Channel) -> EventLoopFuture<VarlinkPeer> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeSucceededFuture(VarlinkPeer(uid: UInt32.max, gid: UInt32.max, pid: 0, groups: []))
        }
        let future: EventLoopFuture<SocketPeerCredentials> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        return future.map { credentials in
            VarlinkPeer(
                uid: credentials.uid, gid: credentials.gid, pid: credentials.pid,
                groups: supplementaryGroups(pid: credentials.pid, uid: credentials.uid))
        }
    }

    static func supplementaryGroups(pid: Int32, uid: UInt32) -> [UInt32] {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return [] }
        var groups: [UInt32] = []
        var uidMatches = false
        for line in status.split(separator: "\n") {
            if line.hasPrefix("Uid:") {
                let fields = line.dropFirst(4).split(whereSeparator: { $0 == " " || $0 == "\t" })
                uidMatches = fields.first.flatMap { UInt32($0) } == uid
            } else if line.hasPrefix("Groups:") {
                groups = line.dropFirst(7).split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { UInt32($0) }
            }
        }
        return uidMatches ? groups : []
    }
}

/// The layout of Linux's `struct ucred` (pid_t, uid_t, gid_t), which Glibc's module does not export.
struct SocketPeerCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}
