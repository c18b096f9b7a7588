/// A recursive-descent parser for varlink IDL (varlink.org, UAPI.20).
struct IDLParser {
    struct Parsed {
        var name = ""
        var types: [String: VarlinkType] = [:]
        var methods: [String: VarlinkMethod] = [:]
        var errors: [String: [VarlinkField]] = [:]
        /// The line each type and method starts on, for error messages.
        var lines: [String: Int] = [:]
    }

    private let scalars: [Unicode.Scalar]
    private var position = 0

    init(text: String) {
        scalars = Array(text.unicodeScalars)
    }

    mutating func parseInterface() throws(VarlinkIDLError) -> Parsed {
        var parsed = Parsed()
        try expectWord("interface")
        parsed.name = try readWhile { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "." || $0 == "-" }
        guard parsed.name.contains(".") else { throw error("interface name must be reverse-domain, e.g. org.example.Name") }
        while true {
            skipSpace()
            if position >= scalars.count { break }
            let keyword = try readIdentifier()
            let name = try readIdentifier()
            parsed.lines[name] = currentLine()
            guard let first = name.unicodeScalars.first, ("A"..."Z").contains(first) else {
                throw error("member name '\(name)' must start with an upper-case letter")
            }
            switch keyword {
            case "type":
                guard parsed.types[name] == nil else { throw error("type \(name) defined twice") }
                parsed.types[name] = try readStructOrEnum()
            case "method":
                guard parsed.methods[name] == nil else { throw error("method \(name) defined twice") }
                let input = try readStructFields()
                skipSpace()
                try expect("-")
                try expect(">")
                let output = try readStructFields()
                parsed.methods[name] = VarlinkMethod(name: name, input: input, output: output)
            case "error":
                guard parsed.errors[name] == nil else { throw error("error \(name) defined twice") }
                parsed.errors[name] = try readStructFields()
            default:
                throw error("expected type, method or error, found '\(keyword)'")
            }
        }
        for (name, type) in parsed.types {
            try checkReferences(type, in: parsed, context: name)
        }
        for method in parsed.methods.values {
            for field in method.input + method.output { try checkReferences(field.type, in: parsed, context: method.name) }
        }
        return parsed
    }

    private func checkReferences(_ type: VarlinkType, in parsed: Parsed, context: String) throws(VarlinkIDLError) {
        switch type {
        case .named(let name):
            guard parsed.types[name] != nil else {
                throw VarlinkIDLError(message: "\(context) uses undefined type \(name)", line: parsed.lines[context] ?? 1)
            }
        case .array(let inner), .map(let inner), .optional(let inner):
            try checkReferences(inner, in: parsed, context: context)
        case .structure(let fields):
            for field in fields { try checkReferences(field.type, in: parsed, context: context) }
        default:
            break
        }
    }

    private mutating func readStructOrEnum() throws(VarlinkIDLError) -> VarlinkType {
        skipSpace()
        let saved = position
        try expect("(")
        skipSpace()
        if peek() == ")" {
            position += 1
            return .structure([])
        }
        _ = try readIdentifier()
        skipSpace()
        let isStruct = peek() == ":"
        position = saved
        if isStruct { return .structure(try readStructFields()) }
        try expect("(")
        var cases: [String] = []
        repeat {
            cases.append(try readIdentifier())
            skipSpace()
        } while consume(",")
        try expect(")")
        return .enumeration(cases)
    }

    private mutating func readStructFields() throws(VarlinkIDLError) -> [VarlinkField] {
        skipSpace()
        try expect("(")
        skipSpace()
        var fields: [VarlinkField] = []
        if consume(")") { return fields }
        repeat {
            let name = try readIdentifier()
            skipSpace()
            try expect(":")
            let type = try readType()
            guard !fields.contains(where: { $0.name == name }) else { throw error("field \(name) appears twice") }
            fields.append(VarlinkField(name: name, type: type))
            skipSpace()
        } while consume(",")
        skipSpace()
        try expect(")")
        return fields
    }

    private mutating func readType() throws(VarlinkIDLError) -> VarlinkType {
        skipSpace()
        if consume("?") { return .optional(try readType()) }
        if consume("[") {
            if consume("]") { return .array(try readType()) }
            let key = try readIdentifier()
            guard key == "string" else { throw error("map keys must be string") }
            try expect("]")
            skipSpace()
            if peek() == "(" && peek(offset: 1) == ")" {
                position += 2
                return .set
            }
            return .map(try readType())
        }
        if peek() == "(" { return try readStructOrEnum() }
        let word = try readIdentifier()
        switch word {
        case "bool": return .bool
        case "int": return .int
        case "float": return .float
        case "string": return .string
        case "object": return .object
        default:
            guard let first = word.unicodeScalars.first, ("A"..."Z").contains(first) else {
                throw error("unknown type '\(word)'")
            }
            return .named(word)
        }
    }

    private mutating func readIdentifier() throws(VarlinkIDLError) -> String {
        skipSpace()
        let word = try readWhile { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" }
        return word
    }

    private mutating func readWhile(_ accept: (Unicode.Scalar) -> Bool) throws(VarlinkIDLError) -> String {
        skipSpace()
        let start = position
        while position < scalars.count, accept(scalars[position]) { position += 1 }
        guard position > start else { throw error("expected a name") }
        return String(String.UnicodeScalarView(scalars[start..<position]))
    }

    private mutating func expectWord(_ word: String) throws(VarlinkIDLError) {
        let found = try readIdentifier()
        guard found == word else { throw error("expected '\(word)', found '\(found)'") }
    }

    private mutating func expect(_ scalar: Unicode.Scalar) throws(VarlinkIDLError) {
        skipSpace()
        guard consume(scalar) else { throw error("expected '\(scalar)'") }
    }

    private mutating func consume(_ scalar: Unicode.Scalar) -> Bool {
        skipSpace()
        guard peek() == scalar else { return false }
        position += 1
        return true
    }

    private func peek(offset: Int = 0) -> Unicode.Scalar? {
        position + offset < scalars.count ? scalars[position + offset] : nil
    }

    private mutating func skipSpace() {
        while position < scalars.count {
            let scalar = scalars[position]
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                position += 1
            } else if scalar == "#" {
                while position < scalars.count, scalars[position] != "\n" { position += 1 }
            } else {
                break
            }
        }
    }

    private func currentLine() -> Int {
        scalars[..<min(position, scalars.count)].filter { $0 == "\n" }.count + 1
    }

    private func error(_ message: String) -> VarlinkIDLError {
        VarlinkIDLError(message: message, line: currentLine())
    }
}
