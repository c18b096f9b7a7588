import Synchronization

extension UpstreamPool {
    /// Callers waiting for a start under way; cancelling one of them stops only its own wait.
    final class StartWaitlist: Sendable {
        private struct State {
            var nextID = 0
            var waiting: [Int: CheckedContinuation<StartOutcome, any Error>] = [:]
            var outcome: StartOutcome?
        }

        private let state = Mutex(State())

        func wait() async throws -> StartOutcome {
            let id = state.withLock { state in
                defer { state.nextID += 1 }
                return state.nextID
            }
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    let immediate = state.withLock { state -> Result<StartOutcome, any Error>? in
                        if let outcome = state.outcome { return .success(outcome) }
                        if Task.isCancelled { return .failure(CancellationError()) }
                        state.waiting[id] = continuation
                        return nil
                    }
                    if let immediate { continuation.resume(with: immediate) }
                }
            } onCancel: {
                state.withLock { $0.waiting.removeValue(forKey: id) }?.resume(throwing: CancellationError())
            }
        }

        func finish(_ outcome: StartOutcome) {
            let waiting = state.withLock { state in
                state.outcome = outcome
                defer { state.waiting = [:] }
                return state.waiting
            }
            for continuation in waiting.values { continuation.resume(returning: outcome) }
        }
    }
}
