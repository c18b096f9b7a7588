public import SentinelCore

/// What `sentinelctl status` reports about the store.
public protocol StoreStatus: Sendable {
    /// How many servers, endpoints and users there are, and how many grants are active now.
    func counts() async throws -> StoreCounts
}
