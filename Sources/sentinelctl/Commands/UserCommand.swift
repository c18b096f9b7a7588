import ArgumentParser
import SentinelControlAPI
import SentinelCore

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage the people who may sign in and authorize AI clients.",
        subcommands: [Add.self, List.self, Update.self, Remove.self, Passwd.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user.",
            discussion: "The password is prompted for on a terminal, or read as one line from standard input; never from the command line.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var name: String
        @Option(name: .customLong("display-name")) var displayName: String?
        @Option(name: .customLong("group"), help: ArgumentHelp("Add the user to this group (repeatable).", valueName: "name"))
        var groups: [String] = []
        @Flag(name: .customLong("no-password"), help: "Create the user without a password (cannot sign in yet).")
        var noPassword = false

        func run() throws {
            let password = noPassword ? nil : try SecretInput.read(prompt: "Password for \(name): ", confirm: true)
            let (_, raw) = try connection.connect().call(
                ManagerAPI.AddUser.self, .init(name: name, displayName: displayName, password: password, groups: groups))
            if connection.json { return Output.json(raw["user"] ?? .null) }
            print("Added user \(name).")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            let (reply, raw) = try connection.connect().call(ManagerAPI.ListUsers.self)
            if connection.json { return Output.json(raw["users"] ?? []) }
            Output.table(
                ["name", "display name", "groups", "password", "sessions", "created"],
                reply.users.map {
                    [
                        Output.text($0.name), Output.text($0.displayName), Output.text($0.groups), $0.hasPassword ? "set" : "none",
                        Output.text($0.activeSessions), Output.text($0.created),
                    ]
                })
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a user's display name or groups.",
            discussion: "Leaving a group revokes the user's sessions on endpoints they may no longer use.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var name: String
        @Option(name: .customLong("display-name")) var displayName: String?
        @Option(name: .customLong("add-group"), help: ArgumentHelp("Join this group (repeatable).", valueName: "name"))
        var addGroups: [String] = []
        @Option(name: .customLong("remove-group"), help: ArgumentHelp("Leave this group (repeatable).", valueName: "name"))
        var removeGroups: [String] = []

        func validate() throws {
            if displayName == nil && addGroups.isEmpty && removeGroups.isEmpty {
                throw ValidationError("nothing to change: give --display-name, --add-group or --remove-group")
            }
        }

        func run() throws {
            let (reply, raw) = try connection.connect().call(
                ManagerAPI.UpdateUser.self,
                .init(name: name, displayName: displayName, addGroups: addGroups, removeGroups: removeGroups))
            if connection.json { return Output.json(raw["user"] ?? .null) }
            print("Updated user \(name) (groups: \(Output.text(reply.user.groups))).")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user and revoke their sessions.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var name: String

        func run() throws {
            _ = try connection.connect().call(ManagerAPI.RemoveUser.self, .init(name: name))
            if connection.json { return Output.json(.object([:])) }
            print("Removed user \(name).")
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a user's password (prompted, or one line on standard input).")
        @OptionGroup var connection: ConnectionOptions
        @Argument var name: String

        func run() throws {
            let password = try SecretInput.read(prompt: "New password for \(name): ", confirm: true)
            _ = try connection.connect().call(ManagerAPI.SetPassword.self, .init(name: name, password: password))
            if connection.json { return Output.json(.object([:])) }
            print("Password of \(name) changed.")
        }
    }
}
