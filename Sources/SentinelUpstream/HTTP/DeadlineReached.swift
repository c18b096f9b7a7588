/// The deadline passed before the operation finished (thrown by `withDeadline`, or by a transport
/// that enforces `HTTPUpstreamRequest.deadline` itself).
struct DeadlineReached: Error {}

/// Runs `operation`, cancelling it at `deadline` (then `DeadlineReached` is thrown).
func withDeadline<T: Sendable>(
    _ deadline: ContinuousClock.Instant,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(until: deadline, clock: .continuous)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw DeadlineReached() }
        return value
    }
}
