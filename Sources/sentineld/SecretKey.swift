import Foundation
import SentinelCrypto

#if canImport(Glibc)
import Glibc
#endif

/// The key that seals secrets at rest (AES-256-GCM).
///
/// From the systemd credential `sentinel.key` (`$CREDENTIALS_DIRECTORY/sentinel.key`, set
/// with `LoadCredential=`) when present, else a key file `secret.key` in the state
/// directory, generated on first start with mode 0600. The key never enters the database.
/// A key is 32 raw bytes, or 64 hex digits (with an optional trailing newline).
enum SecretKey {
    static func load(stateDirectory: String, environment: [String: String]) throws -> SecretBox {
        if let credentials = environment["CREDENTIALS_DIRECTORY"],
            FileManager.default.fileExists(atPath: credentials + "/sentinel.key")
        {
            return try box(fromFile: credentials + "/sentinel.key")
        }
        let path = stateDirectory + "/secret.key"
        if !FileManager.default.fileExists(atPath: path) {
            let key = SecretBox.generateKey()
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                throw DaemonStartupError(description: "cannot create \(path): \(String(cString: strerror(errno)))")
            }
            let written = key.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            close(descriptor)
            guard written == key.count else { throw DaemonStartupError(description: "cannot write \(path)") }
        }
        return try box(fromFile: path)
    }

    /// Whether the key comes from the systemd credential (which sentineld cannot rewrite).
    static func fromCredential(_ environment: [String: String]) -> Bool {
        guard let credentials = environment["CREDENTIALS_DIRECTORY"] else { return false }
        return FileManager.default.fileExists(atPath: credentials + "/sentinel.key")
    }

    /// A new key for rotation, and the step that makes it the key file: the old key is kept as
    /// `secret.key.previous` (used at start if the database still needs it, see `Daemon.openStore`).
    static func next(stateDirectory: String) throws -> (box: SecretBox, persist: @Sendable () throws -> Void) {
        let key = SecretBox.generateKey()
        let path = stateDirectory + "/secret.key"
        let staged = path + ".new"
        unlink(staged)
        let descriptor = open(staged, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw DaemonStartupError(description: "cannot create \(staged): \(String(cString: strerror(errno)))") }
        let written = key.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == key.count, synced == 0 else { throw DaemonStartupError(description: "cannot write \(staged)") }
        let box = try SecretBox(key: key)
        return (box, {
            guard rename(path, path + ".previous") == 0, rename(staged, path) == 0 else {
                throw DaemonStartupError(description: "cannot replace \(path): \(String(cString: strerror(errno)))")
            }
        })
    }

    static func box(fromFile path: String) throws -> SecretBox {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DaemonStartupError(description: "cannot read the secret key \(path)")
        }
        var bytes = Array(data)
        if bytes.count != 32 {
            let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let pairs = stride(from: 0, to: text.count, by: 2).map { offset -> UInt8? in
                let start = text.index(text.startIndex, offsetBy: offset)
                let end = text.index(start, offsetBy: 2, limitedBy: text.endIndex) ?? text.endIndex
                return UInt8(text[start..<end], radix: 16)
            }
            guard text.count == 64, pairs.allSatisfy({ $0 != nil }) else {
                throw DaemonStartupError(description: "\(path) must hold 32 bytes or 64 hex digits")
            }
            bytes = pairs.compactMap { $0 }
        }
        do {
            return try SecretBox(key: bytes)
        } catch {
            throw DaemonStartupError(description: "\(path): \(error)")
        }
    }
}
