import Synchronization

/// The requests being worked on, each with a way to cancel it from `notifications/cancelled`.
///
/// Registration happens on the reading side, before the request's task starts, so a cancel
/// that follows its request on the wire always finds it. `cancel` and `finish` both remove
/// the entry under one lock: whichever comes first decides whether a response is written.
final class InFlightRequests: Sendable {
    private let entries = Mutex<[RequestID: AsyncStream<Void>.Continuation]>([:])

    /// Starts tracking `id`; nil if a request with the same id is already in flight.
    func register(_ id: RequestID) -> CancellationSignal? {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let added = entries.withLock { entries in
            guard entries[id] == nil else { return false }
            entries[id] = continuation
            return true
        }
        return added ? CancellationSignal(stream: stream) : nil
    }

    /// Cancels `id` if it is still in flight; false when it already finished (or never existed).
    func cancel(_ id: RequestID) -> Bool {
        guard let continuation = entries.withLock({ $0.removeValue(forKey: id) }) else { return false }
        continuation.yield()
        continuation.finish()
        return true
    }

    /// Stops tracking `id`; true if it was not cancelled first, i.e. its response is still wanted.
    @discardableResult
    func finish(_ id: RequestID) -> Bool {
        guard let continuation = entries.withLock({ $0.removeValue(forKey: id) }) else { return false }
        continuation.finish()
        return true
    }

    func contains(_ id: RequestID) -> Bool {
        entries.withLock { $0[id] != nil }
    }

    var count: Int {
        entries.withLock { $0.count }
    }
}
