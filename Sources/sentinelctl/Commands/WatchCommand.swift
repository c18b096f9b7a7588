import ArgumentParser
import Foundation
import SentinelControlAPI
import SentinelCore

struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Print every change made through the control socket as it happens.")
    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        try connection.connect().callMore(ManagerAPI.WatchChanges.self, ManagerAPI.Empty()) { reply, raw in
            let change = reply.change
            if connection.json {
                print((raw["change"] ?? .null).text())
            } else {
                print(
                    "\(Output.text(change.time)) \(Output.text(change.action)) \(Output.text(change.object)) "
                        + "\(Output.text(change.name)) uid=\(change.uid) pid=\(change.pid)")
            }
            fflush(nil)
            return true
        }
    }
}
