/// Who made a change: a peer of the control socket, or the daemon itself.
public enum ChangeOrigin: Sendable, Equatable, Codable {
    /// The daemon's own work (catalog refreshes, revocations by the authorization server).
    case daemon
    case peer(uid: UInt32, pid: Int32)

    /// The uid shown for the change; 0 for the daemon, as `WatchChanges` documents.
    public var uid: UInt32 {
        switch self {
        case .daemon: 0
        case .peer(let uid, _): uid
        }
    }

    /// The pid shown for the change; 0 for the daemon.
    public var pid: Int32 {
        switch self {
        case .daemon: 0
        case .peer(_, let pid): pid
        }
    }
}
