import Hummingbird

/// Ends a request that has not been answered within the configured time with 503 and the error shape of its
/// protocol (`code: "timeout"`), and cancels its handler.
///
/// The idle timeout closes a connection that sends nothing; this one also bounds a request whose body trickles in a
/// byte at a time, or that waits on a stalled database. Reading the body and waiting for the database stop at
/// cancellation, so the answer goes out promptly; the work done so far is rolled back (ingestion is all or nothing).
struct RequestTimeoutMiddleware: RouterMiddleware {
  typealias Context = BasicRequestContext
  let watchdog: RequestWatchdog

  init(timeout: Duration) {
    watchdog = RequestWatchdog(timeout: timeout)
  }

  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
    -> Response
  {
    let watchdog = self.watchdog
    let (result, timedOut) = try await withoutActuallyEscaping(next) { next in
      let handler = UncheckedHandler(next: next)
      // A child task, so that the watchdog's cancellation ends with this request and not the connection's task.
      return try await withThrowingTaskGroup(of: TimedResponse.self) { group in
        group.addTask {
          let (result, timedOut) = await watchdog.run { try await handler.next(request, context) }
          return TimedResponse(result: result, timedOut: timedOut)
        }
        guard let first = try await group.next() else { throw CancellationError() }
        return (first.result, first.timedOut)
      }
    }
    guard timedOut else { return try result.get() }
    let timeout = watchdog.timeout
    let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
    return Responses.error(
      APIProtocol(path: request.uri.path), .serviceUnavailable, code: "timeout",
      message: "the request was not answered within \(UnitContext.decimalText(seconds)) s; retry",
      headers: [.retryAfter: "1"])
  }
}

/// A handler's outcome and whether the watchdog cancelled it.
private struct TimedResponse: Sendable {
  var result: Result<Response, any Error>
  var timedOut: Bool
}

/// The router's continuation, carried into the handler's child task.
///
/// The router calls it from whichever task runs the request; it is only used while the middleware waits for it.
private struct UncheckedHandler: @unchecked Sendable {
  let next: (Request, BasicRequestContext) async throws -> Response
}
