/// Runs at most one body per key at a time; later callers for the same key wait their turn.
///
/// Used so that concurrent calls needing the same credential refresh it once: the second caller
/// re-reads the stored credential after the first one's refresh and finds it fresh.
actor KeyedSerializer {
    private var busy: Set<String> = []
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    func run<T: Sendable>(_ key: String, _ body: @Sendable () async throws -> T) async throws -> T {
        while busy.contains(key) {
            await withCheckedContinuation { waiters[key, default: []].append($0) }
        }
        busy.insert(key)
        defer {
            busy.remove(key)
            if var queue = waiters[key], !queue.isEmpty {
                queue.removeFirst().resume()
                waiters[key] = queue.isEmpty ? nil : queue
            }
        }
        return try await body()
    }
}
