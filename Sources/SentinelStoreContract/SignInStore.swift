public import Foundation
public import SentinelCore

/// Browser sign-ins to Sentinel's consent pages, by the SHA-256 of their cookie value.
public protocol SignInStore: Sendable {
    /// Records a sign-in of an existing user (`notFound` otherwise).
    func createSignIn(hash: String, user: String, expiresAt: Date, address: String?, now: Date) async throws
    /// The user of a sign-in unexpired at `now`, or nil.
    func signedInUser(hash: String, now: Date) async throws -> User?
    /// Ends a sign-in (sign out); an unknown hash is no error.
    func deleteSignIn(hash: String) async throws
}
