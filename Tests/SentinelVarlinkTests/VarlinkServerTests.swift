import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SentinelCore
import ServiceLifecycle
import Testing
@testable import SentinelVarlink

@Suite(.timeLimit(.minutes(1)))
struct VarlinkServerTests {
    static let ping = "org.example.test.Ping"

    @Test func getInfoListsTheServiceAndTheTestInterface() async throws {
        try await withTestServer { path in
            let info = try await blocking { try VarlinkClient(address: "unix:" + path).call("org.varlink.service.GetInfo") }
            #expect(info["interfaces"] == ["org.varlink.service", "org.example.test"])
            #expect(info["vendor"] == "Sentinel")
            #expect(info["product"] == "varlink-tests")
            #expect(info["version"] == "9.9")
            #expect(info["url"] == "https://example.org/sentinel")
            #expect(VarlinkServiceInterface.definition.invalidReplyField(in: info, method: "GetInfo") == nil)
        }
    }

    @Test func getInterfaceDescriptionReturnsTheIDLText() async throws {
        try await withTestServer { path in
            let (mine, service) = try await blocking {
                let client = try VarlinkClient(address: path)
                return (
                    try client.call("org.varlink.service.GetInterfaceDescription", ["interface": "org.example.test"]),
                    try client.call("org.varlink.service.GetInterfaceDescription", ["interface": "org.varlink.service"])
                )
            }
            #expect(mine == ["description": .string(TestInterface.text)])
            #expect(service == ["description": .string(VarlinkServiceInterface.text)])
        }
    }

    @Test func unknownInterfaceIsInterfaceNotFound() async throws {
        try await withTestServer { path in
            let (described, called) = try await blocking {
                let client = try VarlinkClient(address: path)
                return (
                    thrownError { _ = try client.call("org.varlink.service.GetInterfaceDescription", ["interface": "org.example.nope"]) },
                    thrownError { _ = try client.call("org.example.nope.Ping") }
                )
            }
            #expect(described as? VarlinkError == .interfaceNotFound("org.example.nope"))
            #expect(called as? VarlinkError == .interfaceNotFound("org.example.nope"))
        }
    }

    @Test func unknownMethodIsMethodNotFound() async throws {
        try await withTestServer { path in
            let (mine, service) = try await blocking {
                let client = try VarlinkClient(address: path)
                return (
                    thrownError { _ = try client.call("org.example.test.Nope") },
                    thrownError { _ = try client.call("org.varlink.service.Nope") }
                )
            }
            #expect(mine as? VarlinkError == .methodNotFound("org.example.test.Nope"))
            #expect(service as? VarlinkError == .methodNotFound("org.varlink.service.Nope"))
        }
    }

    @Test func badParametersAreInvalidParameterWithTheField() async throws {
        try await withTestServer { path in
            let errors = try await blocking {
                let client = try VarlinkClient(address: path)
                return [
                    thrownError { _ = try client.call("org.example.test.Echo", ["text": 5]) },
                    thrownError { _ = try client.call("org.example.test.Echo") },
                    thrownError { _ = try client.call("org.example.test.Echo", ["text": "a", "extra": 1]) },
                    thrownError { _ = try client.call("org.varlink.service.GetInterfaceDescription", ["interface": true]) },
                ].map { $0 as? VarlinkError }
            }
            #expect(errors == [
                .invalidParameter("text"), .invalidParameter("text"), .invalidParameter("extra"), .invalidParameter("interface"),
            ])
        }
    }

    @Test func echoRepliesWithItsParameter() async throws {
        try await withTestServer { path in
            let reply = try await blocking { try VarlinkClient(address: path).call("org.example.test.Echo", ["text": "héllo\u{0}wörld"]) }
            #expect(reply == ["text": "héllo\u{0}wörld"])
        }
    }

    @Test func namedErrorsKeepTheirParameters() async throws {
        try await withTestServer { path in
            let (failed, crashed) = try await blocking {
                let client = try VarlinkClient(address: path)
                return (thrownError { _ = try client.call("org.example.test.Fail") }, thrownError { _ = try client.call("org.example.test.Crash") })
            }
            #expect(failed as? VarlinkError == VarlinkError("org.example.test.Broken", ["reason": "on purpose", "code": 42]))
            #expect(crashed as? VarlinkError == VarlinkError("org.example.test.Internal", ["message": "crashed on purpose"]))
        }
    }

    @Test func moreStreamsEveryReplyAndMarksAllButTheLastAsContinuing() async throws {
        try await withTestServer { path in
            let (replies, after) = try await blocking {
                let client = try VarlinkClient(address: path)
                try client.send(VarlinkCall(method: "org.example.test.Count", parameters: ["n": 3], more: true).message)
                let replies = [try client.receive(), try client.receive(), try client.receive()]
                return (replies, try client.call(Self.ping))
            }
            #expect(replies.map { $0["parameters"]?["i"] } == [0, 1, 2])
            #expect(replies.map { $0["continues"] } == [true, true, nil])
            #expect(after == [:])
        }
    }

    @Test func callMoreDeliversEachReply() async throws {
        try await withTestServer { path in
            let values = try await blocking {
                var values: [JSONValue] = []
                try VarlinkClient(address: path).callMore("org.example.test.Count", ["n": 4]) { reply in
                    values.append(reply["i"] ?? .null)
                    return true
                }
                return values
            }
            #expect(values == [0, 1, 2, 3])
        }
    }

    /// A follow-style stream (such as WatchChanges) must deliver each reply when it is produced,
    /// not hold it back until the next one exists.
    @Test func streamedReplyIsSentBeforeTheNextOneExists() async throws {
        try await withTestServer { path in
            let box = try await blocking { try ClientBox(path: path) }
            try await blocking { try box.client.send(VarlinkCall(method: "org.example.test.Tick", parameters: ["n": 1], more: true).message) }
            let first = try? await blocking(timeout: 3) { try box.client.receive() }
            #expect(first == ["parameters": ["i": 0], "continues": true], "the first reply of an open stream never arrived")
        }
    }

    @Test func gracefulShutdownEndsAnOpenStreamAndTheServer() async throws {
        try await withRunningServer { server in
            let box = try await blocking { try ClientBox(path: server.path) }
            try await blocking { try box.client.send(VarlinkCall(method: "org.example.test.Tick", parameters: ["n": 0], more: true).message) }
            #expect(try await eventually { server.probe.ticksStarted == 1 })

            await server.group.triggerGracefulShutdown()
            let outcome = try await blocking { Result { try box.client.receive() } }
            switch outcome {
            case .failure(let error):
                #expect(error as? VarlinkClientError == .closed)
            case .success(let reply):
                // Ending the stream with a reply is acceptable only if it is a valid reply or a named error.
                let definition = try TestInterface().definition
                let parameters = reply["parameters"]?.objectValue ?? [:]
                let valid = reply["error"] != nil || definition.invalidReplyField(in: parameters, method: "Tick") == nil
                #expect(valid, "shutdown ended the stream with a reply that does not match the IDL: \(reply.text())")
            }
            // New connections are refused once the server has stopped.
            let refused = try await eventually {
                if case .connect? = thrownError({ _ = try VarlinkClient(address: server.path) }) as? VarlinkClientError { return true }
                return false
            }
            #expect(refused)
        }
    }

    @Test func streamingMethodWithoutMoreIsExpectedMore() async throws {
        try await withTestServer { path in
            let error = try await blocking {
                let client = try VarlinkClient(address: path)
                return thrownError { _ = try client.call("org.example.test.Count", ["n": 2]) } as? VarlinkError
            }
            #expect(error == .expectedMore)
        }
    }

    @Test func onewayCallGetsNoReply() async throws {
        try await withTestServer { path in
            let reply = try await blocking {
                let client = try VarlinkClient(address: path)
                try client.send(VarlinkCall(method: "org.example.test.Echo", parameters: ["text": "ignored"], oneway: true).message)
                try client.send(VarlinkCall(method: Self.ping).message)
                return try client.receive()
            }
            #expect(reply == ["parameters": [:]])
        }
    }

    @Test func conflictingOrUnsupportedFlagsAreInvalidParameter() async throws {
        try await withTestServer { path in
            let replies = try await blocking {
                let client = try VarlinkClient(address: path)
                try client.send(["method": .string(Self.ping), "more": true, "upgrade": true])
                let first = try client.receive()
                try client.send(["method": .string(Self.ping), "upgrade": true])
                return [first, try client.receive()]
            }
            #expect(replies == [
                ["error": "org.varlink.service.InvalidParameter", "parameters": ["parameter": "more"]],
                ["error": "org.varlink.service.InvalidParameter", "parameters": ["parameter": "upgrade"]],
            ])
        }
    }

    @Test func pipelinedCallsAreAnsweredInOrder() async throws {
        try await withTestServer { path in
            let replies = try await blocking {
                let client = try VarlinkClient(address: path)
                var bytes: [UInt8] = []
                for text in ["a", "b", "c"] {
                    bytes += Array(VarlinkCall(method: "org.example.test.Echo", parameters: ["text": .string(text)]).message.serialized()) + [0]
                }
                try client.sendRaw(bytes)
                return [try client.receive(), try client.receive(), try client.receive()]
            }
            #expect(replies.map { $0["parameters"]?["text"] } == ["a", "b", "c"])
        }
    }

    enum Garbage: String, CaseIterable, Sendable {
        case truncatedJSON, notJSON, notACall, parametersNotAnObject, flagNotABool, oversized

        var bytes: [UInt8] {
            switch self {
            case .truncatedJSON: [0x7b, 0x00]
            case .notJSON: Array("hello, server".utf8) + [0]
            case .notACall: Array(#"{"jsonrpc":"2.0","id":1}"#.utf8) + [0]
            case .parametersNotAnObject: Array(#"{"method":"org.example.test.Ping","parameters":[1]}"#.utf8) + [0]
            case .flagNotABool: Array(#"{"method":"org.example.test.Ping","more":"yes"}"#.utf8) + [0]
            case .oversized: [UInt8](repeating: 0x20, count: 2 << 20)
            }
        }
    }

    @Test(arguments: Garbage.allCases)
    func malformedInputClosesOnlyThatConnection(garbage: Garbage) async throws {
        try await withTestServer { path in
            let (closing, survivor) = try await blocking {
                let bystander = try VarlinkClient(address: path)
                let offender = try VarlinkClient(address: path)
                _ = try bystander.call(Self.ping)
                // The server may close while a large message is still being written.
                try? offender.sendRaw(garbage.bytes)
                let closing = thrownError { _ = try offender.receive() } as? VarlinkClientError
                return (closing, try bystander.call("org.example.test.Echo", ["text": "still here"]))
            }
            if garbage == .oversized {
                // Linux reports ECONNRESET to a peer whose unread data was discarded on close.
                #expect(closing == .closed || closing == .io(errno: ECONNRESET), "\(String(describing: closing))")
            } else {
                #expect(closing == .closed)
            }
            #expect(survivor == ["text": "still here"])
        }
    }

    @Test func handlerSeesThePeerCredentialsOfTheCaller() async throws {
        try await withTestServer { path in
            let reply = try await blocking { try VarlinkClient(address: path).call("org.example.test.Peer") }
            #expect(reply["uid"] == .int(Int64(geteuid())))
            #expect(reply["gid"] == .int(Int64(getegid())))
            #expect(reply["pid"] == .int(Int64(getpid())))
        }
    }

    @Test func socketFileGetsTheRequestedMode() async throws {
        try await withTestServer { path in
            var status = stat()
            #expect(stat(path, &status) == 0)
            #expect(status.st_mode & 0o777 == 0o600)
            #expect(status.st_mode & S_IFMT == S_IFSOCK)
        }
    }

    @Test func clientRefusesBadAddresses() {
        #expect(throws: VarlinkClientError.badAddress("unix:")) { try VarlinkClient(address: "unix:") }
        #expect(throws: VarlinkClientError.badAddress("unix:/a;mode=0600")) { try VarlinkClient(address: "unix:/a;mode=0600") }
        let missing = "/nonexistent-\(UUID().uuidString)/s.sock"
        #expect(throws: VarlinkClientError.connect(path: missing, errno: ENOENT)) { try VarlinkClient(address: missing) }
    }
}
