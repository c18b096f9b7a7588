import Foundation
import SentinelCore

/// What the account page shows a signed-in user: their sessions and their personal credentials.
struct AccountView {
    /// One personal server: the user's credential for it (if any) and its state.
    struct Credential {
        var row: CredentialRow
        /// When the user connected it (a refresh does not change it); nil when there is no credential.
        var connectedAt: Date?
        var hasCredential: Bool { connectedAt != nil }
    }

    var user: User
    /// Active grants of the user, newest first.
    var sessions: [Grant]
    var credentials: [Credential]
    /// The CSRF token every form of the page carries (bound to the sign-in).
    var csrf: String
    var notice: String?
    var problem: String?
}
