#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Newline-delimited lines from standard input.
enum StandardInputReader {
    /// Lines (without their "\n") read on a dedicated thread; the stream ends at EOF.
    ///
    /// `read(2)` blocks, and a blocked cooperative-pool thread would starve concurrent
    /// requests on a small machine, so reading lives on its own OS thread.
    static func lines(descriptor: Int32 = 0) -> AsyncStream<Data> {
        let (stream, continuation) = AsyncStream<Data>.makeStream(bufferingPolicy: .unbounded)
        let thread = Thread {
            var pending = Data()
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR { continue }
                    break
                }
                if count == 0 { break }
                var start = 0
                while let newline = chunk[start..<count].firstIndex(of: 0x0A) {
                    pending.append(contentsOf: chunk[start..<newline])
                    continuation.yield(pending)
                    pending = Data()
                    start = newline + 1
                }
                pending.append(contentsOf: chunk[start..<count])
            }
            if !pending.isEmpty { continuation.yield(pending) }
            continuation.finish()
        }
        thread.name = "stdin-reader"
        thread.start()
        return stream
    }
}

#if canImport(Glibc)
private let systemRead = Glibc.read
#elseif canImport(Darwin)
private let systemRead = Darwin.read
#endif
