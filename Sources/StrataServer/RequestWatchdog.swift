import Hummingbird
import Synchronization

/// Cancels the tasks of requests that run past their deadline, with one timer for the whole service.
///
/// Each request's handler runs in a child task of the connection's task (``answer(_:_:_:)``), so that cancelling it
/// ends that request and not the connection, whose task then writes the 503. The child is started immediately
/// (SE-0472): it runs on the connection's thread until it first suspends, so a request that never waits (an
/// evaluation whose body has arrived) costs no hop to the global executor and back; a per-request child started the
/// ordinary way was enqueued behind the other connections' work and cost two thread hops.
///
/// A request registers its task on entry and deregisters it before it returns. One background task sleeps until the
/// oldest registered deadline (every deadline is its request's start plus the same timeout, so the oldest request
/// always holds the earliest one), cancels the tasks whose deadline has passed and marks them timed out. A timer per
/// request (`Task.sleep` in a second child task) cost a dispatch timer, two thread hops and a cancellation each, a
/// quarter of a single-flag evaluation's server time; this costs two uncontended lock operations.
final class RequestWatchdog: Sendable {
  /// A registered request: its deadline, its task, and whether the watchdog cancelled it.
  private struct Entry {
    var deadline: ContinuousClock.Instant
    var task: TaskHandle
    var timedOut = false
  }

  /// A request's task, cancelled from the watchdog's task: only while the request is registered (it deregisters,
  /// under the same lock, before its task can end).
  private struct TaskHandle: @unchecked Sendable {
    let task: UnsafeCurrentTask
  }

  private struct State {
    var next: UInt64 = 0
    var entries: [UInt64: Entry] = [:]
    var running = false
  }

  let timeout: Duration
  private let state = Mutex(State())

  init(timeout: Duration) {
    self.timeout = timeout
  }

  /// Runs the router's continuation for a request in an immediately started child task, under the deadline; returns
  /// its response (or error) and whether it timed out.
  func answer(
    _ request: Request, _ context: BasicRequestContext,
    _ next: (Request, BasicRequestContext) async throws -> Response
  ) async -> (result: Result<Response, any Error>, timedOut: Bool) {
    await withoutActuallyEscaping(next) { next in
      let handler = UncheckedHandler(next: next)
      return await withTaskGroup(of: TimedResponse.self) { group in
        let child: @Sendable () async -> TimedResponse = {
          let (result, timedOut) = await self.run { try await handler.next(request, context) }
          return TimedResponse(result: result, timedOut: timedOut)
        }
        // An immediate task (SE-0472, Swift 6.2; on Apple platforms from macOS 26) saves two thread hops per request;
        // older compilers and systems start an ordinary child task, with the same behaviour.
        #if compiler(>=6.2)
          if #available(macOS 26, iOS 26, tvOS 26, watchOS 26, visionOS 26, *) {
            group.addImmediateTask(operation: child)
          } else {
            group.addTask(operation: child)
          }
        #else
          group.addTask(operation: child)
        #endif
        // The group holds exactly one child, so it yields exactly one result.
        guard let first = await group.next() else { return (.failure(CancellationError()), false) }
        return (first.result, first.timedOut)
      }
    }
  }

  /// Runs `operation` in the current task, cancelling the task if it passes its deadline; returns its result (or
  /// error) and whether it timed out.
  ///
  /// The current task must end with the request (a child task of the request's handler): cancellation is final.
  func run<T: Sendable>(_ operation: () async throws -> T) async -> (result: Result<T, any Error>, timedOut: Bool) {
    let ticket = withUnsafeCurrentTask { task -> UInt64? in
      guard let task else { return nil }
      return register(TaskHandle(task: task))
    }
    let result: Result<T, any Error>
    do {
      result = .success(try await operation())
    } catch {
      result = .failure(error)
    }
    guard let ticket else { return (result, false) }
    let timedOut = state.withLock { $0.entries.removeValue(forKey: ticket)?.timedOut ?? false }
    return (result, timedOut)
  }

  private func register(_ task: TaskHandle) -> UInt64 {
    let deadline = ContinuousClock.now + timeout
    let (ticket, start) = state.withLock { state -> (UInt64, Bool) in
      let ticket = state.next
      state.next += 1
      state.entries[ticket] = Entry(deadline: deadline, task: task)
      let start = !state.running
      state.running = true
      return (ticket, start)
    }
    if start { startWatching() }
    return ticket
  }

  /// The background loop; it ends when no request is registered (the next registration starts it again).
  private func startWatching() {
    Task.detached { [weak self] in
      while let wake = self?.sweep() {
        try? await Task.sleep(until: wake, clock: .continuous)
      }
    }
  }

  /// Cancels every request past its deadline; returns when to look again, or nil (and stops) when none is waiting.
  private func sweep() -> ContinuousClock.Instant? {
    let now = ContinuousClock.now
    return state.withLock { state -> ContinuousClock.Instant? in
      var earliest: ContinuousClock.Instant?
      for (ticket, entry) in state.entries where !entry.timedOut {
        if entry.deadline <= now {
          // The request deregisters under this lock before its task ends, so its task is alive here.
          entry.task.task.cancel()
          state.entries[ticket]?.timedOut = true
        } else if earliest.map({ entry.deadline < $0 }) ?? true {
          earliest = entry.deadline
        }
      }
      guard let earliest else {
        state.running = false
        return nil
      }
      return earliest
    }
  }
}

/// A handler's outcome and whether the watchdog cancelled it.
private struct TimedResponse: Sendable {
  var result: Result<Response, any Error>
  var timedOut: Bool
}

/// The router's continuation, carried into the handler's child task.
///
/// The router calls it from whichever task runs the request; it is only used while ``RequestWatchdog/answer(_:_:_:)``
/// waits for it.
private struct UncheckedHandler: @unchecked Sendable {
  let next: (Request, BasicRequestContext) async throws -> Response
}
