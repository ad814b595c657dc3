import Foundation

/// Runs `body` on a thread of its own and waits up to `seconds` for it to return: true when it did.
///
/// For tests of loops that once never ended: Swift Testing's `.timeLimit` cannot stop synchronous code, so a
/// regression would hang the whole run; with this the test fails instead (the stuck thread is left to the
/// process's exit).
public func finishes(within seconds: Double, _ body: @escaping @Sendable () -> Void) -> Bool {
  let done = DispatchSemaphore(value: 0)
  let thread = Thread {
    body()
    done.signal()
  }
  thread.stackSize = 8 << 20
  thread.start()
  return done.wait(timeout: .now() + seconds) == .success
}
