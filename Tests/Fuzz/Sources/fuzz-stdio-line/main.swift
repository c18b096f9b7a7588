// Fuzzes StdioLineDecoder, which splits a stdio server's stdout (and stderr) into lines, in NIO's real
// ByteToMessageHandler on an EmbeddedChannel.
//
// The first byte chooses the mode (its low bit: fail on an overlong line, as for stdout, or split it, as for
// stderr), the line length limit (1 to 64) and the chunking; the rest is the stream, which then ends (EOF).
//
// Invariants:
// - Whatever the chunking (whole, byte by byte, pieces of 0 to 16 bytes), the same lines come out, and an
//   overlong line fails the stream (`fail` mode) for the same streams, after the same lines.
// - Those lines are `reference`: split at "\n", one trailing "\r" dropped, the last line delivered at EOF even
//   without its newline; in `fail` mode a line longer than the limit (before its "\r" is dropped) ends the
//   stream; in `split` mode it comes out in pieces of the limit, the last piece as an ordinary line.
import FuzzDriver
import NIOCore
import NIOEmbedded

struct Outcome: Equatable {
    var lines: [[UInt8]]
    var failed: Bool
}

func decode(_ chunks: [[UInt8]], limit: Int, overflow: StdioLineDecoder.Overflow) -> Outcome {
    let channel = EmbeddedChannel(handler: ByteToMessageHandler(StdioLineDecoder(maximumLength: limit, overflow: overflow)))
    var lines: [[UInt8]] = []
    func drain() {
        while let line = try? channel.readInbound(as: ByteBuffer.self) {
            lines.append(Array(line.readableBytesView))
        }
    }
    do {
        for chunk in chunks {
            try channel.writeInbound(channel.allocator.buffer(bytes: chunk))
            drain()
        }
        _ = try channel.finish()
        drain()
    } catch is StdioLineDecoder.LineTooLong {
        drain()
        _ = try? channel.finish()  // closes the channel, which would otherwise be kept alive by its pipeline
        return Outcome(lines: lines, failed: true)
    } catch {
        invariantFailure("unexpected error \(error)")
    }
    return Outcome(lines: lines, failed: false)
}

func reference(_ stream: [UInt8], limit: Int, overflow: StdioLineDecoder.Overflow) -> Outcome {
    var lines: [[UInt8]] = []
    var rest = stream[...]
    while !rest.isEmpty {
        let newline = rest.firstIndex(of: 0x0A)
        var line = rest[..<(newline ?? rest.endIndex)]
        rest = newline.map { rest[($0 + 1)...] } ?? []
        if line.count > limit {
            guard case .split = overflow else { return Outcome(lines: lines, failed: true) }
            while line.count > limit {
                lines.append(Array(line.prefix(limit)))
                line = line.dropFirst(limit)
            }
        }
        if line.last == 0x0D { line = line.dropLast() }
        lines.append(Array(line))
    }
    return Outcome(lines: lines, failed: false)
}

func check(_ bytes: [UInt8]) {
    let (control, stream) = Fuzz.split(bytes)
    let overflow: StdioLineDecoder.Overflow = control & 1 == 0 ? .fail : .split
    let limit = Int(control >> 1) % 64 + 1
    let whole = decode([stream], limit: limit, overflow: overflow)
    let expected = reference(stream, limit: limit, overflow: overflow)
    invariant(whole == expected, "the decoder and the reference disagree:\n\(whole)\n\(expected)")
    for (name, chunks) in [("byte by byte", Fuzz.bytewise(stream)), ("in pieces", Fuzz.chunks(stream, seed: control))] {
        invariant(decode(chunks, limit: limit, overflow: overflow) == whole, "\(name): other lines than the whole stream gives")
    }
}

Fuzz.run(check)
