public import SentinelGateway
public import SentinelUpstream

/// The gateway calls upstreams through the credential rule of `PooledUpstreams` (SentinelUpstream).
extension PooledUpstreams: UpstreamProvider {}
