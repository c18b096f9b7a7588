/// Which grants a query or revocation applies to; nil fields match all.
public struct GrantFilter: Sendable, Equatable {
    public var id: String?
    public var user: String?
    public var endpoint: String?
    public var includeInactive: Bool

    public init(id: String? = nil, user: String? = nil, endpoint: String? = nil, includeInactive: Bool = false) {
        self.id = id
        self.user = user
        self.endpoint = endpoint
        self.includeInactive = includeInactive
    }
}
