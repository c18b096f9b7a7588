/// A socket that systemd passed to this process through socket activation.
///
/// The name is the unit's `FileDescriptorName=` (for example `http` or
/// `varlink`), or `unknown` when the unit set none. Pick sockets by name with
/// ``SocketActivation/socket(named:in:)``, never by position.
public struct ListenedSocket: Sendable, Equatable {
    /// The inherited file descriptor, already marked close-on-exec.
    public let fileDescriptor: Int32
    /// The name systemd gave this descriptor.
    public let name: String

    /// Creates a value describing an inherited descriptor.
    public init(fileDescriptor: Int32, name: String) {
        self.fileDescriptor = fileDescriptor
        self.name = name
    }
}
