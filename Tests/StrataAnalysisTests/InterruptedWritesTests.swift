import Testing

@testable import StrataAnalysis

/// A signal handler on another thread may hold a registered path's pointer while the write ends and
/// unregisters it: once a handler has started, no registered string is freed (it would unlink whatever the
/// freed memory came to hold).
@Suite("Interrupted writes: registered paths")
struct InterruptedWritesTests {
  @Test("a string is freed when no handler has started, kept once one has")
  func keptOnceInterrupted() throws {
    // Before: freed on unregister (the process's other writes run in parallel; they only register).
    let before = try #require(InterruptedWrites.register("/nonexistent/strata-test-before.tmp"))
    #expect(InterruptedWrites.unregister(before))
    InterruptedWrites.markInterruptedForTesting()
    let after = try #require(InterruptedWrites.register("/nonexistent/strata-test-after.tmp"))
    #expect(!InterruptedWrites.unregister(after))
  }
}
