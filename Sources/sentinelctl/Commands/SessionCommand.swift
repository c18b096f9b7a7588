import ArgumentParser
import SentinelCore

struct SessionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session", abstract: "List and revoke authorized sessions (grants).",
        subcommands: [List.self, Revoke.self])

    static func printSessions(_ sessions: [JSONValue]) {
        Output.table(
            ["id", "user", "client", "endpoint", "created", "expires", "last used", "address"],
            sessions.map {
                [
                    Output.text($0["id"]), Output.text($0["user"]), Output.text($0["client_name"]), Output.text($0["endpoint"]),
                    Output.text($0["created"]),
                    $0["revoked"]?.isNull == false ? "revoked " + Output.text($0["revoked"]) : Output.text($0["expires"]),
                    Output.text($0["last_used"]), Output.text($0["last_address"]),
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
            let sessions = try connection.connect().call(
                "ListSessions",
                ["endpoint": JSONValue(endpoint), "user": JSONValue(user), "include_inactive": .bool(includeInactive)]
            )["sessions"]?.arrayValue ?? []
            if connection.json { return Output.json(.array(sessions)) }
            SessionCommand.printSessions(sessions)
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
            let revoked = try connection.connect().call(
                "RevokeSession", ["id": JSONValue(id), "user": JSONValue(user), "endpoint": JSONValue(endpoint)]
            )["revoked"]?.arrayValue ?? []
            if connection.json { return Output.json(.array(revoked)) }
            print("Revoked \(revoked.count) session(s).")
        }
    }
}
