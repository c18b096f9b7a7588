extension Double {
    /// The number as people write it: "2" rather than "2.0", "0.5" as is.
    var plainText: String {
        if rounded() == self, abs(self) < 1e15 { return String(Int64(self)) }
        return String(self)
    }
}
