// Fuzzes SSEParser, the reader of upstream `text/event-stream` responses.
//
// The first byte chooses the size cap (8 to 263 bytes, so that overflows happen) and how the rest, the stream,
// is cut into chunks.
//
// Invariants:
// - Whatever the chunking (whole, byte by byte, pieces of 0 to 16 bytes), the parser gives what a plain reading
//   of the WHATWG rules over the whole stream gives (`reference`): the same events, last event id and retry, and
//   an overflow for the same streams, after the same events (fewer when the chunk that overflows completed some).
import FuzzDriver

struct Outcome: Equatable {
    var events: [SSEEvent]
    var lastEventID: String?
    var retry: Int?
    var overflowed: Bool
}

func parse(_ chunks: [[UInt8]], limit: Int) -> Outcome {
    var parser = SSEParser(maximumEventBytes: limit)
    var events: [SSEEvent] = []
    for chunk in chunks {
        do {
            events += try parser.feed(chunk)
        } catch {
            return Outcome(events: events, lastEventID: nil, retry: nil, overflowed: true)
        }
    }
    return Outcome(events: events, lastEventID: parser.lastEventID, retry: parser.retryMilliseconds, overflowed: false)
}

/// The event-stream rules, read over the whole stream at once: lines end at CRLF, LF or CR; a leading BOM is
/// dropped; a line or an event's data longer than `limit` is an overflow; the last, unterminated line is kept
/// back (the stream is not over).
func reference(_ stream: [UInt8], limit: Int) -> Outcome {
    var bytes = stream[...]
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
    var events: [SSEEvent] = []
    var lastEventID: String?
    var retry: Int?
    var type: String?
    var data: [UInt8] = []
    var hasData = false
    var line: [UInt8] = []
    var index = bytes.startIndex
    while index < bytes.endIndex {
        let byte = bytes[index]
        index += 1
        guard byte == 0x0A || byte == 0x0D else {
            line.append(byte)
            if line.count > limit { return Outcome(events: events, lastEventID: nil, retry: nil, overflowed: true) }
            continue
        }
        if byte == 0x0D, index < bytes.endIndex, bytes[index] == 0x0A { index += 1 }
        defer { line = [] }
        if line.isEmpty {
            if hasData { events.append(SSEEvent(type: type.flatMap { $0.isEmpty ? nil : $0 } ?? "message", data: data, id: lastEventID)) }
            type = nil
            data = []
            hasData = false
            continue
        }
        if line[0] == UInt8(ascii: ":") { continue }
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let field = String(decoding: line[..<(colon ?? line.endIndex)], as: UTF8.self)
        var value = colon.map { line[($0 + 1)...] } ?? []
        if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        switch field {
        case "event": type = String(decoding: value, as: UTF8.self)
        case "data":
            if hasData { data.append(0x0A) }
            data += value
            hasData = true
            if data.count > limit { return Outcome(events: events, lastEventID: nil, retry: nil, overflowed: true) }
        case "id": if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        case "retry":
            if !value.isEmpty, value.allSatisfy({ (0x30...0x39).contains($0) }) {
                retry = Int(String(decoding: value, as: UTF8.self)) ?? retry
            }
        default: break
        }
    }
    return Outcome(events: events, lastEventID: lastEventID, retry: retry, overflowed: false)
}

func check(_ bytes: [UInt8]) {
    let (control, stream) = Fuzz.split(bytes)
    let limit = 8 + Int(control)
    let expected = reference(stream, limit: limit)
    let runs = [("whole", [stream]), ("byte by byte", Fuzz.bytewise(stream)), ("in pieces", Fuzz.chunks(stream, seed: control))]
    for (name, chunks) in runs {
        let outcome = parse(chunks, limit: limit)
        if expected.overflowed {
            // The events of the chunk that overflows are lost with the error: the fewer bytes a chunk holds, the
            // more events get out first, all of them when it holds one byte (a line break cannot overflow).
            invariant(outcome.overflowed, "\(name): no overflow where the reference has one")
            invariant(expected.events.starts(with: outcome.events), "\(name): other events before the overflow")
            if chunks.allSatisfy({ $0.count <= 1 }) {
                invariant(outcome.events == expected.events, "\(name): events lost before the overflow")
            }
        } else {
            invariant(outcome == expected, "\(name): the parser and the reference disagree:\n\(outcome)\n\(expected)")
        }
    }
}

Fuzz.run(check)
