import ArgumentParser
import Foundation
import SentinelControl
import SentinelCore

/// `sentineld`: the Sentinel MCP gateway daemon.
@main
struct Sentineld: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sentineld",
        abstract: "The Sentinel MCP gateway daemon.",
        discussion: """
            Serves MCP endpoints over HTTP and the io.sentinel.Manager varlink interface \
            used by sentinelctl. Normally started by systemd through sentineld.socket and \
            sentineld-varlink.socket; run by hand it binds the configured addresses itself. \
            Settings come from the configuration file, its drop-ins, and these flags, in \
            that order (see sentineld.conf(5)).
            """,
        version: SentinelVersion.current)

    @Option(name: .customLong("config"), help: ArgumentHelp("Configuration file.", valueName: "path"))
    var configFile: String?

    @Option(name: .customLong("http-listen"), help: ArgumentHelp("Overrides [HTTP] Listen=.", valueName: "host:port"))
    var httpListen: String?

    @Option(name: .customLong("public-url"), help: ArgumentHelp("Overrides [HTTP] PublicURL=.", valueName: "url"))
    var publicURL: String?

    @Option(name: .customLong("control-socket"), help: ArgumentHelp("Overrides [Control] Socket=.", valueName: "path"))
    var controlSocket: String?

    @Option(name: .customLong("control-group"), help: ArgumentHelp("Overrides [Control] Group=.", valueName: "group"))
    var controlGroup: String?

    @Option(name: .customLong("state-directory"), help: ArgumentHelp("Overrides [State] Directory=.", valueName: "path"))
    var stateDirectory: String?

    @Option(name: .customLong("log-level"), help: ArgumentHelp("Overrides [Log] Level=.", valueName: "level"))
    var logLevel: String?

    @Option(name: .customLong("log-target"), help: ArgumentHelp("Overrides [Log] Target= (auto, journal, stderr).", valueName: "target"))
    var logTarget: String?

    @Option(name: .customLong("idle-exit"), help: ArgumentHelp("Overrides [Daemon] IdleExitSec=.", valueName: "timespan"))
    var idleExit: String?

    @Flag(name: .customLong("print-config-reference"), help: "Print every configuration key, documented, at its default, and exit.")
    var printConfigReference = false

    @Flag(name: .customLong("print-varlink-interface"), help: "Print the io.sentinel.Manager interface description and exit.")
    var printVarlinkInterface = false

    @Flag(name: .customLong("check-config"), help: "Load the configuration, report problems, and exit.")
    var checkConfig = false

    @Flag(
        name: .customLong("demo"),
        help: "Ensure a 'demo' server (sentinel-demo-server) and a 'demo' endpoint without authentication exist (loopback listeners only).")
    var demo = false

    func run() async throws {
        if printConfigReference {
            print(DaemonConfiguration.referenceFile(), terminator: "")
            return
        }
        if printVarlinkInterface {
            print(ManagerInterface.interfaceDescription, terminator: "")
            return
        }
        let loader = makeLoader()
        let configuration: DaemonConfiguration
        do {
            configuration = try loader.load()
        } catch {
            FileHandle.standardError.write(Data("sentineld: \(error)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
        if checkConfig {
            print("configuration OK (\(loader.files().joined(separator: ", ")))")
            return
        }
        var demoSetup: DemoSetup?
        if demo {
            guard let located = DemoSetup.locate() else {
                FileHandle.standardError.write(Data("sentineld: --demo: sentinel-demo-server is not installed next to sentineld\n".utf8))
                throw ExitCode(1)
            }
            demoSetup = located
        }
        let daemon = Daemon(configuration: configuration, loader: loader, demo: demoSetup)
        do {
            try await daemon.run()
        } catch let error as DaemonStartupError {
            FileHandle.standardError.write(Data("sentineld: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    func makeLoader() -> ConfigurationLoader {
        var overrides: [(section: String, key: String, value: String)] = []
        if let httpListen { overrides.append(("HTTP", "Listen", httpListen)) }
        if let publicURL { overrides.append(("HTTP", "PublicURL", publicURL)) }
        if let controlSocket { overrides.append(("Control", "Socket", controlSocket)) }
        if let controlGroup { overrides.append(("Control", "Group", controlGroup)) }
        if let stateDirectory { overrides.append(("State", "Directory", stateDirectory)) }
        if let logLevel { overrides.append(("Log", "Level", logLevel)) }
        if let logTarget { overrides.append(("Log", "Target", logTarget)) }
        if let idleExit { overrides.append(("Daemon", "IdleExitSec", idleExit)) }
        return ConfigurationLoader(
            file: configFile ?? DaemonConfiguration.defaultFile, explicit: configFile != nil, overrides: overrides)
    }
}
