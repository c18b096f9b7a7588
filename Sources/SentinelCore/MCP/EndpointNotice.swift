/// Something that happened which the clients of an endpoint may have asked to hear about: what the
/// notification hub carries, each listening stream deciding by its own filter whether to send it.
public enum EndpointNotice: Sendable, Hashable {
    /// The endpoint's list of tools, prompts or resources (and templates) changed.
    case listChanged(MCPListKind)
    /// An upstream told that one of its resources changed. `owner` is whose credential the upstream
    /// connection uses (nil: the shared one), so a personal server's updates reach only its user's
    /// streams; `upstreamURI` is the upstream's own URI (streams map it for their clients).
    case resourceUpdated(server: String, owner: String?, upstreamURI: String)
}

/// The lists an endpoint serves, each with its own `list_changed` notification.
public enum MCPListKind: String, Sendable, Hashable, CaseIterable {
    case tools, prompts, resources

    /// The notification's method, e.g. `notifications/prompts/list_changed`.
    public var notificationMethod: String { "notifications/\(rawValue)/list_changed" }

    /// The member of a 2026-07-28 `subscriptions/listen` filter (and its acknowledgement) that asks for it.
    public var listenFilterKey: String { "\(rawValue)ListChanged" }
}
