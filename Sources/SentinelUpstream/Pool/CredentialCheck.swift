/// What checking a credential against its server found (see `CredentialVerifying`).
public enum CredentialCheck: Sendable, Equatable {
    /// The server listed its tools with the credential.
    case accepted
    /// The server refused the credential; the reason is the server's own (bounded, plain text, not yet escaped).
    case refused(reason: String)
    /// The server could not be reached or did not answer in time, so nothing is known about the credential.
    case unreachable(reason: String)
}
