/// One event of a `text/event-stream`, as the WHATWG event-stream rules assemble it.
struct SSEEvent: Sendable, Equatable {
    /// The `event` field; "message" when the event named none.
    var type: String
    /// The `data` lines joined with "\n" (no trailing newline).
    var data: [UInt8]
    /// The last event ID in force when the event was dispatched (it carries over between events).
    var id: String?
}

/// Turns the bytes of a `text/event-stream` into events as they arrive.
///
/// Chunks may split lines, and even a CRLF pair, anywhere. Lines end with CRLF, LF or CR;
/// a leading byte-order mark is dropped; comment lines (`:`) and unknown fields are ignored;
/// an event is dispatched at a blank line, and only when it had a `data` field.
struct SSEParser: Sendable {
    /// The last `id` field seen (sent as `Last-Event-ID` when resuming).
    private(set) var lastEventID: String?
    /// The last valid `retry` field, in milliseconds.
    private(set) var retryMilliseconds: Int?

    private var line: [UInt8] = []
    private var skipLineFeed = false
    private var atStart = true
    private var pendingBOM: [UInt8] = []
    private var eventType: String?
    private var data: [UInt8] = []
    private var hasData = false
    /// Caps one line (and one event's data), so a server cannot make the gateway buffer without bound.
    private let maximumEventBytes: Int

    init(maximumEventBytes: Int = 64 << 20) {
        self.maximumEventBytes = maximumEventBytes
    }

    /// A line or event longer than the cap.
    struct Overflow: Error, Sendable, CustomStringConvertible {
        var limit: Int
        var description: String { "an event-stream event is larger than \(limit) bytes" }
    }

    /// Consumes a chunk and returns the events it completed.
    mutating func feed(_ chunk: some Collection<UInt8>) throws(Overflow) -> [SSEEvent] {
        var events: [SSEEvent] = []
        var bytes = ArraySlice(chunk)
        if atStart {
            // A byte-order mark may arrive split across chunks: hold back a prefix of it.
            while atStart, let byte = bytes.first {
                bytes = bytes.dropFirst()
                pendingBOM.append(byte)
                if !Self.byteOrderMark.starts(with: pendingBOM) {
                    atStart = false
                    try consume(pendingBOM[...], into: &events)
                } else if pendingBOM.count == Self.byteOrderMark.count {
                    atStart = false
                }
            }
            if atStart { return events }
            pendingBOM = []
        }
        try consume(bytes, into: &events)
        return events
    }

    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    private mutating func consume(_ bytes: ArraySlice<UInt8>, into events: inout [SSEEvent]) throws(Overflow) {
        var start = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if skipLineFeed {
                skipLineFeed = false
                if byte == 0x0A {
                    index += 1
                    start = index
                    continue
                }
            }
            if byte == 0x0A || byte == 0x0D {
                line.append(contentsOf: bytes[start..<index])
                // The same cap whether the line came in one chunk or in many (found by fuzzing).
                if line.count > maximumEventBytes { throw Overflow(limit: maximumEventBytes) }
                try processLine(into: &events)
                line.removeAll(keepingCapacity: true)
                skipLineFeed = byte == 0x0D
                index += 1
                start = index
                continue
            }
            index += 1
        }
        line.append(contentsOf: bytes[start..<bytes.endIndex])
        if line.count > maximumEventBytes { throw Overflow(limit: maximumEventBytes) }
    }

    private mutating func processLine(into events: inout [SSEEvent]) throws(Overflow) {
        if line.isEmpty {
            dispatch(into: &events)
            return
        }
        if line[0] == UInt8(ascii: ":") { return }
        let field: ArraySlice<UInt8>
        var value: ArraySlice<UInt8>
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            field = line[..<colon]
            value = line[(colon + 1)...]
            if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        } else {
            field = line[...]
            value = []
        }
        switch String(decoding: field, as: UTF8.self) {
        case "event":
            eventType = String(decoding: value, as: UTF8.self)
        case "data":
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
            if data.count > maximumEventBytes { throw Overflow(limit: maximumEventBytes) }
        case "id":
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        case "retry":
            if !value.isEmpty, value.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                let milliseconds = Int(String(decoding: value, as: UTF8.self))
            {
                retryMilliseconds = milliseconds
            }
        default:
            break
        }
    }

    private mutating func dispatch(into events: inout [SSEEvent]) {
        defer {
            eventType = nil
            data.removeAll(keepingCapacity: true)
            hasData = false
        }
        guard hasData else { return }
        let type = eventType.flatMap { $0.isEmpty ? nil : $0 } ?? "message"
        events.append(SSEEvent(type: type, data: data, id: lastEventID))
    }
}
