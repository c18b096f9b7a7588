/// A type in a varlink interface definition.
public indirect enum VarlinkType: Sendable, Equatable {
    case bool
    case int
    case float
    case string
    /// Any JSON object (varlink's `object`).
    case object
    /// A type defined elsewhere in the interface by `type Name ...`.
    case named(String)
    case array(VarlinkType)
    /// `[string]T`: an object whose values are `T`.
    case map(VarlinkType)
    /// `[string]()`: an object used as a set of keys.
    case set
    /// `?T`: may be null or absent.
    case optional(VarlinkType)
    case structure([VarlinkField])
    case enumeration([String])
}

/// One named field of a varlink struct.
public struct VarlinkField: Sendable, Equatable {
    public var name: String
    public var type: VarlinkType

    public init(name: String, type: VarlinkType) {
        self.name = name
        self.type = type
    }
}

/// A method of an interface: its input and output structs.
public struct VarlinkMethod: Sendable, Equatable {
    public var name: String
    public var input: [VarlinkField]
    public var output: [VarlinkField]
}
