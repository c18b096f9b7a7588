import Testing

@testable import SentinelUpstream

/// The `text/event-stream` parser behind `HTTPUpstreamClient`.
@Suite("SSEParser")
struct HTTPEventStreamParserTests {
    private func events(_ chunks: [String]) throws -> [SSEEvent] {
        var parser = SSEParser()
        return try chunks.flatMap { try parser.feed(Array($0.utf8)) }
    }

    private func text(_ event: SSEEvent) -> String { String(decoding: event.data, as: UTF8.self) }

    @Test func anEventEndsAtABlankLineWithAnyLineEnding() throws {
        for ending in ["\n", "\r\n", "\r"] {
            let parsed = try events(["event: message\(ending)data: {\"a\":1}\(ending)\(ending)"])
            #expect(parsed.count == 1)
            #expect(parsed.first?.type == "message")
            #expect(parsed.first.map(text) == #"{"a":1}"#)
        }
    }

    @Test func eventsSplitAnywhereAcrossChunksAreReassembled() throws {
        let stream = "id: 7\r\nevent: message\r\ndata: first\r\n\r\ndata: second\r\n\r\n"
        let whole = try events([stream])
        for cut in 1..<stream.utf8.count {
            let bytes = Array(stream.utf8)
            var parser = SSEParser()
            let parsed = try parser.feed(bytes[..<cut]) + parser.feed(bytes[cut...])
            #expect(parsed == whole, "cut at \(cut)")
        }
        #expect(whole.map(text) == ["first", "second"])
    }

    @Test func multiLineDataIsJoinedWithNewlines() throws {
        let parsed = try events(["data: one\ndata:two\ndata\n\n"])
        #expect(parsed.map(text) == ["one\ntwo\n"])
    }

    @Test func commentsAndUnknownFieldsAreIgnored() throws {
        let parsed = try events([": ping - keepalive\n\n", "foo: bar\ndata: x\n\n"])
        #expect(parsed.map(text) == ["x"])
    }

    @Test func theLastEventIDCarriesOverAndRetryIsRemembered() throws {
        var parser = SSEParser()
        let parsed = try parser.feed(Array("id: 1\ndata: a\n\ndata: b\n\nretry: 250\nid: 2\ndata:\n\n".utf8))
        #expect(parsed.map(\.id) == ["1", "1", "2"])
        #expect(parser.lastEventID == "2")
        #expect(parser.retryMilliseconds == 250)
        #expect(parsed.last.map(text) == "")
    }

    @Test func anEventWithoutDataIsNotDispatched() throws {
        #expect(try events(["event: message\nid: 3\n\n"]).isEmpty)
    }

    @Test func aLeadingByteOrderMarkIsDropped() throws {
        var parser = SSEParser()
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let parsed = try parser.feed(bom[..<2]) + parser.feed(bom[2...] + Array("data: x\n\n".utf8))
        #expect(parsed.map(text) == ["x"])
    }

    @Test func aLineLongerThanTheCapIsRefusedWhetherItCameWholeOrInPieces() {
        let line = Array("event: 0123456789abcdef\ndata: x\n\n".utf8)
        var whole = SSEParser(maximumEventBytes: 16)
        #expect(throws: SSEParser.Overflow.self) { _ = try whole.feed(line) }
        var piecewise = SSEParser(maximumEventBytes: 16)
        #expect(throws: SSEParser.Overflow.self) { for byte in line { _ = try piecewise.feed([byte]) } }
    }

    @Test func anEventLargerThanTheCapIsRefused() {
        var parser = SSEParser(maximumEventBytes: 16)
        #expect(throws: SSEParser.Overflow.self) {
            _ = try parser.feed(Array("data: 0123456789\ndata: 0123456789\n\n".utf8))
        }
    }
}
