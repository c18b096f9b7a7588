import ArgumentParser
import SentinelControlAPI
import SentinelCore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the daemon's version, listeners and object counts.")

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let (reply, raw) = try connection.connect().call(ManagerAPI.GetStatus.self)
        if connection.json { return Output.json(raw["status"] ?? .null) }
        let status = reply.status
        Output.fields([
            ("Version", Output.text(status.version)),
            ("PID", Output.text(status.pid)),
            ("Started", Output.text(status.started) + " (up \(Output.text(status.uptimeSeconds)) s)"),
            ("Public URL", Output.text(status.publicURL)),
            ("HTTP", Output.text(status.httpListen)),
            ("Control", Output.text(status.controlSocket)),
            ("State", Output.text(status.stateDirectory)),
            ("Database", Output.text(status.database)),
            ("Schema", Output.text(status.schemaMigrations)),
            ("Servers", Output.text(status.servers)),
            ("Endpoints", Output.text(status.endpoints)),
            ("Users", Output.text(status.users)),
            ("Sessions", Output.text(status.activeSessions) + " active"),
            ("Connections", Output.text(status.openConnections) + " open"),
            ("Log", Output.text(status.logTarget)),
            ("Audit", Output.text(status.auditTarget)),
        ])
    }
}
