// Fuzzes FormFields, the parser of OAuth form bodies and query strings (application/x-www-form-urlencoded).
//
// Invariants:
// - `parse` keeps the first value of each name that `pairs` finds, and nothing else; no name is empty.
// - `repeated` lists exactly the names that `pairs` finds more than once, each once.
// - Parse → encode → parse gives the same fields (encoding is what Sentinel sends: redirects, upstream OAuth).
// - `appending` to a URI without a query puts the fields in a query that parses back to them.
import FuzzDriver

func check(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    let pairs = FormFields.pairs(text)
    let fields = FormFields.parse(text)

    var first: [String: String] = [:]
    var counts: [String: Int] = [:]
    for (name, value) in pairs {
        invariant(!name.isEmpty, "a pair with an empty name")
        if first[name] == nil { first[name] = value }
        counts[name, default: 0] += 1
    }
    invariant(fields == first, "parse does not keep the first value of each name")

    let repeated = FormFields.repeated(text)
    invariant(Set(repeated) == Set(counts.filter { $0.value > 1 }.keys), "repeated lists other names")
    invariant(Set(repeated).count == repeated.count, "repeated lists a name twice")

    let ordered = fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    let encoded = FormFields.encode(ordered)
    invariant(FormFields.parse(encoded) == fields, "parse → encode → parse changed the fields: \(encoded)")
    invariant(FormFields.repeated(encoded).isEmpty, "encoding repeats a name")

    let uri = FormFields.appending(ordered, to: "https://client.example/cb")
    guard let question = uri.unicodeScalars.firstIndex(of: "?") else { invariantFailure("no query in \(uri)") }
    let query = uri[uri.unicodeScalars.index(after: question)...]
    invariant(FormFields.parse(query) == fields, "appending does not round-trip: \(uri)")
}

Fuzz.run(check)
