/// What saving a pasted bearer token came to (`UpstreamCredentials.connectBearer`).
public enum PastedTokenOutcome: Sendable, Equatable {
    /// Saved; the server accepted it (or nothing was asked to check it).
    case saved
    /// Saved, but the server could not be reached to check it: "saved, not verified". `reason` is for the log.
    case savedNotVerified(reason: String)
    /// Not saved: the server refused it, for `reason` (the server's own words, bounded, not escaped).
    case refused(reason: String)
}
