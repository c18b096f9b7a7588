/// The rules every store backend must keep, as checks a backend's test target runs with its own factory:
///
/// ```swift
/// @Test(arguments: StoreContractSuite.checks)
/// func postgresKeepsTheStoreContract(_ check: StoreContractCheck) async throws {
///     try await check.run { secrets in try await PostgresStore.fresh(secrets: secrets) }
/// }
/// ```
public enum StoreContractSuite {
    /// Every check, grouped by the contract's protocols.
    public static let checks: [StoreContractCheck] =
        servers + surfaces + endpoints + users + accessLists + oauthClients + grants + credentials + mcpSessions + signIns
        + secretKeys + status
}
