import ArgumentParser
import Foundation
import SentinelCore

struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Print every change made through the control socket as it happens.")
    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        try connection.connect().callMore("WatchChanges") { reply in
            let change = reply["change"] ?? .null
            if connection.json {
                print(change.text())
            } else {
                print(
                    "\(Output.text(change["time"])) \(Output.text(change["action"])) \(Output.text(change["object"])) "
                        + "\(Output.text(change["name"])) uid=\(Output.text(change["uid"])) pid=\(Output.text(change["pid"]))")
            }
            fflush(nil)
            return true
        }
    }
}
