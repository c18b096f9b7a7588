import Foundation
import SentinelCore

/// The MCP server loop: reads messages, runs each request concurrently, writes whole lines.
///
/// Every request runs in its own child task, so a slow call blocks neither a ping nor another
/// call. A request ends in exactly one of three ways: its response is written, the peer
/// cancels it (no response, a `cancelled request <id>` line on stderr), or the process shuts
/// down.
struct DemoServer: Sendable {
    let options: DemoServerOptions
    let catalog: DemoToolCatalog
    let runner: DemoToolRunner
    let output: LineWriter
    let log: LineWriter
    let inFlight = InFlightRequests()

    init(options: DemoServerOptions, runner: DemoToolRunner, output: LineWriter, log: LineWriter) {
        self.options = options
        self.catalog = DemoToolCatalog(prefix: options.toolsPrefix, extraTools: options.extraTools)
        self.runner = runner
        self.output = output
        self.log = log
    }

    /// Serves until `input` ends, then lets running calls finish for `drainGrace` and returns.
    func run(input: AsyncStream<Data>) async {
        let (inputEnded, inputEndedContinuation) = AsyncStream<Void>.makeStream()
        await withTaskGroup(of: Void.self) { lifecycle in
            lifecycle.addTask {
                await withDiscardingTaskGroup { requests in
                    for await line in input {
                        if let request = accept(line) {
                            requests.addTask { await serve(request) }
                        }
                    }
                    inputEndedContinuation.finish()
                }
            }
            lifecycle.addTask {
                for await _ in inputEnded {}
                guard !Task.isCancelled else { return }
                try? await Task.sleep(for: options.drainGrace)
                let abandoned = inFlight.count
                if abandoned > 0 { log.write(line: "stdin closed; abandoning \(abandoned) unfinished request(s)") }
            }
            await lifecycle.next()
            lifecycle.cancelAll()
        }
    }

    /// Handles one line on the reading side; returns a request to run concurrently, already registered.
    private func accept(_ line: Data) -> (IncomingRequest, CancellationSignal)? {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
        let message: IncomingMessage
        do {
            message = try IncomingMessage.decode(line)
        } catch {
            if error.isAnswerable { output.write(error.error.response(to: error.id)) }
            return nil
        }
        switch message {
        case .request(let request):
            guard let signal = inFlight.register(request.id) else {
                output.write(JSONRPCError.invalidRequest("request id \(request.id) is already in flight").response(to: request.id))
                return nil
            }
            return (request, signal)
        case .notification(let method, let params):
            handleNotification(method: method, params: params)
            return nil
        case .response:
            log.write(line: "ignoring a response: this server sends no requests")
            return nil
        }
    }

    private func handleNotification(method: String, params: JSONValue?) {
        switch method {
        case "notifications/cancelled":
            guard let rawID = params?["requestId"], let id = RequestID(rawID) else {
                log.write(line: "ignoring notifications/cancelled without a valid requestId")
                return
            }
            if inFlight.cancel(id) {
                log.write(line: "cancelled request \(id)")
            } else {
                log.write(line: "ignoring cancellation of request \(id): not in flight")
            }
        default:
            // notifications/initialized and anything else: nothing to do, and notifications are never answered.
            break
        }
    }

    private enum Outcome: Sendable {
        case reply(RawJSON)
        case cancelledByPeer
        case abandoned
    }

    /// Runs one request against its cancellation signal and writes the response if it is still wanted.
    private func serve(_ accepted: (IncomingRequest, CancellationSignal)) async {
        let (request, signal) = accepted
        let outcome = await withTaskGroup(of: Outcome.self) { group in
            group.addTask { await respond(to: request) }
            group.addTask { await signal.wait() ? .cancelledByPeer : .abandoned }
            let first = await group.next() ?? .abandoned
            group.cancelAll()
            return first
        }
        let stillWanted = inFlight.finish(request.id)
        if stillWanted, case .reply(let message) = outcome {
            output.write(message)
        }
    }

    private func respond(to request: IncomingRequest) async -> Outcome {
        do {
            let era = try ProtocolEra(of: request)
            let result = try await result(for: request, era: era)
            return Task.isCancelled ? .abandoned : .reply(JSONRPC.result(id: request.id.raw, result: RawJSON(result)))
        } catch let error as JSONRPCError {
            return .reply(error.response(to: request.id))
        } catch is CancellationError {
            return .abandoned
        } catch {
            log.write(line: "request \(request.id) (\(request.method)) failed: \(error)")
            return .reply(JSONRPCError.internalError(String(describing: error)).response(to: request.id))
        }
    }
}
