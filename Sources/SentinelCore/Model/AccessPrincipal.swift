/// Someone an endpoint's access list can name.
public enum AccessPrincipal: Sendable, Equatable {
    case user(String)
    case group(String)
}
