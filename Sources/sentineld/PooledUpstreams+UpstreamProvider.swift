public import SentinelGateway
public import SentinelUpstream

/// The gateway calls upstreams through the credential rule of `PooledUpstreams` (SentinelUpstream): `client(for:user:)`
/// picks whose credential a request carries, and the data plane's method-agnostic `request(server:user:method:…)`
/// (every `tools/call`, `prompts/get`, `resources/read` and `completion/complete`) is `UpstreamProvider`'s, which
/// retries once after `credentialRejected` refreshed a refused credential.
extension PooledUpstreams: UpstreamProvider {}
