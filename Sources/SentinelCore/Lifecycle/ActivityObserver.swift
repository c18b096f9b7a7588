/// Told when a listener opens or closes a client connection.
///
/// The daemon uses it to decide when it is idle (and may exit, to be started
/// again by socket activation) and to report counts in its status line.
public protocol ActivityObserver: Sendable {
    func connectionOpened()
    func connectionClosed()
}
