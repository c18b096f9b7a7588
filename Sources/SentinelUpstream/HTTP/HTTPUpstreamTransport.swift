/// The HTTP exchanges `HTTPUpstreamClient` needs, independent of the library that does them.
///
/// One transport serves one upstream URL and keeps its connections alive between exchanges.
/// `HTTPURLSessionTransport` (FoundationNetworking: libcurl and the system OpenSSL) handles
/// `http` and `https`; a NIO HTTP/1.1 transport for plain-HTTP loopback upstreams can sit
/// behind the same protocol if the benchmark favours it.
protocol HTTPUpstreamTransport: Sendable {
    /// Starts an exchange. The stream yields the response head, then body chunks as they arrive,
    /// and finishes when the body is complete. It throws `HTTPTransportError`.
    ///
    /// Ending the iteration early (or cancelling the task that iterates) aborts the exchange and
    /// closes its connection: in the 2026-07-28 era that is how a request is cancelled.
    func execute(_ request: HTTPUpstreamRequest) -> AsyncThrowingStream<HTTPResponsePart, any Error>

    /// Sends a request whose answer nobody waits for (a cancellation notice, an answer to a ping).
    /// It must go out even when the caller's task is being cancelled.
    func send(_ request: HTTPUpstreamRequest)

    /// Aborts every exchange and releases the connections.
    func shutdown()

    /// Whether the transport ends an exchange at `HTTPUpstreamRequest.deadline` by throwing
    /// `DeadlineReached`; otherwise the client bounds each call with a timer task of its own.
    var enforcesDeadlines: Bool { get }
}

extension HTTPUpstreamTransport {
    var enforcesDeadlines: Bool { false }
}

/// One request to the upstream URL.
struct HTTPUpstreamRequest: Sendable {
    var method: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]?
    /// How long the exchange may stay silent (no connection, no byte) before it fails.
    var idleTimeout: Duration
    /// When the whole call must have ended (only transports that `enforcesDeadlines` read it).
    var deadline: ContinuousClock.Instant?

    init(method: String, headers: [(name: String, value: String)], body: [UInt8]? = nil, idleTimeout: Duration) {
        self.method = method
        self.headers = headers
        self.body = body
        self.idleTimeout = idleTimeout
    }
}

/// A piece of a response, in arrival order.
enum HTTPResponsePart: Sendable {
    case head(HTTPResponseHead)
    case body([UInt8])
}

/// Status and headers of a response.
struct HTTPResponseHead: Sendable {
    var status: Int
    /// Header names in lower case.
    var headers: [String: String]

    init(status: Int, headers: [String: String]) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    /// The media type of `Content-Type`, lower case, without parameters.
    var mediaType: String? {
        header("content-type").map {
            String($0.split(separator: ";", maxSplits: 1).first ?? "").trimmingSpaces().lowercased()
        }
    }
}

/// Why an exchange failed below HTTP.
enum HTTPTransportError: Error, Sendable, CustomStringConvertible {
    /// No response head arrived: the connection (or TLS) could not be set up, or nothing was said in time.
    case connectFailed(String)
    /// The connection broke, or fell silent past the idle timeout, after the head arrived.
    case connectionLost(String)

    var description: String {
        switch self {
        case .connectFailed(let why), .connectionLost(let why): why
        }
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
