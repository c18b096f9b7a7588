import ArgumentParser
import SentinelCore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the daemon's version, listeners and object counts.")

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let reply = try connection.connect().call("GetStatus")
        let status = reply["status"] ?? .null
        if connection.json { return Output.json(status) }
        Output.fields([
            ("Version", Output.text(status["version"])),
            ("PID", Output.text(status["pid"])),
            ("Started", Output.text(status["started"]) + " (up \(Output.text(status["uptime_seconds"])) s)"),
            ("Public URL", Output.text(status["public_url"])),
            ("HTTP", Output.text(status["http_listen"])),
            ("Control", Output.text(status["control_socket"])),
            ("State", Output.text(status["state_directory"])),
            ("Database", Output.text(status["database"])),
            ("Schema", Output.text(status["schema_migrations"])),
            ("Servers", Output.text(status["servers"])),
            ("Endpoints", Output.text(status["endpoints"])),
            ("Users", Output.text(status["users"])),
            ("Sessions", Output.text(status["active_sessions"]) + " active"),
            ("Connections", Output.text(status["open_connections"]) + " open"),
            ("Log", Output.text(status["log_target"])),
            ("Audit", Output.text(status["audit_target"])),
        ])
    }
}
