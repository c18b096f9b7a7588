public import SentinelCrypto
public import SentinelStoreContract

/// Makes a fresh, empty backend that seals with `secrets` (nil: one without a secret key).
///
/// Each call must return a backend that shares nothing with earlier ones.
public typealias StoreBackendFactory = @Sendable (_ secrets: SecretBox?) async throws -> any StoreBackend

/// One rule of the store's contract, checked against a backend a factory makes.
public struct StoreContractCheck: Sendable, CustomStringConvertible {
    /// What the rule is, as a test name (`revokedGrantTokenIsRefused`).
    public let name: String
    let body: @Sendable (StoreBackendFactory) async throws -> Void

    init(_ name: String, _ body: @escaping @Sendable (StoreBackendFactory) async throws -> Void) {
        self.name = name
        self.body = body
    }

    public var description: String { name }

    /// Checks the rule; throws `ContractViolation` (or the backend's own error) when the backend breaks it.
    public func run(_ makeBackend: @escaping StoreBackendFactory) async throws {
        try await body(makeBackend)
    }
}
