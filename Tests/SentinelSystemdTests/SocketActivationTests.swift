import Glibc
import Testing
@testable import SentinelSystemd

@Suite(.serialized) struct SocketActivationTests {
    @Test func descriptorsArePairedWithNamesFromThree() {
        let sockets = SocketActivation.pair(descriptorCount: 2, names: ["varlink", "http"])
        #expect(sockets == [
            ListenedSocket(fileDescriptor: 3, name: "varlink"),
            ListenedSocket(fileDescriptor: 4, name: "http"),
        ])
    }

    @Test func socketsArePickedByNameNotOrder() {
        let activated = SocketActivation.pair(descriptorCount: 2, names: ["varlink", "http"])
        #expect(SocketActivation.socket(named: "http", in: activated)?.fileDescriptor == 4)
        #expect(SocketActivation.socket(named: "varlink", in: activated)?.fileDescriptor == 3)
        #expect(SocketActivation.socket(named: "metrics", in: activated) == nil)
    }

    @Test func everyAddressOfANamedUnitIsFound() {
        let activated = SocketActivation.pair(descriptorCount: 3, names: ["http", "varlink", "http"])
        #expect(SocketActivation.sockets(named: "http", in: activated).map(\.fileDescriptor) == [3, 5])
    }

    @Test func descriptorsWithoutNamesAreUnknown() {
        let sockets = SocketActivation.pair(descriptorCount: 2, names: ["http"])
        #expect(sockets.map(\.name) == ["http", "unknown"])
        #expect(SocketActivation.pair(descriptorCount: 0, names: []).isEmpty)
    }

    @Test func socketsForAnotherProcessAreIgnoredAndEnvironmentUnset() {
        // PID 1 is never the test process, nor a child it spawns meanwhile.
        setenv("LISTEN_PID", "1", 1)
        setenv("LISTEN_FDS", "2", 1)
        setenv("LISTEN_FDNAMES", "http:varlink", 1)
        defer {
            unsetenv("LISTEN_PID")
            unsetenv("LISTEN_FDS")
            unsetenv("LISTEN_FDNAMES")
        }
        #expect(SocketActivation.listenedSockets(unsetEnvironment: true).isEmpty)
        #expect(getenv("LISTEN_FDS") == nil)
        #expect(getenv("LISTEN_FDNAMES") == nil)
    }

    @Test func noActivationMeansNoSockets() {
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDS")
        #expect(SocketActivation.listenedSockets().isEmpty)
    }
}
