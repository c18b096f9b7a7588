public import Logging
public import SentinelCore

/// Keeps one started upstream client per (server, owner), restarts it with backoff, and stops it when idle.
///
/// `client(for:owner:)` starts a client on first need; concurrent callers share that start.
/// After a failed start, or a call that lost the connection, the next start first waits a
/// backoff that doubles from `initialBackoff` up to `maximumBackoff`; a successful call resets
/// it. Clients come from the factory given at init, so stdio and HTTP servers pool alike.
///
/// `run()` is the pool's service: it stops clients unused for `idleTimeout`, forwards every
/// client's notifications to `notifications`, and shuts all clients down when cancelled.
/// Run it once.
public actor UpstreamPool {
    public typealias ClientFactory = @Sendable (Server) -> any UpstreamClient

    /// Notifications of every pooled client (not progress), tagged with the server's name.
    public nonisolated let notifications: AsyncStream<(server: String, notification: UpstreamNotification)>

    /// Internal, not private: `PooledUpstreams` checks a credential with a client of its own from the same factory.
    let makeClient: ClientFactory
    private let idleTimeout: Duration
    private let initialBackoff: Duration
    private let maximumBackoff: Duration
    private let logger: Logger
    private let notificationSink: AsyncStream<(server: String, notification: UpstreamNotification)>.Continuation
    private let registrations: AsyncStream<Registration>
    private let registrationSink: AsyncStream<Registration>.Continuation
    private var entries: [UpstreamKey: Entry] = [:]

    /// - Parameters:
    ///   - idleTimeout: a client without calls for this long is shut down (and started again on the next need).
    ///   - makeClient: creates an unstarted client for a server's current configuration.
    public init(
        idleTimeout: Duration = .seconds(600),
        initialBackoff: Duration = .milliseconds(500),
        maximumBackoff: Duration = .seconds(30),
        logger: Logger,
        makeClient: @escaping ClientFactory
    ) {
        self.idleTimeout = idleTimeout
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.logger = logger
        self.makeClient = makeClient
        (notifications, notificationSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(4096))
        (registrations, registrationSink) = AsyncStream.makeStream()
    }

    // MARK: - Clients

    /// A started client for `server` and `owner`, starting one if needed.
    ///
    /// The returned client records its calls for the pool (idle time, backoff). Its own
    /// `notifications` is empty: listen to the pool's. Throws the start's `UpstreamError`, or
    /// `CancellationError` when the calling task is cancelled while waiting.
    public func client(for server: Server, owner: String? = nil) async throws -> any UpstreamClient {
        let key = UpstreamKey(server: server.name, owner: owner)
        while true {
            try Task.checkCancellation()
            let entry = entries[key] ?? makeEntry(key: key, server: server)
            entry.usage.touch()
            switch entry.phase {
            case .starting(let waitlist):
                switch try await waitlist.wait() {
                case .started where entries[key] === entry: return entry.handle
                case .failed(let error): throw error
                case .started, .retry: continue
                }
            case .ready where !entry.usage.lostConnection:
                // Cheap for a live client; respawns one whose process ended while no call was running.
                do {
                    try await entry.client.start()
                } catch {
                    if entries[key] === entry {
                        entry.phase = .stopped
                        entry.usage.recordFailure()
                    }
                    throw error
                }
                if entries[key] === entry { return entry.handle }
            case .ready, .stopped:
                if let handle = try await start(entry) { return handle }
            }
        }
    }

    /// Starts `entry` after its backoff; nil when the entry was replaced meanwhile (the caller retries).
    private func start(_ entry: Entry) async throws -> (any UpstreamClient)? {
        let waitlist = StartWaitlist()
        entry.phase = .starting(waitlist)
        var outcome: StartOutcome
        do {
            if let notBefore = entry.usage.restartNotBefore(initialBackoff: initialBackoff, maximum: maximumBackoff) {
                logger.info(
                    "waiting before restarting upstream server",
                    metadata: ["server": "\(entry.key)", "until": "\(notBefore)"])
                try await Task.sleep(until: notBefore, clock: .continuous)
            }
            try await entry.client.start()
            outcome = .started
        } catch let error as UpstreamError where !Task.isCancelled {
            outcome = .failed(error)
        } catch {
            // Only the starting caller was cancelled (whatever the client made of it): a waiter takes
            // over, and the server is not blamed with a backoff.
            outcome = .retry
        }
        let isCurrent = entries[entry.key] === entry
        if isCurrent {
            switch outcome {
            case .started:
                entry.phase = .ready
                entry.usage.recordStart()
            case .failed(let error):
                entry.phase = .stopped
                entry.usage.recordFailure()
                logger.warning("cannot start upstream server", metadata: ["server": "\(entry.key)", "error": "\(error)"])
            case .retry:
                entry.phase = .stopped
            }
        } else if case .started = outcome {
            // Invalidated or shut down while starting: that shutdown may have come before the start finished.
            await entry.client.shutdown()
            outcome = .retry
        }
        waitlist.finish(outcome)
        switch outcome {
        case .started: return entry.handle
        case .failed(let error): throw error
        case .retry:
            try Task.checkCancellation()
            return nil
        }
    }

    private func makeEntry(key: UpstreamKey, server: Server) -> Entry {
        let client = makeClient(server)
        let (dropped, dropSink) = AsyncStream<Void>.makeStream()
        let usage = Usage()
        let entry = Entry(
            key: key, client: client, usage: usage, dropSink: dropSink,
            handle: PooledClient(inner: client, usage: usage, pool: self, server: server, owner: key.owner))
        entries[key] = entry
        registrationSink.yield(Registration(server: server.name, client: client, dropped: dropped))
        return entry
    }

    // MARK: - Stopping

    /// Shuts down every client of `server` (all owners); the next call starts afresh with the configuration it passes.
    public func invalidate(server: String) async {
        await remove(entries.keys.filter { $0.server == server })
    }

    /// Shuts down the clients of `server` for one owner (a credential changed).
    public func invalidate(server: String, owner: String?) async {
        await remove([UpstreamKey(server: server, owner: owner)].filter { entries[$0] != nil })
    }

    /// Shuts down every client.
    public func shutdownAll() async {
        await remove(Array(entries.keys))
    }

    /// Stops the clients that have had no call in flight for `idleTimeout`.
    func stopIdleClients() async {
        let now = ContinuousClock.now
        let idle = entries.filter { _, entry in
            if case .starting = entry.phase { return false }
            return entry.usage.isIdle(since: now - idleTimeout)
        }
        guard !idle.isEmpty else { return }
        for key in idle.keys {
            logger.info("stopping idle upstream server", metadata: ["server": "\(key)"])
        }
        await remove(Array(idle.keys))
    }

    private func remove(_ keys: [UpstreamKey]) async {
        let removed = keys.compactMap { entries.removeValue(forKey: $0) }
        guard !removed.isEmpty else { return }
        for entry in removed { entry.dropSink.finish() }
        let clients = removed.map(\.client)
        await withDiscardingTaskGroup { group in
            for client in clients {
                group.addTask { await client.shutdown() }
            }
        }
    }

    // MARK: - Service

    /// Stops idle clients and forwards notifications until cancelled, then shuts every client down.
    public func run() async {
        let interval = max(.milliseconds(50), min(idleTimeout / 4, .seconds(30)))
        let sink = notificationSink
        await withDiscardingTaskGroup { group in
            group.addTask {
                while !Task.isCancelled {
                    do {
                        try await Task.sleep(for: interval)
                    } catch {
                        return
                    }
                    await self.stopIdleClients()
                }
            }
            for await registration in registrations {
                group.addTask {
                    // Each task says whether its end ends the client's work here.
                    await withTaskGroup(of: Bool.self) { forwarding in
                        forwarding.addTask {
                            for await notification in registration.client.notifications {
                                sink.yield((server: registration.server, notification: notification))
                            }
                            return true
                        }
                        // Ends when the pool drops the client, even if the client's stream never finishes.
                        forwarding.addTask {
                            for await _ in registration.dropped {}
                            return true
                        }
                        // The client's own work between calls lives as long as the client is pooled.
                        forwarding.addTask {
                            await registration.client.run()
                            return false
                        }
                        while let ends = await forwarding.next(), !ends {}
                        forwarding.cancelAll()
                    }
                }
            }
            group.cancelAll()
        }
        await shutdownAll()
        notificationSink.finish()
    }
}

extension UpstreamPool {
    /// Stops the entry that `usage` belongs to, unless it has been replaced already.
    func stop(key: UpstreamKey, usage: Usage) async {
        guard entries[key]?.usage === usage else { return }
        await remove([key])
    }
}
