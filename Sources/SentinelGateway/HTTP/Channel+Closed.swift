import NIOCore
import SentinelCore

extension Channel {
    /// Returns when the connection closes, or at once when the waiting task is cancelled.
    ///
    /// `closeFuture.get()` ignores task cancellation, so a task group waiting on it
    /// would outlive the request; this wait does not.
    func waitUntilClosed() async {
        let signal = OneShotSignal()
        closeFuture.whenComplete { _ in signal.fire() }
        await signal.wait()
    }
}
