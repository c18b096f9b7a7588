import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// Outbound HTTP for the authorization plane (client metadata documents, upstream OAuth): no redirects, at most
/// `limit` bytes of body (the transfer is cancelled beyond it, not read to the end), and a deadline for the whole
/// exchange rather than only between packets.
enum BoundedFetch {
    struct TooLarge: Error, CustomStringConvertible {
        var limit: Int
        var description: String { "the answer is larger than \(limit) bytes" }
    }

    struct TimedOut: Error, CustomStringConvertible {
        var seconds: TimeInterval
        var description: String { "no complete answer within \(Int(seconds)) s" }
    }

    static func fetch(_ request: URLRequest, limit: Int, deadline: TimeInterval) async throws -> (Data, HTTPURLResponse) {
        let collector = Collector(limit: limit)
        let session = URLSession(configuration: .ephemeral, delegate: collector, delegateQueue: nil)
        defer { session.invalidateAndCancel() }
        let task = session.dataTask(with: request)
        return try await withThrowingTaskGroup(of: (Data, HTTPURLResponse).self) { group in
            group.addTask {
                try await withTaskCancellationHandler {
                    try await withCheckedThrowingContinuation { continuation in
                        collector.start(continuation)
                        task.resume()
                    }
                } onCancel: {
                    task.cancel()
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(deadline))
                throw TimedOut(seconds: deadline)
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw TimedOut(seconds: deadline) }
            return first
        }
    }

    /// Collects the body and finishes the waiting continuation once.
    final class Collector: NSObject, URLSessionDataDelegate, @unchecked Sendable {
        struct State {
            var data = Data()
            var response: HTTPURLResponse?
            var continuation: CheckedContinuation<(Data, HTTPURLResponse), any Error>?
            var failure: (any Error)?
        }

        let limit: Int
        let state = Mutex(State())

        init(limit: Int) {
            self.limit = limit
        }

        func start(_ continuation: CheckedContinuation<(Data, HTTPURLResponse), any Error>) {
            state.withLock { $0.continuation = continuation }
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
            state.withLock { $0.response = response as? HTTPURLResponse }
            completionHandler(.allow)
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            let tooLarge = state.withLock { state -> Bool in
                state.data.append(data)
                if state.data.count > limit {
                    state.failure = TooLarge(limit: limit)
                    return true
                }
                return false
            }
            if tooLarge { dataTask.cancel() }
        }

        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
            newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
        ) {
            completionHandler(nil)
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
            let (continuation, result) = state.withLock { state -> (CheckedContinuation<(Data, HTTPURLResponse), any Error>?, Result<(Data, HTTPURLResponse), any Error>) in
                defer { state.continuation = nil }
                if let failure = state.failure { return (state.continuation, .failure(failure)) }
                if let error { return (state.continuation, .failure(error)) }
                guard let response = state.response else { return (state.continuation, .failure(URLError(.badServerResponse))) }
                return (state.continuation, .success((state.data, response)))
            }
            continuation?.resume(with: result)
        }
    }
}
