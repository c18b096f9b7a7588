import Dispatch
import Foundation
import SentinelControl
import SentinelVarlink
import Synchronization

/// Forwards to the manager and counts `WatchChanges` subscriptions, so a test knows when one is live.
struct ObservedManager: VarlinkInterface {
    let inner: ManagerInterface
    let counter = SubscriptionCounter()

    var definition: VarlinkInterfaceDefinition { inner.definition }

    func handle(_ call: VarlinkCall, peer: VarlinkPeer) async throws -> VarlinkResponse {
        let response = try await inner.handle(call, peer: peer)
        if call.member == "WatchChanges" { counter.increment() }
        return response
    }

    func varlinkError(for error: any Error) -> VarlinkError { inner.varlinkError(for: error) }
}

final class SubscriptionCounter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

/// One blocking client kept across several `blocking` calls; only one thread uses it at a time.
final class ClientBox: @unchecked Sendable {
    let client: VarlinkClient
    init(path: String) throws { client = try VarlinkClient(address: path) }
}

struct BlockingTimeout: Error {}

/// Runs blocking client code on its own thread; fails with `BlockingTimeout` after `timeout` seconds.
func blocking<T: Sendable>(timeout: Double = 20, _ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let pending = Mutex<CheckedContinuation<T, any Error>?>(continuation)
        let finish: @Sendable (Result<T, any Error>) -> Void = { result in
            pending.withLock { slot in
                slot?.resume(with: result)
                slot = nil
            }
        }
        Thread { finish(Result { try work() }) }.start()
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { finish(.failure(BlockingTimeout())) }
    }
}
