import Hummingbird

/// Ends a request that has not been answered within the configured time with 503 and the error shape of its
/// protocol (`code: "timeout"`), and cancels its handler.
///
/// The idle timeout closes a connection that sends nothing; this one also bounds a request whose body trickles in a
/// byte at a time, or that waits on a stalled database. Reading the body and waiting for the database stop at
/// cancellation, so the answer goes out promptly; the work done so far is rolled back (ingestion is all or nothing).
struct RequestTimeoutMiddleware: RouterMiddleware {
  typealias Context = BasicRequestContext
  let timeout: Duration

  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
    -> Response
  {
    let timeout = self.timeout
    return try await withoutActuallyEscaping(next) { next in
      let handler = UncheckedHandler(next: next)
      return try await withThrowingTaskGroup(of: Response?.self) { group in
        group.addTask { try await handler.next(request, context) }
        group.addTask {
          try await Task.sleep(for: timeout)
          return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        if let response = first { return response }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        return Responses.error(
          APIProtocol(path: request.uri.path), .serviceUnavailable, code: "timeout",
          message: "the request was not answered within \(UnitContext.decimalText(seconds)) s; retry",
          headers: [.retryAfter: "1"])
      }
    }
  }
}

/// The router's continuation, carried into the handler's child task.
///
/// The router calls it from whichever task runs the request; it is only used while the middleware waits for it.
private struct UncheckedHandler: @unchecked Sendable {
  let next: (Request, BasicRequestContext) async throws -> Response
}
