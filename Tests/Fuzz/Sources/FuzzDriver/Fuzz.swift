#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer's entry point for programs that have their own `main` (from `libclang_rt.fuzzer_no_main`).
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// What every fuzz target shares: starting libFuzzer, and cutting an input into chunks.
public enum Fuzz {
    /// Runs libFuzzer on `target` with the process's arguments (corpus directories, `-max_total_time=`, input
    /// files to replay...) and exits with its status. A broken invariant must crash (`precondition`).
    public static func run(_ target: @escaping @Sendable ([UInt8]) -> Void) -> Never {
        Target.current = target
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, count in
            let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
            Target.current?(bytes)
            return 0
        }
        exit(status)
    }

    /// The target, for the C callback that cannot capture it.
    private enum Target {
        nonisolated(unsafe) static var current: (@Sendable ([UInt8]) -> Void)?
    }

    /// `bytes` cut into pieces whose lengths come from `seed` (1 to 16 bytes each, with an empty piece now
    /// and then), so a decoder fed piece by piece meets every split point a network read can make.
    public static func chunks(_ bytes: [UInt8], seed: UInt8) -> [[UInt8]] {
        var state = UInt32(seed) &* 2_654_435_761 | 1
        var pieces: [[UInt8]] = []
        var start = 0
        while start < bytes.count {
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            let length = state % 11 == 0 ? 0 : Int(state % 16) + 1
            let end = min(bytes.count, start + length)
            pieces.append(Array(bytes[start..<end]))
            start = end
        }
        return pieces
    }

    /// `bytes` one byte at a time.
    public static func bytewise(_ bytes: [UInt8]) -> [[UInt8]] {
        bytes.map { [$0] }
    }

    /// Splits a fuzz input into a leading control byte (0 when empty) and the rest.
    public static func split(_ bytes: [UInt8]) -> (control: UInt8, rest: [UInt8]) {
        (bytes.first ?? 0, Array(bytes.dropFirst()))
    }
}

/// Stops the run, with `message`, when an invariant does not hold (unlike `precondition`, whose message is
/// dropped in optimized builds); libFuzzer then saves the input as a crash.
public func invariant(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !condition { fatalError(message(), file: file, line: line) }
}

/// Stops the run with `message`; see `invariant`.
public func invariantFailure(_ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) -> Never {
    fatalError(message(), file: file, line: line)
}
