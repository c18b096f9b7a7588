#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SentinelCore

/// What to execute for a stdio server: the resolved program, its arguments, environment and directory.
///
/// Resolution happens before the spawn so that a missing program is reported as such
/// ("command not found"), not as an opaque spawn error.
struct ProcessLaunch: Sendable, Equatable {
    /// Absolute path of the program.
    var executable: String
    /// Arguments after argv[0].
    var arguments: [String]
    /// The complete environment of the child.
    var environment: [String: String]
    var workingDirectory: String?

    /// Resolves `server.command[0]` through `PATH` (the child's, so a server may set its own) and
    /// adds `server.environment` to `baseEnvironment` (less `daemonOnlyVariables`).
    init(server: Server, baseEnvironment: [String: String] = ProcessInfo.processInfo.environment) throws(UpstreamError) {
        guard let program = server.command.first, !program.isEmpty else {
            throw .spawnFailed("the server has no command")
        }
        var environment = baseEnvironment.filter { !Self.daemonOnlyVariables.contains($0.key) }
        environment.merge(server.environment) { _, configured in configured }
        guard
            let executable = Self.resolve(
                program, searchPath: environment["PATH"], workingDirectory: server.workingDirectory)
        else {
            if program.contains("/") {
                throw .spawnFailed("\(program): no such executable file")
            }
            throw .spawnFailed("\(program): command not found in PATH (\(environment["PATH"] ?? Self.defaultPath))")
        }
        if let directory = server.workingDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
            else { throw .spawnFailed("working directory \(directory) does not exist") }
        }
        self.executable = executable
        self.arguments = Array(server.command.dropFirst())
        self.environment = environment
        self.workingDirectory = server.workingDirectory
    }

    /// systemd's variables addressed to the daemon itself (socket activation, notify, watchdog):
    /// a child that read them would act on the daemon's behalf.
    static let daemonOnlyVariables: Set<String> = [
        "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID",
    ]

    /// The search path used when the environment has no `PATH`, as a login shell would have it.
    static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// The executable file `program` names: itself when it contains a slash (relative to
    /// `workingDirectory`), otherwise the first match in `searchPath`.
    static func resolve(_ program: String, searchPath: String?, workingDirectory: String?) -> String? {
        if program.contains("/") {
            let path: String
            if program.hasPrefix("/") {
                path = program
            } else {
                let base = workingDirectory ?? FileManager.default.currentDirectoryPath
                path = base.hasSuffix("/") ? base + program : base + "/" + program
            }
            return isExecutableFile(path) ? path : nil
        }
        for directory in (searchPath ?? defaultPath).split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = String(directory.hasSuffix("/") ? directory + program : directory + "/" + program)
            if isExecutableFile(candidate) { return candidate }
        }
        return nil
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return false
        }
        return access(path, X_OK) == 0
    }
}
