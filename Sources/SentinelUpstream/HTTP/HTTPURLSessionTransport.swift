import Foundation
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `HTTPUpstreamTransport` over FoundationNetworking's `URLSession` (libcurl and the system OpenSSL).
///
/// One session per upstream client, so connections (and TLS sessions) are kept alive and reused;
/// libcurl sets `TCP_NODELAY` on its sockets. Body bytes reach the caller through a
/// `URLSessionDataDelegate` as they arrive, so event streams are read while they are open.
final class HTTPURLSessionTransport: HTTPUpstreamTransport {
    private let url: URL
    private let session: URLSession
    private let exchanges: HTTPURLSessionExchanges
    private let extraHeaders: [(name: String, value: String)]

    /// - Parameter headers: sent with every request (credentials, a user agent).
    init(url: URL, headers: [(name: String, value: String)], maximumConnections: Int = 32) {
        self.url = url
        self.extraHeaders = headers
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = maximumConnections
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.urlCredentialStorage = nil
        // Streams may last as long as a call or a notification channel; the client bounds each exchange itself.
        configuration.timeoutIntervalForResource = 365 * 86400
        let exchanges = HTTPURLSessionExchanges()
        self.exchanges = exchanges
        let queue = OperationQueue()
        queue.name = "sentinel.upstream.http"
        // One delegate thread per client: the chunks of one response must be seen in order.
        queue.maxConcurrentOperationCount = 1
        self.session = URLSession(configuration: configuration, delegate: exchanges, delegateQueue: queue)
    }

    deinit {
        session.invalidateAndCancel()
    }

    func execute(_ request: HTTPUpstreamRequest) -> AsyncThrowingStream<HTTPResponsePart, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: HTTPResponsePart.self)
        let task = session.dataTask(with: urlRequest(for: request))
        guard exchanges.register(task.taskIdentifier, continuation) else {
            continuation.finish(throwing: HTTPTransportError.connectFailed("the client was shut down"))
            return stream
        }
        continuation.onTermination = { _ in
            // Whether the caller stopped reading or the task was cancelled: close the exchange.
            // After a normal end this is a no-op.
            task.cancel()
        }
        task.resume()
        return stream
    }

    func send(_ request: HTTPUpstreamRequest) {
        guard !exchanges.isClosed else { return }
        session.dataTask(with: urlRequest(for: request)).resume()
    }

    func shutdown() {
        exchanges.close()
        session.invalidateAndCancel()
    }

    private func urlRequest(for request: HTTPUpstreamRequest) -> URLRequest {
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method
        let seconds = max(1, request.idleTimeout.components.seconds + (request.idleTimeout.components.attoseconds > 0 ? 1 : 0))
        urlRequest.timeoutInterval = TimeInterval(seconds)
        for header in extraHeaders {
            urlRequest.setValue(header.value, forHTTPHeaderField: header.name)
        }
        for header in request.headers {
            urlRequest.setValue(header.value, forHTTPHeaderField: header.name)
        }
        if let body = request.body {
            urlRequest.httpBody = Data(body)
        }
        return urlRequest
    }
}

/// The session delegate: routes each task's callbacks to the stream of its exchange.
final class HTTPURLSessionExchanges: NSObject, URLSessionDataDelegate {
    private struct Exchange {
        var continuation: AsyncThrowingStream<HTTPResponsePart, any Error>.Continuation
        var sawHead = false
    }

    private struct State {
        var exchanges: [Int: Exchange] = [:]
        var closed = false
    }

    private let state = Mutex(State())

    var isClosed: Bool { state.withLock { $0.closed } }

    func register(_ id: Int, _ continuation: AsyncThrowingStream<HTTPResponsePart, any Error>.Continuation) -> Bool {
        state.withLock { state in
            guard !state.closed else { return false }
            state.exchanges[id] = Exchange(continuation: continuation)
            return true
        }
    }

    func close() {
        let open = state.withLock { state in
            state.closed = true
            defer { state.exchanges = [:] }
            return Array(state.exchanges.values)
        }
        for exchange in open {
            exchange.continuation.finish(throwing: HTTPTransportError.connectionLost("the client was shut down"))
        }
    }

    func urlSession(
        _ session: URLSession,
        dataTask: URLSessionDataTask,
        didReceive response: URLResponse,
        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
    ) {
        let continuation = state.withLock { state -> AsyncThrowingStream<HTTPResponsePart, any Error>.Continuation? in
            state.exchanges[dataTask.taskIdentifier]?.sawHead = true
            return state.exchanges[dataTask.taskIdentifier]?.continuation
        }
        if let continuation, let response = response as? HTTPURLResponse {
            var headers: [String: String] = [:]
            for (name, value) in response.allHeaderFields {
                if let name = name as? String, let value = value as? String { headers[name] = value }
            }
            continuation.yield(.head(HTTPResponseHead(status: response.statusCode, headers: headers)))
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let continuation = state.withLock { $0.exchanges[dataTask.taskIdentifier]?.continuation }
        continuation?.yield(.body(Array(data)))
    }

    func urlSession(
        _ session: URLSession,
        task: URLSessionTask,
        willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest,
        completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        // An MCP endpoint does not move; a redirect is answered as the status it is.
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let exchange = state.withLock({ $0.exchanges.removeValue(forKey: task.taskIdentifier) }) else { return }
        guard let error else {
            exchange.continuation.finish()
            return
        }
        if let urlError = error as? URLError, urlError.code == .cancelled {
            exchange.continuation.finish(throwing: CancellationError())
            return
        }
        let why = Self.describe(error)
        exchange.continuation.finish(
            throwing: exchange.sawHead ? HTTPTransportError.connectionLost(why) : HTTPTransportError.connectFailed(why)
        )
    }

    private static func describe(_ error: any Error) -> String {
        guard let urlError = error as? URLError else { return "\(error)" }
        let what: String =
            switch urlError.code {
            case .cannotConnectToHost: "connection refused"
            case .cannotFindHost, .dnsLookupFailed: "host not found"
            case .timedOut: "timed out"
            case .networkConnectionLost: "the connection was closed"
            case .notConnectedToInternet: "no network"
            case .secureConnectionFailed: "TLS handshake failed"
            case .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid,
                .serverCertificateHasUnknownRoot:
                "the server's TLS certificate is not trusted"
            case .badServerResponse: "bad HTTP response"
            case .unknown: "the connection failed"
            default: "network error \(urlError.code.rawValue)"
            }
        if let url = urlError.failingURL { return "\(what) (\(url.absoluteString))" }
        return what
    }
}
