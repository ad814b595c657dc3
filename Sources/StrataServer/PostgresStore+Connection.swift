import Foundation
import Logging
import PostgresNIO
import Synchronization

/// How ``PostgresStore`` gets its connections: every call of the store goes through ``withConnection(_:)``, which
/// waits at most ``PostgresStore/connectionWait`` for a connection from the pool.
///
/// Without the deadline, a call made while PostgreSQL is gone waits as long as postgres-nio's pool keeps trying to
/// reconnect (about a minute, until its circuit breaker trips): the request waited for the whole `--request-timeout`
/// instead of failing at once. The deadline covers only getting the connection: once the body has started it runs to
/// its end (a transaction is never cut between its `COMMIT` and the answer by this deadline), and when the deadline
/// has passed the body never starts.
extension PostgresStore {
  /// The default of ``connectionWait`` (`strata serve --database-timeout`).
  public static let defaultConnectionWait: Duration = .seconds(5)

  /// How long `audit verify` and `looks --database` wait for PostgreSQL, for a connection and for the whole command
  /// alike: they have no `--database-timeout`, and waited this long before that option came (993609d).
  static let oneShotWait: Duration = .seconds(30)

  /// The store of a one-shot command (`audit verify`, `looks --database`): a connection wait of ``oneShotWait``, and no
  /// option named when it passes.
  static func oneShotStore(_ location: PostgresLocation, logger: Logger) throws(StoreLocationError) -> PostgresStore {
    try PostgresStore(location: location, logger: logger, connectionWait: oneShotWait)
  }

  /// Runs `body` on a pooled connection; throws ``PostgresUnavailable`` when none is had within ``connectionWait``.
  func withConnection<Result: Sendable>(
    _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
  ) async throws -> Result {
    let race = LeaseRace()
    let client = self.client
    let wait = connectionWait
    let unavailable = PostgresUnavailable(place: place, wait: wait, option: connectionWaitOption)
    return try await withThrowingTaskGroup(of: Result?.self) { group in
      group.addTask {
        try await client.withConnection { connection in
          // The deadline passed while the pool was handing this connection over: the caller has its answer.
          guard race.connect() else { throw unavailable }
          return try await body(connection)
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

  /// Runs `body` in a transaction (``withConnection(_:)``): committed when it returns, rolled back when it throws.
  func withTransaction<Result: Sendable>(
    _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
  ) async throws -> Result {
    let logger = self.logger
    return try await withConnection { connection in
      try await connection.withTransaction(logger: logger) { connection in try await body(connection) }
    }
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
