import Foundation
import SentinelCore
@testable import SentinelUpstream
import Testing

@Suite("Resolving what a stdio server runs")
struct StdioProcessLaunchTests {
    private func server(_ command: [String], environment: [String: String] = [:], directory: String? = nil) -> Server {
        Server(
            name: "s", transport: .stdio, command: command, environment: environment, workingDirectory: directory,
            createdAt: Date(), updatedAt: Date())
    }

    @Test func aBareCommandIsFoundThroughTheChildsPath() throws {
        let launch = try ProcessLaunch(
            server: server(["sh", "-c", "true"], environment: ["PATH": "/nonexistent:/bin"]),
            baseEnvironment: ["PATH": "/usr/bin"])
        #expect(launch.executable == "/bin/sh")
        #expect(launch.arguments == ["-c", "true"])
    }

    @Test func theServersEnvironmentIsAddedAndTheDaemonsSystemdVariablesAreNot() throws {
        let launch = try ProcessLaunch(
            server: server(["/bin/sh"], environment: ["API_KEY": "k", "HOME": "/srv"]),
            baseEnvironment: [
                "PATH": "/usr/bin", "HOME": "/root", "NOTIFY_SOCKET": "/run/systemd/notify", "LISTEN_FDS": "2",
                "LISTEN_PID": "1", "LISTEN_FDNAMES": "http:varlink", "WATCHDOG_USEC": "1000",
            ])
        #expect(launch.environment == ["PATH": "/usr/bin", "HOME": "/srv", "API_KEY": "k"])
    }

    @Test func aRelativePathIsResolvedInTheWorkingDirectory() throws {
        let launch = try ProcessLaunch(server: server(["./sh"], directory: "/bin"), baseEnvironment: [:])
        #expect(launch.executable == "/bin/./sh")
        #expect(launch.workingDirectory == "/bin")
    }

    @Test func aMissingWorkingDirectoryFailsBeforeTheSpawn() {
        #expect(throws: UpstreamError.self) {
            try ProcessLaunch(server: server(["/bin/sh"], directory: "/nonexistent-sentinel-dir"), baseEnvironment: [:])
        }
    }

    @Test func aDirectoryIsNotAnExecutable() {
        #expect(ProcessLaunch.resolve("/bin", searchPath: nil, workingDirectory: nil) == nil)
        #expect(ProcessLaunch.resolve("bin", searchPath: "/", workingDirectory: nil) == nil)
    }
}
