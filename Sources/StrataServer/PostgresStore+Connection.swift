import Foundation
import Logging
import PostgresNIO
import StrataWarehouse
import Synchronization

/// How ``PostgresStore`` gets its connections: every call of the store goes through ``withConnection(_:)``, which
/// waits at most ``PostgresStore/connectionWait`` for a connection from the pool, and stops waiting for the call's
/// body when the calling task is cancelled.
///
/// Without the deadline, a call made while PostgreSQL is gone waits as long as postgres-nio's pool keeps trying to
/// reconnect (about a minute, until its circuit breaker trips): the request waited for the whole `--request-timeout`
/// instead of failing at once. The deadline covers only getting the connection: once the body has started, this
/// deadline never cuts it (a transaction is never cut between its `COMMIT` and the answer by it), and when the deadline
/// has passed the body never starts.
///
/// A postgres-nio query does not end when its task is cancelled: it waits for PostgreSQL's answer. When PostgreSQL is
/// silent (its processes stopped, or a network cut that drops packets without a reset) the pooled connection still
/// looks open, and a call handed it waited with no limit: the request watchdog (`--request-timeout`) cancelled the
/// request, but its 503 went out only when the handler returned, and SIGTERM waited for it. So a cancelled call closes
/// its connection (PostgreSQL rolls back an open transaction when it sees the close; the pool opens another
/// connection) and returns `CancellationError` at once, without waiting for the body: postgres-nio fails the query in
/// flight when its connection closes, but a query sent on a closed connection is never answered (seen: a call the
/// pool handed a connection closed a moment before hung until the process was killed), and a body may send one after
/// the close (postgres-nio's `withTransaction` sends `ROLLBACK` when its closure fails). The body runs in a task of its
/// own for that reason; a body left behind holds no lease and can write nothing. When the cancellation comes after the
/// `COMMIT` was sent, whether the transaction committed is unknown: the callers' 503 sentences say so.
///
/// A connection the server closes in the middle of a call (between two statements: its idle-in-transaction limit, an
/// administrator's `pg_terminate_backend`, a restart) is the same hole from the other side: the body's next statement
/// went to the closed connection and was never answered, so the request waited for its `--request-timeout`. The body
/// gets a ``StoreConnection``, whose statements fail at once on a closed connection (the call throws, the request gets
/// the store's 503, the pool replaces the connection).
extension PostgresStore {
  /// The default of ``connectionWait`` (`strata serve --database-timeout`).
  public static let defaultConnectionWait: Duration = .seconds(5)

  /// The default bound on how long PostgreSQL keeps one of the store's transactions open waiting for its next
  /// statement (`strata serve --database-transaction-idle-timeout`; ``idleLimitSetting(_:)``).
  public static let defaultTransactionIdleLimit: Duration = .seconds(30)

  /// How long `audit verify` and `looks --database` wait for PostgreSQL, for a connection and for the whole command
  /// alike: they have no `--database-timeout`, and waited this long before that option came (993609d).
  static let oneShotWait: Duration = .seconds(30)

  /// The store of a one-shot command (`audit verify`, `looks --database`): a connection wait of ``oneShotWait``, and no
  /// option named when it passes.
  ///
  /// `idleLimitAtStartup`: whether the server took the idle bound as a start-up parameter
  /// (``checkConnection(_:idleLimit:logger:)``).
  static func oneShotStore(
    _ location: PostgresLocation, logger: Logger, idleLimitAtStartup: Bool = true
  ) throws(StoreLocationError) -> PostgresStore {
    try PostgresStore(
      location: location, logger: logger, connectionWait: oneShotWait, idleLimitAtStartup: idleLimitAtStartup)
  }

  /// The longest the body of each call made by the current task may run (nil: no limit), set by the service's pollers
  /// (consent changes, definition and keys reloads: `--request-timeout`; live totals: that, but at least 5 minutes).
  ///
  /// Requests have the request watchdog; the pollers are not requests, and a poll handed a connection to a silent
  /// PostgreSQL (its processes stopped, or a network cut that drops packets) waited until PostgreSQL answered: after a
  /// cut whose connections never come back, for good, while consent changes made by other servers and keys-file and
  /// definition changes went unapplied. A call past this limit is ended as a cancelled one is (its connection closed,
  /// PostgreSQL rolls back what it had open) and throws ``PostgresCallTimedOut``; the next poll tries again.
  @TaskLocal static var callLimit: Duration?

  /// Runs `body` on a pooled connection; throws ``PostgresUnavailable`` when none is had within ``connectionWait``,
  /// ``PostgresCallTimedOut`` when `body` runs past ``callLimit``, and `CancellationError` as soon as the calling task
  /// is cancelled (closing the connection if `body` had started).
  func withConnection<Result: Sendable>(
    _ body: @escaping @Sendable (StoreConnection) async throws -> Result
  ) async throws -> Result {
    let race = LeaseRace()
    let client = self.client
    let place = self.place
    let wait = connectionWait
    let limit = PostgresStore.callLimit
    let unavailable = PostgresUnavailable(place: place, wait: wait, option: connectionWaitOption)
    return try await withThrowingTaskGroup(of: Result?.self) { group in
      group.addTask {
        try await client.withConnection { connection in
          // The deadline passed while the pool was handing this connection over: the caller has its answer.
          guard race.connect() else { throw unavailable }
          // A connection closed by a cancelled call can be handed out again before the pool has seen it close; a query
          // sent on it would never be answered.
          guard !connection.isClosed else { throw PostgresConnectionClosed(place: place) }
          return try await PostgresStore.run(body, on: connection, limit: limit.map { (place, $0) })
        }
      }
      group.addTask {
        try await Task.sleep(for: wait)
        guard race.expire() else { return nil }  // connected in time: the body runs to its end
        throw unavailable
      }
      defer { group.cancelAll() }
      while let result = try await group.next() {
        if let value = result { return value }
      }
      throw unavailable  // not reached: one of the two tasks returns a value or throws
    }
  }

  /// Runs `body` on `connection` in a task of its own and returns its result; when the calling task is cancelled
  /// first, or `limit` (the place, for the sentence, and the time) passes first, closes the connection, waits for the
  /// close (so that the connection, back in the pool, reads as closed) and throws `CancellationError` (or
  /// ``PostgresCallTimedOut``) without waiting for `body`.
  private static func run<Result: Sendable>(
    _ body: @escaping @Sendable (StoreConnection) async throws -> Result, on connection: PostgresConnection,
    limit: (place: String, time: Duration)?
  ) async throws -> Result {
    let outcome = BodyOutcome<Result>()
    let task = Task {
      do {
        outcome.finish(.success(try await body(StoreConnection(connection: connection))))
      } catch {
        outcome.finish(.failure(error))
      }
    }
    // Only when the body has not finished first (a connection whose call succeeded goes back to the pool open). Not
    // graceful: a graceful close waits for the query in flight, which may never be answered.
    let abandon: @Sendable (any Error) -> Void = { error in
      guard outcome.finish(.failure(error)) else { return }
      let _: EventLoopFuture<Void> = connection.close()
      task.cancel()
    }
    let timer = limit.map { limit in
      Task {
        guard (try? await Task.sleep(for: limit.time)) != nil else { return }  // the call ended first
        abandon(PostgresCallTimedOut(place: limit.place, limit: limit.time))
      }
    }
    defer { timer?.cancel() }
    do {
      return try await withTaskCancellationHandler {
        try await outcome.value()
      } onCancel: {
        abandon(CancellationError())
      }
    } catch let error as PostgresCallTimedOut {
      try? await connection.close()
      throw error
    } catch is CancellationError {
      try? await connection.close()
      throw CancellationError()
    }
  }

  /// Runs `body` in a transaction (``withConnection(_:)``): committed when it returns, rolled back when it throws;
  /// errors are the body's (or `BEGIN`'s, `COMMIT`'s) own.
  ///
  /// `begin` opens the transaction (`BEGIN ISOLATION LEVEL ...` for another level). The transaction's first statement
  /// bounds how long PostgreSQL keeps it open waiting for the next one (``idleLimitSetting``), together with `first`,
  /// the select-list items of the caller's own first statement (its locks, its `set_config`), so the bound costs no
  /// round trip of its own where a caller has such a statement (postgres-nio sends one statement at a time and waits
  /// for its answer: no pipelining, and its extended protocol takes one statement per message).
  ///
  /// Not postgres-nio's `withTransaction`: that one sends `ROLLBACK` whenever its closure throws, also when the closure
  /// threw because a cancelled call (``run(_:on:)``) closed the connection under it, and a query written to a closed
  /// connection is never answered, so the body's task (left behind by ``run(_:on:)``) waited forever, holding what it
  /// captured (an ingestion group: up to 20,000 items). That happened on every write whose request passed
  /// `--request-timeout` mid-transaction, a slow but answering PostgreSQL included. Here no `ROLLBACK` goes to a
  /// closed connection: PostgreSQL rolls back the open transaction itself when the connection goes, or, after a cut
  /// that drops packets (it never learns of the close), when the idle bound passes.
  func withTransaction<Result: Sendable>(
    begin: String = "BEGIN", first: PostgresQuery? = nil,
    _ body: @escaping @Sendable (StoreConnection) async throws -> Result
  ) async throws -> Result {
    let logger = self.logger
    let opening = PostgresStore.openingStatement(first: first, idleLimit: idleLimitSetting)
    return try await withConnection { connection in
      try await connection.query(PostgresQuery(unsafeSQL: begin), logger: logger)
      let value: Result
      do {
        if let opening { try await connection.query(opening, logger: logger) }
        value = try await body(connection)
      } catch {
        if !connection.isClosed { _ = try? await connection.query("ROLLBACK;", logger: logger) }
        throw error
      }
      try await connection.query("COMMIT;", logger: logger)
      return value
    }
  }

  /// A transaction's first statement (``withTransaction(begin:first:_:)``): `SELECT` of the caller's items and the idle
  /// bound's setting, nil when there is neither.
  static func openingStatement(first: PostgresQuery?, idleLimit: String?) -> PostgresQuery? {
    let items = [first?.sql, idleLimit].compactMap { $0 }
    guard !items.isEmpty else { return nil }
    return PostgresQuery(
      unsafeSQL: "SELECT " + items.joined(separator: ", "), binds: first?.binds ?? PostgresBindings())
  }

  /// The setting that bounds how long PostgreSQL keeps a transaction open while waiting for its next statement:
  /// `idle_in_transaction_session_timeout`, for this transaction only (`set_config(..., true)`, as `SET LOCAL`).
  ///
  /// After a network cut that drops packets, PostgreSQL never learns that the client closed the connection, so the
  /// cut-off transaction, and its locks, lived until the server's TCP keepalive gave up (2 h 11 min with Linux's
  /// defaults): a consent change cut off this way held the audit log's lock, and every server's consent changes and
  /// erasures waited for it. With this setting the backend, waiting for a statement that never comes, is terminated
  /// when the bound passes, which rolls the transaction back and releases its locks. Per transaction, not per session
  /// (`SET`): in PgBouncer's transaction mode a session's `SET` stays on the server connection for other clients'
  /// transactions. The same value also goes in as a start-up parameter where the server takes it
  /// (``startupParameters(idleLimit:)``, for the window before this setting arrives); PgBouncer refuses start-up
  /// parameters it does not track, so this one stays the bound that always applies. PostgreSQL 9.6 or later. The bound never ends a statement that runs (a long scan) or waits for a lock: only the wait between
  /// statements, which in the store's transactions lasts as long as the client's work between them (milliseconds).
  static func idleLimitSetting(_ limit: Duration) -> String {
    "set_config('idle_in_transaction_session_timeout', '\(milliseconds(limit))', true)"
  }

  /// The start-up parameters of the store's connections: the idle bound (``idleLimitSetting(_:)``) as the session's
  /// default `idle_in_transaction_session_timeout`, none without a bound.
  ///
  /// The per-transaction setting travels in a transaction's first statement, after its `BEGIN`: a cut that drops
  /// packets between the two left the backend idle in its transaction with no bound, holding a connection slot until
  /// the server's TCP keepalive gave up (2 h 11 min with Linux's defaults); enough such cuts would use up
  /// `max_connections`. postgres-nio cannot close that window from the client: it sends one statement per message
  /// (extended protocol, whose Parse takes one statement: no `BEGIN; SELECT set_config(...)`), has no simple-query
  /// call, and sends a statement only once the previous one is answered (no pipelining). A session default set at
  /// connection start covers the window. The per-transaction setting stays: behind a pooler that takes the
  /// parameter but drops it (PgBouncer's `ignore_startup_parameters`) it is the only bound.
  static func startupParameters(idleLimit: Duration?) -> [(String, String)] {
    idleLimit.map { [("idle_in_transaction_session_timeout", "\(milliseconds($0))")] } ?? []
  }

  /// Checks the connection (``PostgresLocation/checkConnection(timeout:startupParameters:)``) with the idle bound as
  /// a start-up parameter (``startupParameters(idleLimit:)``); true when the server took it, false when there is no
  /// bound or when it refused the parameter but takes a connection without it (PgBouncer refuses start-up parameters
  /// it does not track), which is logged as a warning: the store then sets the bound per transaction only.
  static func checkConnection(
    _ location: PostgresLocation, idleLimit: Duration?, logger: Logger
  ) async throws(StoreConnectionError) -> Bool {
    let parameters = startupParameters(idleLimit: idleLimit)
    guard !parameters.isEmpty else {
      try await location.checkConnection()
      return false
    }
    do {
      try await location.checkConnection(startupParameters: parameters)
      return true
    } catch {
      // Only a refusal that names the parameter (PgBouncer: "unsupported startup parameter: ..."; PostgreSQL before
      // 9.6: "unrecognized configuration parameter ..."), not a server that is starting or full: a transient refusal
      // must not leave the server running without the start-up bound for its whole life.
      guard let message = error.serverMessage, message.contains(parameters[0].0) else { throw error }
      try await location.checkConnection()
      logger.warning(
        "PostgreSQL (or a pooler in front of it) refused idle_in_transaction_session_timeout as a start-up parameter; each transaction still sets it after its BEGIN, but a network cut between the two leaves a backend idle in its transaction until the server's TCP keepalive gives up: set it for the role (ALTER ROLE ... SET idle_in_transaction_session_timeout), or let PgBouncer pass it (track_extra_parameters)",
        metadata: ["error": "\(error.description)"])
      return false
    }
  }

  /// `limit` in whole milliseconds, at least 1 (0 would turn the bound off).
  private static func milliseconds(_ limit: Duration) -> Int64 {
    max(1, limit.components.seconds * 1000 + limit.components.attoseconds / 1_000_000_000_000_000)
  }

  /// Runs one statement (``withConnection(_:)``) and returns every row of its result.
  @discardableResult
  func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
    let logger = self.logger
    return try await withConnection { connection in
      var rows: [PostgresRow] = []
      for try await row in try await connection.query(query, logger: logger) { rows.append(row) }
      return rows
    }
  }
}

/// The connection a call's body gets (``PostgresStore/withConnection(_:)``): postgres-nio's, with every statement sent
/// through ``PostgresNIO/PostgresConnection/queryUnlessClosed(_:logger:file:line:)``.
///
/// postgres-nio never answers a statement written to a connection the server has closed between two statements of a
/// call (its idle-in-transaction limit, an administrator's `pg_terminate_backend`, a restart): the request waited for
/// its `--request-timeout` and got 503 `timeout` late, and the call's task stayed parked. Now such a statement fails at
/// once: the call throws, the request gets the store's 503 (`store_unavailable`, with the sentence of its kind: a write
/// whose `COMMIT` had no answer is never acknowledged), and the pool replaces the closed connection. No other way to
/// send a statement is offered here, so no statement of the store's goes out unraced, and every answer is read in full
/// as it arrives (a row sequence waiting for its reader when the server closes stops the process in postgres-nio:
/// review G11, H9).
struct StoreConnection: Sendable {
  let connection: PostgresConnection

  /// Whether the connection is closed.
  var isClosed: Bool { connection.isClosed }

  /// Sends `query`; all its rows, or ``PostgresClosedConnection`` when the connection closes before its answer is
  /// complete.
  @discardableResult
  func query(_ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line) async throws
    -> PostgresRows
  {
    try await connection.queryUnlessClosed(query, logger: logger, file: file, line: line)
  }
}

/// Which came first for one call: the connection (the body runs) or the deadline (it never does).
private final class LeaseRace: Sendable {
  private enum State { case waiting, connected, expired }
  private let state = Mutex(State.waiting)

  /// True when the connection came first.
  func connect() -> Bool { take(.connected) }
  /// True when the deadline came first.
  func expire() -> Bool { take(.expired) }

  private func take(_ outcome: State) -> Bool {
    state.withLock { state in
      guard state == .waiting else { return false }
      state = outcome
      return true
    }
  }
}

/// The outcome of one call's body (``PostgresStore/run(_:on:)``): its result, or the caller's cancellation, whichever
/// comes first; the first one set is the one returned.
private final class BodyOutcome<Result: Sendable>: Sendable {
  private enum State {
    case running
    case waiting(CheckedContinuation<Result, any Error>)
    case finished(Swift.Result<Result, any Error>)
    case returned
  }
  private let state = Mutex(State.running)

  /// Sets the outcome, unless one was set before; true when this one was set.
  @discardableResult
  func finish(_ result: Swift.Result<Result, any Error>) -> Bool {
    let (set, waiting) = state.withLock { state -> (Bool, CheckedContinuation<Result, any Error>?) in
      switch state {
      case .running:
        state = .finished(result)
        return (true, nil)
      case .waiting(let continuation):
        state = .returned
        return (true, continuation)
      case .finished, .returned:
        return (false, nil)
      }
    }
    waiting?.resume(with: result)
    return set
  }

  /// The outcome, once set; called once.
  func value() async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
      let finished = state.withLock { state -> Swift.Result<Result, any Error>? in
        switch state {
        case .running:
          state = .waiting(continuation)
          return nil
        case .finished(let result):
          state = .returned
          return result
        case .waiting, .returned:
          preconditionFailure("the outcome of a call's body is awaited once")
        }
      }
      if let finished { continuation.resume(with: finished) }
    }
  }
}

/// The pool handed over a connection that was closed (by a cancelled call, or by PostgreSQL) before the pool saw it
/// close; the call's body never started.
public struct PostgresConnectionClosed: Error, CustomStringConvertible, Sendable {
  /// `host:port`.
  public var place: String

  public var description: String { "the connection to PostgreSQL at \(place) was closed before the call started" }
}

/// A call's body ran past ``PostgresStore/callLimit`` (a poller's call, PostgreSQL silent); its connection was closed,
/// so PostgreSQL rolls back whatever it had open once it learns of the close (after a cut that drops packets, only
/// when its own TCP keepalive gives up), and nothing of it was committed unless its `COMMIT` had been sent.
public struct PostgresCallTimedOut: Error, CustomStringConvertible, Sendable {
  /// `host:port`.
  public var place: String
  public var limit: Duration

  public var description: String {
    let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
    return "PostgreSQL at \(place) did not answer within \(String(format: "%g", seconds)) s; the connection was closed"
  }
}

/// No connection to PostgreSQL within the wait (`serve --database-timeout`): it is gone, or every connection is busy.
public struct PostgresUnavailable: Error, CustomStringConvertible, Sendable {
  /// `host:port`.
  public var place: String
  public var wait: Duration
  /// The option that sets the wait (`--database-timeout`), nil for commands that have none.
  public var option: String?

  public var description: String {
    let seconds = Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18
    let sentence = "no connection to PostgreSQL at \(place) within \(String(format: "%g", seconds)) s"
    return option.map { "\(sentence) (\($0))" } ?? sentence
  }
}

extension [PostgresRow] {
  /// Each row's first column as `Column`.
  func decode<Column: PostgresDecodable>(_: Column.Type) throws -> [Column] {
    try map { try $0.decode(Column.self) }
  }

  /// Each row's columns as a tuple.
  func decode<each Column: PostgresDecodable>(_ columns: (repeat each Column).Type) throws -> [(repeat each Column)] {
    try map { try $0.decode(columns) }
  }
}
