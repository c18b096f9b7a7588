import Synchronization

extension UpstreamPool {
    /// What the pool knows of one client's use, updated by its calls without a trip through the actor.
    final class Usage: Sendable {
        private struct State {
            var inFlight = 0
            var lastUsed = ContinuousClock.now
            /// Failed starts and lost connections since the last successful call.
            var failures = 0
            var lastFailure: ContinuousClock.Instant?
            /// A call saw the connection drop; the next start backs off.
            var lostConnection = false
        }

        private let state = Mutex(State())

        var lostConnection: Bool { state.withLock { $0.lostConnection } }

        func touch() {
            state.withLock { $0.lastUsed = .now }
        }

        func callStarted() {
            state.withLock { state in
                state.inFlight += 1
                state.lastUsed = .now
            }
        }

        func callEnded(_ error: (any Error)?) {
            state.withLock { state in
                state.inFlight -= 1
                state.lastUsed = .now
                switch error {
                case nil:
                    state.failures = 0
                    state.lastFailure = nil
                case UpstreamError.connectionLost?:
                    state.lostConnection = true
                    state.failures += 1
                    state.lastFailure = .now
                default:
                    break
                }
            }
        }

        func recordStart() {
            state.withLock { $0.lostConnection = false }
        }

        func recordFailure() {
            state.withLock { state in
                state.failures += 1
                state.lastFailure = .now
            }
        }

        /// When the next start may begin, or nil for at once.
        func restartNotBefore(initialBackoff: Duration, maximum: Duration) -> ContinuousClock.Instant? {
            state.withLock { state in
                guard state.failures > 0, let lastFailure = state.lastFailure else { return nil }
                var delay = initialBackoff
                for _ in 1..<min(state.failures, 32) where delay < maximum { delay *= 2 }
                let notBefore = lastFailure + min(delay, maximum)
                return notBefore > .now ? notBefore : nil
            }
        }

        func isIdle(since threshold: ContinuousClock.Instant) -> Bool {
            state.withLock { $0.inFlight == 0 && $0.lastUsed <= threshold }
        }
    }
}
