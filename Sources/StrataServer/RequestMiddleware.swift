import Hummingbird
import Logging

/// The one middleware every request passes: it answers a request not answered within the configured time with 503
/// (`code: "timeout"`, in the error shape of its protocol) and cancels its handler, turns any error that escapes a
/// handler (an unknown route, a wrong method, a bug) into the error shape of the path's protocol (a client never sees
/// a stack trace), and counts and times every request by route pattern, never by raw path.
///
/// One middleware rather than two: each layer of the router's chain is a closure call and an `async` frame per
/// request, paid by every evaluation.
///
/// The timeout also bounds a request whose body trickles in a byte at a time, or that waits on a stalled or silent
/// database (the idle timeout only closes a connection that sends nothing). Reading the body and waiting for the
/// database stop at cancellation (a PostgreSQL query in flight by closing its connection:
/// ``PostgresStore/withConnection(_:)``), so the answer goes out promptly; the work done so far is rolled back
/// (ingestion is all or nothing), unless the `COMMIT` was already sent: a write's 503 says that it may or may not have
/// been made, and why repeating it is safe.
struct RequestMiddleware: RouterMiddleware {
  typealias Context = BasicRequestContext
  let metrics: ServiceMetrics
  let logger: Logger
  let watchdog: RequestWatchdog

  init(metrics: ServiceMetrics, logger: Logger, timeout: Duration) {
    self.metrics = metrics
    self.logger = logger
    watchdog = RequestWatchdog(timeout: timeout)
  }

  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
    -> Response
  {
    let start = ContinuousClock.now
    let (result, timedOut) = await watchdog.answer(request, context, next)
    let response: Response
    if timedOut {
      response = timeoutResponse(request)
    } else {
      switch result {
      case .success(let answer): response = answer
      case .failure(let error): response = errorResponse(error, request)
      }
    }
    let route = context.endpointPath ?? "unmatched"
    metrics.request(route: route, status: response.status.code, duration: ContinuousClock.now - start)
    if response.status.code >= 500 {
      logger.error(
        "request answered with a server error", metadata: ["route": "\(route)", "status": "\(response.status.code)"])
    } else if logger.logLevel <= .debug {
      logger.debug(
        "request",
        metadata: [
          "method": "\(request.method)", "route": "\(route)", "status": "\(response.status.code)",
          "microseconds": "\((ContinuousClock.now - start).components.attoseconds / 1_000_000_000_000)",
        ])
    }
    return response
  }

  /// 503 `timeout` with `Retry-After: 1`; for a write, with its sentence saying it may or may not have been made
  /// (``StrataService/unconfirmed(path:)``).
  private func timeoutResponse(_ request: Request) -> Response {
    let timeout = watchdog.timeout
    let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
    let path = request.uri.path
    let late = "the request was not answered within \(UnitContext.decimalText(seconds)) s"
    return Responses.error(
      APIProtocol(path: path), .serviceUnavailable, code: "timeout",
      message: StrataService.unconfirmed(path: path).map { "\(late): \($0)" } ?? "\(late); retry",
      headers: [.retryAfter: "1"])
  }

  /// The answer to an error that escaped the handler.
  private func errorResponse(_ error: any Error, _ request: Request) -> Response {
    let path = request.uri.path
    guard let error = error as? HTTPError else {
      logger.error("request failed", metadata: ["path": "\(path)", "error": "\(String(reflecting: error))"])
      return Responses.error(
        APIProtocol(path: path), .internalServerError, code: "internal",
        message: "an internal error occurred; it has been logged")
    }
    let status = error.status
    if status == .notFound && path.hasPrefix(StrataService.flagPathPrefix) {
      // An unroutable flag key (empty, or with an encoded "/"): OFREP's FLAG_NOT_FOUND shape.
      let key = String(path.dropFirst(StrataService.flagPathPrefix.count))
      return Responses.json(
        .notFound,
        .object([
          ("key", .string(key)), ("errorCode", .string("FLAG_NOT_FOUND")),
          ("errorDetails", .string("flag \"\(key)\" is not an experiment in the catalog")),
        ]))
    }
    let code = status == .notFound ? "not_found" : status == .methodNotAllowed ? "method_not_allowed" : "bad_request"
    let message =
      status == .notFound
      ? "no such endpoint: \(request.method) \(path)"
      : status == .methodNotAllowed ? "\(request.method) is not allowed on \(path)" : status.reasonPhrase
    return Responses.error(APIProtocol(path: path), status, code: code, message: message)
  }
}
