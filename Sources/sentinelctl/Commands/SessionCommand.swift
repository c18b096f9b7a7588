import ArgumentParser
import SentinelControlAPI
import SentinelCore

struct SessionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session", abstract: "List and revoke authorized sessions (grants).",
        subcommands: [List.self, Revoke.self])

    static func printSessions(_ sessions: [ManagerAPI.Session]) {
        Output.table(
            ["id", "user", "client", "endpoint", "created", "expires", "last used", "address"],
            sessions.map {
                [
                    Output.text($0.id), Output.text($0.user), Output.text($0.clientName), Output.text($0.endpoint),
                    Output.text($0.created), $0.revoked.map { "revoked " + Output.text($0) } ?? Output.text($0.expires),
                    Output.text($0.lastUsed), Output.text($0.lastAddress),
                ]
            })
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List active sessions, newest first.")
        @OptionGroup var connection: ConnectionOptions
        @Option var endpoint: String?
        @Option var user: String?
        @Flag(name: .customLong("all"), help: "Include expired and revoked sessions.") var includeInactive = false

        func run() throws {
            let (reply, raw) = try connection.connect().call(
                ManagerAPI.ListSessions.self,
                .init(endpoint: endpoint, user: user, includeInactive: includeInactive))
            if connection.json { return Output.json(raw["sessions"] ?? []) }
            SessionCommand.printSessions(reply.sessions)
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a session by id, or all of a user's or an endpoint's; clients are cut off at once.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Session id.") var id: String?
        @Option var user: String?
        @Option var endpoint: String?

        func validate() throws {
            if id == nil && user == nil && endpoint == nil { throw ValidationError("name a session ID, --user or --endpoint") }
        }

        func run() throws {
            let (reply, raw) = try connection.connect().call(
                ManagerAPI.RevokeSession.self, .init(id: id, user: user, endpoint: endpoint))
            if connection.json { return Output.json(raw["revoked"] ?? []) }
            print("Revoked \(reply.revoked.count) session(s).")
        }
    }
}
