import ArgumentParser
import SentinelControlAPI
import SentinelCore

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Manage the key that encrypts stored secrets.", subcommands: [Rotate.self])

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-encrypt every stored secret with a new key, in one transaction.",
            discussion: """
                sentineld writes the new key to secret.key in its state directory and keeps the old one as \
                secret.key.previous. Not possible while the key comes from the systemd credential sentinel.key.
                """)
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            let (reply, raw) = try connection.connect().call(ManagerAPI.RotateSecretKey.self)
            if connection.json { return Output.json(.object(raw)) }
            print("Secret key rotated; \(reply.reencrypted) secret(s) re-encrypted.")
        }
    }
}
