// Fuzzes the varlink server's input: NULFrameDecoder in NIO's real ByteToMessageHandler on an EmbeddedChannel,
// then each frame as the server reads it (JSON, then VarlinkCall).
//
// The first byte chooses the frame size limit (1 to 256) and the chunking; the rest is the stream.
//
// Invariants:
// - Whatever the chunking (whole, byte by byte, pieces of 0 to 16 bytes), the same frames come out, and a frame
//   over the limit fails the stream for the same streams, after the same frames.
// - Those frames are the stream split at NUL; a frame longer than the limit, complete or not, ends the stream;
//   an unterminated last frame is dropped at EOF.
// - A frame that decodes to a call re-encodes (`VarlinkCall.message`) to a message that decodes to the same call.
import Foundation
import FuzzDriver
import NIOCore
import NIOEmbedded
import SentinelCore

struct Outcome: Equatable {
    var frames: [[UInt8]]
    var failed: Bool
}

func decode(_ chunks: [[UInt8]], limit: Int) -> Outcome {
    let channel = EmbeddedChannel(handler: ByteToMessageHandler(NULFrameDecoder(maximumBytes: limit)))
    var frames: [[UInt8]] = []
    func drain() {
        while let frame = try? channel.readInbound(as: ByteBuffer.self) {
            frames.append(Array(frame.readableBytesView))
        }
    }
    do {
        for chunk in chunks {
            try channel.writeInbound(channel.allocator.buffer(bytes: chunk))
            drain()
        }
        _ = try channel.finish()
        drain()
    } catch is NULFrameDecoder.MessageTooLarge {
        drain()
        _ = try? channel.finish()  // closes the channel, which would otherwise be kept alive by its pipeline
        return Outcome(frames: frames, failed: true)
    } catch {
        invariantFailure("unexpected error \(error)")
    }
    return Outcome(frames: frames, failed: false)
}

func reference(_ stream: [UInt8], limit: Int) -> Outcome {
    var frames: [[UInt8]] = []
    var rest = stream[...]
    while let terminator = rest.firstIndex(of: 0) {
        let frame = rest[..<terminator]
        if frame.count > limit { return Outcome(frames: frames, failed: true) }
        frames.append(Array(frame))
        rest = rest[(terminator + 1)...]
    }
    return Outcome(frames: frames, failed: rest.count > limit)
}

func same(_ a: VarlinkCall, _ b: VarlinkCall) -> Bool {
    a.method == b.method && a.parameters == b.parameters && a.oneway == b.oneway && a.more == b.more && a.upgrade == b.upgrade
}

func check(_ bytes: [UInt8]) {
    let (control, stream) = Fuzz.split(bytes)
    let limit = Int(control) + 1
    let whole = decode([stream], limit: limit)
    let expected = reference(stream, limit: limit)
    invariant(whole == expected, "the decoder and the reference disagree:\n\(whole)\n\(expected)")
    for (name, chunks) in [("byte by byte", Fuzz.bytewise(stream)), ("in pieces", Fuzz.chunks(stream, seed: control))] {
        invariant(decode(chunks, limit: limit) == whole, "\(name): other frames than the whole stream gives")
    }
    for frame in whole.frames {
        // As VarlinkServer reads a frame.
        guard let message = try? JSONValue.parse(Data(frame)), let call = VarlinkCall(message: message) else { continue }
        invariant(!call.method.isEmpty, "a call without a method")
        guard let again = VarlinkCall(message: call.message) else { invariantFailure("a call's message is not a call") }
        invariant(same(call, again), "a call does not survive its own message")
        invariant(call.interface.isEmpty || call.method == call.interface + "." + call.member, "interface and member do not make the method")
    }
}

Fuzz.run(check)
