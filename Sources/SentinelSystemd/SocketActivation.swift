internal import CSystemd
internal import Glibc

/// Reads the sockets systemd passed in (`LISTEN_FDS`, `LISTEN_FDNAMES`).
///
/// Without socket activation the list is empty and the daemon binds its
/// configured addresses itself.
public enum SocketActivation {
    /// The first inherited descriptor (`SD_LISTEN_FDS_START`).
    static let firstDescriptor: Int32 = 3

    /// The name libsystemd reports for a descriptor whose unit set no `FileDescriptorName=`.
    static let unnamed = "unknown"

    /// Returns the sockets passed to this process, in the order systemd passed them.
    ///
    /// Uses `sd_listen_fds_with_names`, which checks that `LISTEN_PID` is this
    /// process and marks each descriptor close-on-exec. An absent or malformed
    /// `LISTEN_FDS` yields an empty list.
    ///
    /// - Parameter unsetEnvironment: Remove `LISTEN_PID`, `LISTEN_FDS` and
    ///   `LISTEN_FDNAMES` afterwards so that child processes do not inherit them.
    ///   A second call then returns an empty list, so read once and keep the result.
    public static func listenedSockets(unsetEnvironment: Bool = true) -> [ListenedSocket] {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
        let count = sd_listen_fds_with_names(unsetEnvironment ? 1 : 0, &names)
        defer {
            if let names {
                var index = 0
                while let name = names[index] {
                    free(name)
                    index += 1
                }
                free(names)
            }
        }
        guard count > 0 else { return [] }
        var decoded: [String] = []
        if let names {
            for index in 0..<Int(count) {
                guard let name = names[index] else { break }
                decoded.append(String(cString: name))
            }
        }
        return pair(descriptorCount: Int(count), names: decoded)
    }

    /// Returns the first socket with the given name, or `nil` when none was passed.
    public static func socket(named name: String, in sockets: [ListenedSocket]) -> ListenedSocket? {
        sockets.first { $0.name == name }
    }

    /// Returns every socket with the given name, in the order systemd passed them.
    ///
    /// A socket unit with several `ListenStream=` lines passes one descriptor
    /// per address, all under the unit's one `FileDescriptorName=`.
    public static func sockets(named name: String, in sockets: [ListenedSocket]) -> [ListenedSocket] {
        sockets.filter { $0.name == name }
    }

    /// Pairs descriptors `3, 4, …` with names; descriptors beyond the names are ``unnamed``.
    static func pair(descriptorCount: Int, names: [String]) -> [ListenedSocket] {
        guard descriptorCount > 0 else { return [] }
        return (0..<descriptorCount).map { index in
            ListenedSocket(
                fileDescriptor: firstDescriptor + Int32(index),
                name: index < names.count ? names[index] : unnamed)
        }
    }
}
