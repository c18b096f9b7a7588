import NIOCore
import Synchronization

/// Connections kept open between exchanges.
final class HTTPNIOConnectionPool: Sendable {
    private struct State {
        var idle: [HTTPNIOConnection] = []
        var open: [ObjectIdentifier: any Channel] = [:]
        var closed = false
    }

    private let state = Mutex(State())
    private let maximumIdle: Int

    init(maximumIdle: Int) {
        self.maximumIdle = maximumIdle
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    /// An idle connection on `loop`; one on another loop only when `loop` is not the caller's own
    /// (`local` false) or the pool already holds `maximumIdle` connections. Nil: open a new one.
    ///
    /// A call made on an event loop then stays on it (no wake-up of another thread per exchange).
    func takeIdle(preferring loop: any EventLoop, local: Bool) -> HTTPNIOConnection? {
        state.withLock { state in
            if let index = state.idle.lastIndex(where: { $0.eventLoop === loop }) {
                return state.idle.remove(at: index)
            }
            if local && state.open.count < maximumIdle { return nil }
            return state.idle.popLast()
        }
    }

    func register(_ connection: HTTPNIOConnection, channel: any Channel) -> Bool {
        state.withLock { state in
            guard !state.closed else { return false }
            state.open[ObjectIdentifier(connection)] = channel
            return true
        }
    }

    /// Back from an exchange; closed instead when the pool is full or shut down.
    func release(_ connection: HTTPNIOConnection) -> Bool {
        state.withLock { state in
            guard !state.closed, state.idle.count < maximumIdle, state.open[ObjectIdentifier(connection)] != nil else {
                return false
            }
            state.idle.append(connection)
            return true
        }
    }

    func forget(_ connection: HTTPNIOConnection) {
        state.withLock { state in
            state.open[ObjectIdentifier(connection)] = nil
            state.idle.removeAll { $0 === connection }
        }
    }

    func close() {
        let channels = state.withLock { state in
            state.closed = true
            state.idle = []
            defer { state.open = [:] }
            return Array(state.open.values)
        }
        for channel in channels { channel.close(promise: nil) }
    }
}
