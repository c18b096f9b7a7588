// Fuzzes ResourceURIMap and ContentURIRewriter (SentinelCore).
//
// The first byte picks a server name (and a second, different one); the rest is the text, read as UTF-8
// (invalid bytes replaced, as every String Sentinel holds is valid).
//
// Invariants:
// - `map(s, u)` exists exactly when `u` has a valid scheme; then `unmap(map(s, u)) == (s, u)`, byte for byte,
//   and `map(s2, u) != map(s, u)` for another server `s2` (no collisions across servers).
// - `unmap(t)` never crashes, and when it gives `(s, u)`, `map(s, u)` is `t` again, byte for byte: a resource
//   has exactly one mapped name. The same two rules for `mapTemplate` / `unmapTemplate`.
// - `unmapPrefix(mapPrefix(s, p)) == (s, p)` for every text `p`.
// - A `resource_link` block and an embedded `resource` whose URI is the text come back with `map(s, text)`
//   (or the text unchanged when it cannot be mapped), and a `resources/read` `contents[].uri` likewise.
// - On the raw input taken as a tool result, a prompt result, a read result and a tool definition: the
//   rewriters never crash, their output is valid JSON whenever the input is, and a result is the input
//   itself when it is not valid JSON. The byte pre-check never changes a tool or prompt result.
import FuzzDriver
import SentinelCore

let servers = ["sdk", "fm", "a", "ui", "a-b", "notes", "x1", String(repeating: "z", count: 48)]

func bytesEqual(_ a: String?, _ b: String?) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case (let a?, let b?): return a.utf8.elementsEqual(b.utf8)
    default: return false
    }
}

func sameOrigin(_ origin: ResourceURIMap.Origin?, _ server: String, _ uri: String) -> Bool {
    guard let origin else { return false }
    return bytesEqual(origin.server, server) && bytesEqual(origin.uri, uri)
}

func checkMap(_ server: String, _ other: String, _ text: String) {
    let mapped = ResourceURIMap.map(server: server, uri: text)
    invariant((mapped != nil) == (ResourceURIMap.schemeLength(text.utf8) != nil), "map exists without a scheme, or not with one")
    if let mapped {
        invariant(sameOrigin(ResourceURIMap.unmap(mapped), server, text), "unmap(map(\(server), \(text.debugDescription))) differs")
        invariant(!bytesEqual(ResourceURIMap.map(server: other, uri: text), mapped), "two servers share \(mapped.debugDescription)")
    }
    if let origin = ResourceURIMap.unmap(text) {
        invariant(bytesEqual(ResourceURIMap.map(server: origin.server, uri: origin.uri), text), "unmap accepts a second spelling: \(text.debugDescription)")
    }
    if let template = ResourceURIMap.mapTemplate(server: server, uriTemplate: text) {
        invariant(sameOrigin(ResourceURIMap.unmapTemplate(template), server, text), "unmapTemplate(mapTemplate(\(text.debugDescription))) differs")
    }
    if let origin = ResourceURIMap.unmapTemplate(text) {
        invariant(
            bytesEqual(ResourceURIMap.mapTemplate(server: origin.server, uriTemplate: origin.uri), text),
            "unmapTemplate accepts a second spelling: \(text.debugDescription)")
    }
    invariant(sameOrigin(ResourceURIMap.unmapPrefix(ResourceURIMap.mapPrefix(server: server, prefix: text)), server, text), "prefix round trip")
}

func checkBlocks(_ server: String, _ text: String) {
    let uri = RawJSON(string: text)
    let link = RawJSON.object([("type", RawJSON(string: "resource_link")), ("uri", uri)])
    let embedded = RawJSON.object([("type", RawJSON(string: "resource")), ("resource", RawJSON.object([("uri", uri)]))])
    let result = RawJSON.object([("content", RawJSON(Array("[".utf8) + link.bytes + Array(",".utf8) + embedded.bytes + Array("]".utf8)))])
    let expected = RawJSON(string: ResourceURIMap.map(server: server, uri: text) ?? text).bytes
    let rewritten = ContentURIRewriter.toolResult(result, server: server).bytes
    guard let members = try? JSONScanner.members(of: rewritten), let content = members["content"],
        let blocks = try? JSONScanner.elements(of: rewritten, in: content), blocks.count == 2,
        let first = try? JSONScanner.members(of: rewritten, in: blocks[0]), let linkURI = first["uri"],
        let second = try? JSONScanner.members(of: rewritten, in: blocks[1]), let resource = second["resource"],
        let inner = try? JSONScanner.members(of: rewritten, in: resource), let embeddedURI = inner["uri"]
    else { invariantFailure("a rewritten tool result lost its shape") }
    let uriIsPlain = RawJSON.string(from: uri.bytes[...]).map { bytesEqual($0, text) } ?? false
    invariant(uriIsPlain, "RawJSON(string:) does not decode back")
    if ResourceURIMap.map(server: server, uri: text) != nil {
        invariant(Array(rewritten[linkURI]) == expected && Array(rewritten[embeddedURI]) == expected, "a block's URI is not the mapped one")
    } else {
        invariant(rewritten == result.bytes, "a result without a mappable URI changed")
    }
    let read = RawJSON.object([("contents", RawJSON(Array("[".utf8) + RawJSON.object([("uri", uri), ("text", uri)]).bytes + Array("]".utf8)))])
    let readRewritten = ContentURIRewriter.readResult(read, server: server).bytes
    guard let readMembers = try? JSONScanner.members(of: readRewritten), let contents = readMembers["contents"],
        let items = try? JSONScanner.elements(of: readRewritten, in: contents), items.count == 1,
        let item = try? JSONScanner.members(of: readRewritten, in: items[0]), let itemURI = item["uri"], let itemText = item["text"]
    else { invariantFailure("a rewritten read result lost its shape") }
    invariant(Array(readRewritten[itemURI]) == expected, "contents[].uri is not the mapped one")
    invariant(Array(readRewritten[itemText]) == uri.bytes, "contents[].text changed")
}

func checkRaw(_ server: String, _ bytes: [UInt8]) {
    let raw = RawJSON(bytes)
    let valid = (try? JSONScanner.validate(bytes)) != nil
    let outputs = [
        ContentURIRewriter.toolResult(raw, server: server), ContentURIRewriter.toolResult(raw, server: server, precheck: false),
        ContentURIRewriter.promptResult(raw, server: server), ContentURIRewriter.promptResult(raw, server: server, precheck: false),
        ContentURIRewriter.readResult(raw, server: server), ContentURIRewriter.toolDefinition(raw, server: server),
    ]
    invariant(outputs[0] == outputs[1], "the tool result pre-check changed the outcome")
    invariant(outputs[2] == outputs[3], "the prompt result pre-check changed the outcome")
    for output in outputs {
        if valid {
            invariant((try? JSONScanner.validate(output.bytes)) != nil, "a rewrite made invalid JSON")
        } else {
            invariant(output == raw, "invalid JSON was rewritten")
        }
    }
}

Fuzz.run { input in
    let (control, rest) = Fuzz.split(input)
    let server = servers[Int(control) % servers.count]
    let other = servers[(Int(control) / servers.count + 1 + Int(control) % servers.count) % servers.count]
    let text = String(decoding: rest, as: UTF8.self)
    checkMap(server, other == server ? servers[(Int(control) + 1) % servers.count] : other, text)
    checkBlocks(server, text)
    checkRaw(server, rest)
}
