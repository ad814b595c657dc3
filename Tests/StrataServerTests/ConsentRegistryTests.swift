import Testing

@testable import StrataServer

/// ``ConsentRegistry``'s ordering: whatever order this server's answers and the polls of the store arrive in, the
/// registry ends with the state of the highest audit sequence of each unit, as the store's `consent` table does.
@Suite struct ConsentRegistryTests {
  func registry() -> (ConsentRegistry, String) {
    let registry = ConsentRegistry()
    let key = AuditKey(bytes: Array(repeating: 7, count: 32))
    registry.open(key: key)
    return (registry, key.hash(unit: "u-1"))
  }

  /// A withdrawal applied late never undoes a newer grant a poll has read.
  ///
  /// The withdrawal (sequence 10) is answered here after a grant of the same unit (11, another request or server) was
  /// committed and read back by a poll: the store says granted, and so must the registry. Before, the poll forgot the
  /// settled grant and the late withdrawal refused the unit for good (no later poll reads the unit again).
  @Test func aLateLocalStateNeverUndoesANewerPolledOne() {
    let (registry, unit) = registry()
    registry.apply([ConsentState(unit: unit, granted: true, sequence: 11)], polled: true)
    registry.apply([ConsentState(unit: unit, granted: false, sequence: 10)], polled: false)
    #expect(!registry.isRefused(unit: "u-1"))

    // The same with the grant answered here first, then polled, then the late withdrawal.
    let (other, hash) = self.registry()
    other.apply([ConsentState(unit: hash, granted: true, sequence: 11)], polled: false)
    other.apply([ConsentState(unit: hash, granted: true, sequence: 11)], polled: true)
    other.apply([ConsentState(unit: hash, granted: false, sequence: 10)], polled: false)
    #expect(!other.isRefused(unit: "u-1"))
  }

  /// Newer states always apply, from either side; older ones never do.
  @Test func theHighestSequenceWins() {
    let (registry, unit) = registry()
    registry.apply([ConsentState(unit: unit, granted: false, sequence: 3)], polled: false)
    #expect(registry.isRefused(unit: "u-1"))
    registry.apply([ConsentState(unit: unit, granted: true, sequence: 2)], polled: false)
    #expect(registry.isRefused(unit: "u-1"))  // older, answered late
    registry.apply([ConsentState(unit: unit, granted: true, sequence: 4)], polled: true)
    #expect(!registry.isRefused(unit: "u-1"))
    registry.apply([ConsentState(unit: unit, granted: false, sequence: 5)], polled: false)
    #expect(registry.isRefused(unit: "u-1"))  // newer than anything polled: applies at once
    registry.apply([ConsentState(unit: unit, granted: false, sequence: 5)], polled: true)
    registry.apply([ConsentState(unit: unit, granted: true, sequence: 6)], polled: true)
    #expect(!registry.isRefused(unit: "u-1"))
  }
}
