import HTTPTypes
import Hummingbird
import NIOCore

/// Collects a response body (batch elements are answered in one JSON array).
final class ByteCollector: ResponseBodyWriter, @unchecked Sendable {
    var bytes: [UInt8] = []

    func write(_ buffer: ByteBuffer) async throws {
        bytes += buffer.readableBytesView
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
