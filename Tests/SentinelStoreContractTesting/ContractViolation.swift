/// A backend broke a rule of the store's contract.
public struct ContractViolation: Error, CustomStringConvertible {
    public let message: String
    public let file: String
    public let line: Int

    public var description: String { "\(file):\(line): \(message)" }
}

/// Throws when `condition` is false.
func expect(_ condition: Bool, _ message: @autoclosure () -> String, file: String = #fileID, line: Int = #line) throws {
    guard !condition else { return }
    throw ContractViolation(message: message(), file: file, line: line)
}

/// Throws when `actual` differs from `expected`.
func expectEqual<Value: Equatable>(
    _ actual: Value, _ expected: Value, _ what: @autoclosure () -> String = "", file: String = #fileID, line: Int = #line
) throws {
    try expect(actual == expected, "\(what()): expected \(expected), got \(actual)", file: file, line: line)
}

/// Throws unless `body` throws exactly `expected`.
func expectError<Failure: Error & Equatable>(
    _ expected: Failure, file: String = #fileID, line: Int = #line, _ body: () async throws -> some Any
) async throws {
    do {
        _ = try await body()
    } catch let error as Failure {
        try expect(error == expected, "expected \(expected), got \(error)", file: file, line: line)
        return
    } catch {
        throw ContractViolation(message: "expected \(expected), got \(error)", file: file, line: line)
    }
    throw ContractViolation(message: "expected \(expected), got success", file: file, line: line)
}
