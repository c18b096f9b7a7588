import SentinelCore

extension HTTPUpstreamClient {
    /// Which protocol era the session speaks, settled by `start()`.
    enum Era: Sendable, Equatable {
        /// 2026-07-28: stateless requests; whether the server offers `subscriptions/listen` streams.
        case modern(listen: ListenFilter)
        /// 2025-11-25 and earlier: the negotiated revision and the session, if the server issued one.
        case handshake(version: String, sessionID: String?)
    }

    /// Which list-changed notifications the modern server advertises.
    struct ListenFilter: Sendable, Equatable {
        var tools = false
        var prompts = false
        var resources = false
        var isEmpty: Bool { !tools && !prompts && !resources }
    }
}
