/// Byte-buffer access that never hands OpenSSL a null pointer.
extension Array where Element == UInt8 {
    /// Calls `body` with a non-null pointer to the array's bytes and their count.
    ///
    /// Some OpenSSL entry points reject a null pointer even for a zero length,
    /// and an empty Swift array may expose a nil base address; for an empty
    /// array this passes a pointer to a private byte together with a count of 0.
    func withNonNullPointer<Result, Failure: Error>(
        _ body: (UnsafePointer<UInt8>, Int) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        if isEmpty {
            return try Self.placeholder.withUnsafeBufferPointer { (buffer) throws(Failure) -> Result in
                try body(buffer.baseAddress!, 0)
            }
        }
        return try withUnsafeBufferPointer { (buffer) throws(Failure) -> Result in
            try body(buffer.baseAddress!, buffer.count)
        }
    }

    private static var placeholder: [UInt8] { [0] }
}

extension Array where Element == UInt8 {
    /// Calls `body` with a non-null mutable pointer to the array's bytes.
    ///
    /// For an empty array the pointer addresses a private scratch byte that
    /// `body` must not rely on; the array itself is unchanged.
    mutating func withNonNullMutablePointer<Result, Failure: Error>(
        _ body: (UnsafeMutablePointer<UInt8>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        if isEmpty {
            var scratch: [UInt8] = [0]
            return try scratch.withUnsafeMutableBufferPointer { (buffer) throws(Failure) -> Result in
                try body(buffer.baseAddress!)
            }
        }
        return try withUnsafeMutableBufferPointer { (buffer) throws(Failure) -> Result in
            try body(buffer.baseAddress!)
        }
    }
}
