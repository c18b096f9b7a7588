import SentinelCore
import SentinelVarlink
import Synchronization

/// Lets a test see what the handler has been asked to do.
final class TestProbe: Sendable {
    private let ticks = Mutex(0)

    func tickStarted() { ticks.withLock { $0 += 1 } }
    var ticksStarted: Int { ticks.withLock { $0 } }
}

/// A small interface for the server tests: echo, errors, streams, and who is calling.
struct TestInterface: VarlinkInterface {
    static let text = """
        # Methods the varlink server tests call.
        interface org.example.test

        method Echo(text: string) -> (text: string)

        # Fails with Broken.
        method Fail() -> ()

        # Throws an error that is not a VarlinkError.
        method Crash() -> ()

        # Replies n times (needs more).
        method Count(n: int) -> (i: int)

        method Ping() -> ()

        # Replies n times, then keeps the stream open until the caller goes away (needs more).
        method Tick(n: int) -> (i: int)

        # The caller's credentials as the server saw them.
        method Peer() -> (uid: int, gid: int, pid: int)

        error Broken (reason: string, code: int)
        error Internal (message: string)
        """

    struct CrashError: Error, CustomStringConvertible {
        var description: String { "crashed on purpose" }
    }

    let definition: VarlinkInterfaceDefinition
    let probe: TestProbe

    init(probe: TestProbe = TestProbe()) throws {
        definition = try VarlinkInterfaceDefinition(parsing: Self.text)
        self.probe = probe
    }

    func handle(_ call: VarlinkCall, peer: VarlinkPeer) async throws -> VarlinkResponse {
        switch call.member {
        case "Echo":
            return .reply(["text": call.parameters["text"] ?? .null])
        case "Fail":
            throw VarlinkError("org.example.test.Broken", ["reason": "on purpose", "code": 42])
        case "Crash":
            throw CrashError()
        case "Count":
            let count = call.parameters["n"]?.intValue ?? 0
            return .stream(
                AsyncThrowingStream { continuation in
                    for index in 0..<count { continuation.yield(VarlinkStreamReply(["i": .int(index)], continues: index < count - 1)) }
                    continuation.finish()
                })
        case "Ping":
            return .reply([:])
        case "Tick":
            let count = call.parameters["n"]?.intValue ?? 0
            let (stream, continuation) = AsyncThrowingStream<VarlinkStreamReply, any Error>.makeStream()
            for index in 0..<count { continuation.yield(VarlinkStreamReply(["i": .int(index)], continues: true)) }
            // Holding the continuation keeps the stream open until the consumer terminates it.
            continuation.onTermination = { _ in _ = continuation }
            probe.tickStarted()
            return .stream(stream)
        case "Peer":
            return .reply(["uid": .int(Int64(peer.uid)), "gid": .int(Int64(peer.gid)), "pid": .int(Int64(peer.pid))])
        default:
            throw VarlinkError.methodNotImplemented(call.method)
        }
    }

    func varlinkError(for error: any Error) -> VarlinkError {
        VarlinkError("org.example.test.Internal", ["message": .string(String(describing: error))])
    }
}
