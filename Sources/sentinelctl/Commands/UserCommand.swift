import ArgumentParser
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
            let user = try connection.connect().call(
                "AddUser",
                [
                    "name": .string(name), "display_name": JSONValue(displayName), "password": JSONValue(password),
                    "groups": JSONValue(groups),
                ]
            )["user"] ?? .null
            if connection.json { return Output.json(user) }
            print("Added user \(name).")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            let users = try connection.connect().call("ListUsers")["users"]?.arrayValue ?? []
            if connection.json { return Output.json(.array(users)) }
            Output.table(
                ["name", "display name", "groups", "password", "sessions", "created"],
                users.map {
                    [
                        Output.text($0["name"]), Output.text($0["display_name"]), Output.text($0["groups"]),
                        $0["has_password"]?.boolValue == true ? "set" : "none", Output.text($0["active_sessions"]),
                        Output.text($0["created"]),
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
            let user = try connection.connect().call(
                "UpdateUser",
                [
                    "name": .string(name), "display_name": JSONValue(displayName), "add_groups": JSONValue(addGroups),
                    "remove_groups": JSONValue(removeGroups),
                ]
            )["user"] ?? .null
            if connection.json { return Output.json(user) }
            print("Updated user \(name) (groups: \(Output.text(user["groups"]))).")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user and revoke their sessions.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var name: String

        func run() throws {
            _ = try connection.connect().call("RemoveUser", ["name": .string(name)])
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
            _ = try connection.connect().call("SetPassword", ["name": .string(name), "password": .string(password)])
            if connection.json { return Output.json(.object([:])) }
            print("Password of \(name) changed.")
        }
    }
}
