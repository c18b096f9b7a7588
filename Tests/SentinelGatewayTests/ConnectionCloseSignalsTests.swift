import NIOCore
import NIOEmbedded
import SentinelCore
import Testing
@testable import SentinelGateway

struct ConnectionCloseSignalsTests {
    @Test func oneSignalPerConnectionFiresOnCloseAndIsForgotten() throws {
        let signals = ConnectionCloseSignals()
        let channel = EmbeddedChannel()
        let first = signals.signal(for: channel)
        #expect(signals.signal(for: channel) === first, "requests on one connection share its signal")
        #expect(signals.count == 1)
        let otherChannel = EmbeddedChannel()
        let other = signals.signal(for: otherChannel)
        #expect(other !== first)
        _ = try channel.finish()  // closes the embedded channel
        channel.embeddedEventLoop.run()
        #expect(first.hasFired)
        #expect(!other.hasFired)
        #expect(signals.count == 1, "a closed connection's signal is dropped")
        _ = try otherChannel.finish()
    }

    @Test func actionsRunOnceAndRemovedActionsNever() {
        let signal = OneShotSignal()
        let counter = Counter()
        let kept = signal.onFire { counter.add() }
        let dropped = signal.onFire { counter.add(100) }
        #expect(kept != nil)
        signal.removeAction(dropped!)
        signal.fire()
        signal.fire()
        #expect(counter.value == 1)
        #expect(signal.onFire { counter.add(10) } == nil, "an action on a fired signal runs at once")
        #expect(counter.value == 11)
    }
}

final class Counter: @unchecked Sendable {
    private(set) var value = 0
    func add(_ amount: Int = 1) { value += amount }
}
