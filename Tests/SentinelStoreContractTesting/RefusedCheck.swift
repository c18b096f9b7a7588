/// What a check that the contract lets callers pass in (PKCE, key persistence) throws to refuse.
struct RefusedCheck: Error, Equatable {}
