#if canImport(Glibc)
import Glibc
#endif

/// The process's open-file limit (RLIMIT_NOFILE).
///
/// The soft limit is raised to the hard one at start: systemd (and most shells) hand out a soft limit of 1024 for
/// the sake of programs that still use select(2), which sentineld does not; the unit's `LimitNOFILE=` sets the
/// hard one. Stdio upstream children inherit the raised limit.
enum DescriptorLimit {
    /// Raises the soft limit to the hard limit where possible; returns the soft limit in force afterwards.
    static func raiseToHardLimit() -> (soft: Int, raisedFrom: Int?) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (1024, nil) }
        let before = limit.rlim_cur
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 {
                limit = raised
            }
        }
        let soft = limit.rlim_cur == rlim_t.max ? Int.max : Int(clamping: limit.rlim_cur)
        return (soft, limit.rlim_cur != before ? Int(clamping: before) : nil)
    }
}
