/// What the control plane asks of the data plane when servers change.
///
/// Implemented by the gateway's catalog service; the control interface calls it
/// so that `sentinelctl server add` and `server refresh` report the fresh catalog.
public protocol CatalogRefreshing: Sendable {
    /// Connects to the server and replaces its cached catalog; failures are recorded on the server.
    func refresh(server: String) async

    /// The server's settings changed: drop its connections, then refresh.
    func serverChanged(_ server: String) async

    /// The server is gone: drop its connections.
    func serverRemoved(_ server: String) async
}
