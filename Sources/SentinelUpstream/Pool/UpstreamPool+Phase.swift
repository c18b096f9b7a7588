extension UpstreamPool {
    /// Where an entry's client is in its life.
    enum Phase {
        case stopped
        case starting(StartWaitlist)
        case ready
    }
}
