import Foundation
import SentinelStore
import SentinelStoreContractTesting
import Testing

/// The SQLite store keeps every rule of the store's contract: each check gets fresh databases in its own
/// temporary directory.
struct StoreContractTests {
    @Test(arguments: StoreContractSuite.checks)
    func sqliteStoreKeepsTheContract(_ check: StoreContractCheck) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = directory.url
        try await check.run { secrets in
            try Store(path: url.appendingPathComponent("\(UUID().uuidString).sqlite").path, secrets: secrets)
        }
    }
}
