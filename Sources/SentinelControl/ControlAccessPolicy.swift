public import SentinelVarlink

/// Who may use the control socket: root, the daemon's own user, and members of one group.
public struct ControlAccessPolicy: Sendable {
    /// The daemon's own uid (a process running as it could edit the database anyway).
    public var daemonUID: UInt32
    /// The control group's gid, when the group exists on this system.
    public var groupID: UInt32?

    public init(daemonUID: UInt32, groupID: UInt32?) {
        self.daemonUID = daemonUID
        self.groupID = groupID
    }

    public func permits(_ peer: VarlinkPeer) -> Bool {
        if peer.uid == 0 || peer.uid == daemonUID { return true }
        guard let groupID else { return false }
        return peer.gid == groupID || peer.groups.contains(groupID)
    }
}
