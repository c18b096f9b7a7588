import Foundation
import Logging
import SentinelCore
import Synchronization

extension HTTPUpstreamClient {
    /// What one request needs while its response is read.
    struct Call: Sendable {
        var id: RawJSON
        var progressToken: RawJSON?
        var progress: (@Sendable (RawJSON) -> Void)?
        /// Set when the transport enforces it: every exchange of the call carries it.
        var deadline: ContinuousClock.Instant?
    }

    enum Outcome: Sendable {
        case result(RawJSON, HTTPResponseHead)
        case error(code: Int, message: String, raw: RawJSON)
        /// 404 to a request that carried this session id.
        case sessionGone(String)
    }

    /// POSTs a request and reads its answer, from a JSON body or an event stream.
    func post(
        _ message: RawJSON,
        headers: [(name: String, value: String)],
        call: Call,
        era: Era,
        idleTimeout: Duration
    ) async throws -> Outcome {
        var request = HTTPUpstreamRequest(method: "POST", headers: headers, body: message.bytes, idleTimeout: idleTimeout)
        request.deadline = call.deadline
        var iterator = transport.execute(request).makeAsyncIterator()
        let head = try await Self.readHead(&iterator)
        switch head.status {
        case 202, 204:
            throw UpstreamError.protocolViolation("HTTP \(head.status) without a response to a request")
        case 200..<300:
            if head.mediaType == "text/event-stream" {
                return try await readEventStream(iterator, head: head, call: call, era: era, idleTimeout: idleTimeout)
            }
            let body = try await Self.readBody(&iterator, limit: 256 << 20)
            let answer: JSONRPCMessage
            do {
                answer = try JSONRPCMessage(parsing: body)
            } catch {
                throw UpstreamError.protocolViolation("HTTP \(head.status): the body is not a JSON-RPC message: \(Self.excerpt(body))")
            }
            guard let outcome = Self.outcome(of: answer, for: call.id, head: head) else {
                throw UpstreamError.protocolViolation("HTTP \(head.status): the body is not the answer to request \(call.id.text)")
            }
            return outcome
        default:
            if head.status == 404, case .handshake(_, let session?) = era {
                return .sessionGone(session)
            }
            let body = try await Self.readBody(&iterator, limit: 64 << 10)
            if head.status == 401 {
                throw UpstreamError.unauthorized("HTTP 401: \(Self.refusalReason(head, body: body))")
            }

            // Modern-era servers send JSON-RPC errors with 4xx statuses (method not found → 404, invalid params → 400), and
            // a server that could not read the request answers 400 with an error whose id is null.
            if let answer = try? JSONRPCMessage(parsing: body), answer.kind == .errorResponse,
                let outcome = Self.outcome(of: answer, for: call.id, head: head)
            {
                return outcome
            }
            guard (400..<600).contains(head.status) else {
                throw UpstreamError.protocolViolation("HTTP \(head.status): \(Self.excerpt(body))")
            }
            throw UpstreamError.httpStatus(head.status, detail: head.status == 403 ? Self.refusalReason(head, body: body) : Self.excerpt(body))
        }
    }

    /// Reads an event stream until the answer to `call` arrives, passing progress and
    /// notifications on and answering server requests. A handshake-era stream that ends early
    /// after giving event ids is resumed with a GET carrying `Last-Event-ID`.
    func readEventStream(
        _ iterator: AsyncThrowingStream<HTTPResponsePart, any Error>.AsyncIterator,
        head: HTTPResponseHead,
        call: Call,
        era: Era,
        idleTimeout: Duration
    ) async throws -> Outcome {
        var iterator = iterator
        var lastEventID: String?
        var retry: Duration = .milliseconds(500)
        var resumptions = 0
        while true {
            var parser = SSEParser()
            var sawEvent = false
            while let part = try await iterator.next() {
                guard case .body(let chunk) = part else { continue }
                let events: [SSEEvent]
                do {
                    events = try parser.feed(chunk)
                } catch {
                    throw UpstreamError.protocolViolation("\(error)")
                }
                for event in events {
                    sawEvent = true
                    if let outcome = try handle(event, call: call, era: era, head: head) { return outcome }
                }
                lastEventID = parser.lastEventID ?? lastEventID
            }
            try Task.checkCancellation()
            if let milliseconds = parser.retryMilliseconds { retry = .milliseconds(milliseconds) }
            guard case .handshake(let version, let session) = era, let lastEventID else {
                throw UpstreamError.connectionLost("the response stream ended before the answer to request \(call.id.text)")
            }
            resumptions = sawEvent ? 1 : resumptions + 1
            guard resumptions <= 5 else {
                throw UpstreamError.connectionLost("the response stream ended repeatedly before the answer to request \(call.id.text)")
            }
            logger.debug("resuming the response stream", metadata: ["lastEventID": "\(lastEventID)"])
            if let deadline = call.deadline, ContinuousClock.now + retry >= deadline { throw DeadlineReached() }
            try await Task.sleep(for: retry)
            var headers: [(name: String, value: String)] = [
                ("Accept", "text/event-stream"), ("MCP-Protocol-Version", version), ("Last-Event-ID", lastEventID),
            ]
            if let session { headers.append(("Mcp-Session-Id", session)) }
            var resume = HTTPUpstreamRequest(method: "GET", headers: headers, idleTimeout: idleTimeout)
            resume.deadline = call.deadline
            iterator = transport.execute(resume).makeAsyncIterator()
            let resumed = try await Self.readHead(&iterator)
            guard resumed.status == 200, resumed.mediaType == "text/event-stream" else {
                let body = try await Self.readBody(&iterator, limit: 64 << 10)
                throw UpstreamError.connectionLost(
                    "the response stream ended and could not be resumed: HTTP \(resumed.status): \(Self.excerpt(body))"
                )
            }
        }
    }

    /// Acts on one event of a response stream; returns the outcome when it is the answer.
    func handle(_ event: SSEEvent, call: Call?, era: Era, head: HTTPResponseHead) throws(UpstreamError) -> Outcome? {
        guard event.type == "message", event.data.contains(where: { $0 > 0x20 }) else { return nil }
        let message: JSONRPCMessage
        do {
            message = try JSONRPCMessage(parsing: event.data)
        } catch {
            // An answer whose only fault is its text still names its request: fail that call now.
            if let call, let lenient = try? JSONRPCMessage(parsing: event.data, allowingInvalidUnicode: true),
                lenient.kind == .response || lenient.kind == .errorResponse, lenient.id == call.id
            {
                fault("answered request \(call.id.text) with text that is not valid UTF-8 JSON", data: event.data)
                throw .protocolViolation("the answer is not valid UTF-8 JSON (RFC 8259 §8.1): \(error.message)")
            }
            fault("sent an event that is not JSON-RPC: \(error.message)", data: event.data)
            return nil
        }
        switch message.kind {
        case .response, .errorResponse:
            guard let call else {
                if message.id == nil { fault("sent an error without an id on its notification stream", data: event.data) }
                return nil
            }
            return Self.outcome(of: message, for: call.id, head: head)
        case .notification:
            let method = message.method ?? ""
            if method == "notifications/progress" {
                if let call, let token = call.progressToken, let progress = call.progress,
                    let range = message.paramsMembers["progressToken"], message.raw(range) == token,
                    let params = message.params
                {
                    progress(message.raw(params))
                }
                return nil
            }
            if method == "notifications/subscriptions/acknowledged" { return nil }
            notificationSink.yield(UpstreamNotification(method: method, params: message.params.map { message.raw($0) }))
            return nil
        case .request:
            answer(message, era: era)
            return nil
        }
    }

    /// Logs and counts an event that had to be dropped.
    func fault(_ why: String, data: [UInt8]) {
        logger.warning(
            "protocol fault of the http server",
            metadata: ["reason": "\(why)", "event": "\(Self.excerpt(data))"])
        faults?.record(server: server.name)
    }

    /// Answers a request the server sent on a stream: `ping` with an empty result, anything else
    /// with "method not found" (the gateway offers no sampling, roots or elicitation upstream).
    func answer(_ request: JSONRPCMessage, era: Era) {
        guard let id = request.id else { return }
        let reply =
            request.method == "ping"
            ? JSONRPC.result(id: id, result: .emptyObject)
            : JSONRPC.error(id: id, code: JSONRPCErrorCode.methodNotFound, message: "Method not found: \(request.method ?? "")")
        var headers = headers(for: era, method: "", params: nil).filter { $0.name != "Mcp-Method" }
        if case .modern = era { headers.removeAll { $0.name == "Mcp-Name" } }
        transport.send(
            HTTPUpstreamRequest(
                method: "POST",
                headers: headers,
                body: reply.bytes,
                idleTimeout: .seconds(max(1, Int64(server.connectTimeoutSeconds)))
            )
        )
    }

    /// The outcome when `message` answers request `id`. An error with a null id counts: it came back
    /// on that request's own response (body or stream), where nothing else can have caused it.
    static func outcome(of message: JSONRPCMessage, for id: RawJSON, head: HTTPResponseHead) -> Outcome? {
        guard message.id == id || (message.kind == .errorResponse && message.id == nil) else { return nil }
        if let result = message.result { return .result(message.raw(result), head) }
        if let error = message.error {
            let details = message.errorDetails ?? (0, "")
            return .error(code: details.code, message: details.message, raw: message.raw(error))
        }
        return nil
    }

    static func readHead(
        _ iterator: inout AsyncThrowingStream<HTTPResponsePart, any Error>.AsyncIterator
    ) async throws -> HTTPResponseHead {
        while let part = try await iterator.next() {
            if case .head(let head) = part { return head }
        }
        try Task.checkCancellation()
        throw UpstreamError.connectionLost("the connection closed before a response")
    }

    static func readBody(
        _ iterator: inout AsyncThrowingStream<HTTPResponsePart, any Error>.AsyncIterator,
        limit: Int
    ) async throws -> [UInt8] {
        var body: [UInt8] = []
        while let part = try await iterator.next() {
            guard case .body(let chunk) = part else { continue }
            body += chunk
            if body.count > limit { throw UpstreamError.protocolViolation("the response is larger than \(limit) bytes") }
        }
        try Task.checkCancellation()
        return body
    }

    /// Why a server refused a credential, in its own words: the `error_description` of its `WWW-Authenticate`
    /// challenge (RFC 6750), else the body's `error_description` or `message` (also inside a JSON-RPC `error`), else
    /// the start of the body.
    static func refusalReason(_ head: HTTPResponseHead, body: [UInt8]) -> String {
        if let challenge = head.header("www-authenticate"), let described = challengeParameter("error_description", in: challenge),
            !described.isEmpty
        {
            return described
        }
        if let object = try? JSONValue.parse(String(decoding: body, as: UTF8.self)) {
            for candidate in [object["error_description"], object["message"], object["error"]?["message"], object["detail"]] {
                if let text = candidate?.stringValue, !text.isEmpty { return text }
            }
        }
        return excerpt(body)
    }

    /// A quoted or bare parameter of a `WWW-Authenticate` challenge.
    static func challengeParameter(_ name: String, in challenge: String) -> String? {
        guard let range = challenge.range(of: name + "=") else { return nil }
        var rest = challenge[range.upperBound...]
        if rest.first == "\"" {
            rest = rest.dropFirst()
            var value = ""
            var escaped = false
            for character in rest {
                if escaped {
                    value.append(character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    return value
                } else {
                    value.append(character)
                }
            }
            return nil
        }
        return String(rest.prefix { $0 != "," && $0 != " " })
    }

    static func excerpt(_ body: [UInt8]) -> String {
        String(decoding: body.prefix(200), as: UTF8.self)
    }

    static func upstreamError(_ error: HTTPTransportError) -> UpstreamError {
        switch error {
        case .connectFailed(let why): .connectFailed(why)
        case .connectionLost(let why): .connectionLost(why)
        }
    }

    /// Maps whatever an exchange threw to the error callers see.
    static func upstreamError(_ error: any Error) -> UpstreamError {
        if let error = error as? UpstreamError { return error }
        if let error = error as? HTTPTransportError { return upstreamError(error) }
        return .connectionLost("\(error)")
    }
}
