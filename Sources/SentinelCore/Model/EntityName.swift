/// Validation of the names admins give to servers, endpoints and users.
///
/// Server and endpoint names appear in URLs and in exposed tool names
/// (`<server>__<tool>`), so they are kept to lower-case letters, digits and
/// single hyphens.
public enum EntityName {
    public enum Kind: String, Sendable {
        case server, endpoint, user, group
    }

    /// Returns nil when `name` is acceptable for `kind`, else a reason for people.
    public static func problem(with name: String, kind: Kind) -> String? {
        switch kind {
        case .server, .endpoint:
            guard (1...48).contains(name.count) else { return "must be 1 to 48 characters" }
            guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) else {
                return "must start with a lower-case letter"
            }
            for scalar in name.unicodeScalars where !(("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-") {
                return "may contain only lower-case letters, digits and '-'"
            }
            if name.hasSuffix("-") || name.contains("--") { return "may not end with '-' or contain '--'" }
            return nil
        case .user, .group:
            guard (1...64).contains(name.count) else { return "must be 1 to 64 characters" }
            guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) || first == "_" else {
                return "must start with a lower-case letter or '_'"
            }
            for scalar in name.unicodeScalars
            where !(("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || "_.-@".unicodeScalars.contains(scalar)) {
                return "may contain only lower-case letters, digits, '_', '.', '-' and '@'"
            }
            return nil
        }
    }
}
