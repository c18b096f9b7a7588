import SentinelCore


extension JSONValue {
    var isBool: Bool { boolValue != nil }
    var isInteger: Bool {
        switch self {
        case .int: return true
        case .double(let value): return value.rounded() == value
        default: return false
        }
    }
    var isNumber: Bool { doubleValue != nil }
    var string: String? { stringValue }
    var object: [String: JSONValue]? { objectValue }
    var array: [JSONValue]? { arrayValue }
}
