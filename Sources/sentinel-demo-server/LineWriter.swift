#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SentinelCore
import Synchronization

/// Writes whole lines to a file descriptor, one writer at a time.
///
/// Responses from concurrent requests share stdout; holding the lock across the whole
/// `write(2)` loop is what keeps two messages from interleaving within a line.
final class LineWriter: Sendable {
    private let descriptor: Int32
    private let lock = Mutex(())

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    static let standardOutput = LineWriter(descriptor: 1)
    static let standardError = LineWriter(descriptor: 2)

    /// Writes `message` (compact JSON, which never contains a raw newline) plus "\n".
    func write(_ message: RawJSON) {
        write(line: message.text)
    }

    /// Writes `line` plus "\n". Failures (a reader that went away) are dropped: there is no one to tell.
    func write(line: String) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        lock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return
                    }
                    offset += written
                }
            }
        }
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
