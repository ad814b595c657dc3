import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO

/// Runs one query on PostgreSQL (postgres-nio) and returns its rows with their types.
///
/// A result without rows has no columns either (postgres-nio names columns per row).
///
/// Errors are one sentence naming the host, the database and the server's own message; the password is
/// never part of any message (postgres-nio's logger is silenced: its level is `critical`). Nothing waits
/// forever: connecting gives up after `connectTimeout`, and the whole run (connect, query, rows) after
/// `timeout`, closing the connection so the server cancels the query.
public enum PostgresQueryRunner {
  /// Connects, runs `sql`, reads every row, closes.
  public static func run(
    _ sql: String, on url: DatabaseURL, connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(3600)
  ) async throws(WarehouseError) -> QueryResult {
    try await session(on: url, connectTimeout: connectTimeout, timeout: timeout) { connection, logger in
      try await rows(of: sql, on: connection, logger: logger)
    }
  }

  /// How long PostgreSQL keeps the transaction of ``run(_:then:on:connectTimeout:timeout:)`` open while it waits for
  /// the next statement (`idle_in_transaction_session_timeout`, for that transaction only).
  ///
  /// After a network cut that drops packets, PostgreSQL never hears the client close, and the cut-off transaction lived
  /// until the server's TCP keepalive gave up (about 2 h 11 min with Linux's defaults), holding its snapshot (vacuum
  /// cannot remove rows deleted since) and its tables' share locks (a migration's `ALTER TABLE` waited for it, and
  /// every query behind that). The wait between two queries is the time to build the next from the results so far.
  /// Set only where the server has the setting (PostgreSQL 9.6 or later; not Redshift), so no server is refused for it.
  static let transactionIdleLimitMilliseconds = 60_000

  /// Connects, runs `sql`, then each query `next` makes of the results so far, in one read-only transaction.
  ///
  /// `next` gets the results in order and gives nil when done (`CellQueryRun.next(after:)` is such a `next`). The
  /// transaction is REPEATABLE READ: one snapshot, so a refinement and Lin's second query see the rows the first saw.
  /// Reads every row, closes.
  public static func run(
    _ sql: String, then next: @escaping @Sendable ([QueryResult]) throws(WarehouseError) -> String?,
    on url: DatabaseURL, connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(3600)
  ) async throws(WarehouseError) -> [QueryResult] {
    try await session(on: url, connectTimeout: connectTimeout, timeout: timeout) { connection, logger in
      _ = try await rows(of: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", on: connection, logger: logger)
      _ = try await rows(
        of: """
          SELECT set_config(name, '\(transactionIdleLimitMilliseconds)', true) FROM pg_settings
          WHERE name = 'idle_in_transaction_session_timeout'
          """, on: connection, logger: logger)
      var results = [try await rows(of: sql, on: connection, logger: logger)]
      while let query = try next(results) { results.append(try await rows(of: query, on: connection, logger: logger)) }
      _ = try await rows(of: "COMMIT", on: connection, logger: logger)  // an error closes the connection instead
      return results
    }
  }

  /// Connects, runs `body` on the connection, closes; gives up after `timeout`, closing the connection so the server
  /// cancels the query.
  private static func session<T: Sendable>(
    on url: DatabaseURL, connectTimeout: Duration, timeout: Duration,
    _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T
  ) async throws(WarehouseError) -> T {
    let place = "PostgreSQL at \(url.host):\(url.port), database \(url.database)"
    do {
      return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await query(on: url, place: place, connectTimeout: connectTimeout, body) }
        group.addTask {
          try await Task.sleep(for: timeout)
          return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let result = first else {
          throw WarehouseError("\(place) did not answer within \(timeout.components.seconds) s (--timeout)")
        }
        return result
      }
    } catch let error as WarehouseError {
      throw error
    } catch {
      throw WarehouseError("the query on \(place) failed: \(message(error))")
    }
  }

  /// Every row of `sql` with its types.
  private static func rows(of sql: String, on connection: PostgresConnection, logger: Logger) async throws
    -> QueryResult
  {
    // Not `connection.query`: a statement sent on a connection the server has closed would never return (review G5),
    // and a close while its row sequence waits for this loop stops the process in postgres-nio (G11).
    let rows = try await connection.queryUnlessClosed(PostgresQuery(unsafeSQL: sql), logger: logger)
    var result = QueryResult(columns: [], rows: [])
    for try await row in rows {
      var values: [QueryResult.Value] = []
      if result.columns.isEmpty { result.columns = row.map(\.columnName) }
      for cell in row { values.append(try value(of: cell)) }
      result.rows.append(values)
    }
    return result
  }

  private static func query<T: Sendable>(
    on url: DatabaseURL, place: String, connectTimeout: Duration,
    _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T
  ) async throws -> T {
    var logger = Logger(label: "strata.postgres")
    logger.logLevel = .critical
    let tls = try url.tlsMode.postgresConnectionTLS(rootCertificate: url.rootCertificate)
    let connection: PostgresConnection
    do {
      var configuration = PostgresConnection.Configuration(
        host: url.host, port: url.port, username: url.user, password: url.password, database: url.database,
        tls: tls)
      configuration.options.connectTimeout = .nanoseconds(
        connectTimeout.components.seconds * 1_000_000_000 + connectTimeout.components.attoseconds / 1_000_000_000)
      connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
    } catch {
      throw WarehouseError("cannot connect to \(place) as \(url.user): \(message(error))")
    }
    do {
      let logger = logger
      let result = try await withTaskCancellationHandler {
        try await body(connection, logger)
      } onCancel: {
        connection.close().whenComplete { _ in }
      }
      try? await connection.close()
      return result
    } catch {
      try? await connection.close()
      if let error = error as? WarehouseError { throw error }
      throw WarehouseError("the query on \(place) failed: \(message(error))")
    }
  }

  /// A result value with its type: integers and doubles as numbers, everything else as text.
  package static func value(of cell: PostgresCell) throws -> QueryResult.Value {
    guard cell.bytes != nil else { return .null }
    switch cell.dataType {
    case .int8: return .integer(try cell.decode(Int64.self))
    case .int4: return .integer(Int64(try cell.decode(Int32.self)))
    case .int2: return .integer(Int64(try cell.decode(Int16.self)))
    case .float8: return .double(try cell.decode(Double.self))
    case .float4: return .double(Double(try cell.decode(Float.self)))
    case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
    case .numeric: return .text("\(try cell.decode(Decimal.self))")
    default: return .text(try cell.decode(String.self))
    }
  }

  /// The server's message (postgres-nio's own description hides it on purpose), else the cause.
  package static func message(_ error: any Error) -> String {
    if let error = error as? PSQLError {
      if let server = error.serverInfo?[.message] {
        let code = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
        return server + code
      }
      switch error.code {
      case .authMechanismRequiresPassword:
        return "the server asks for a password (put it in the URL or in PGPASSWORD)"
      case .sslUnsupported: return "the server does not offer TLS (sslmode=require asks for it; try sslmode=prefer)"
      case .serverClosedConnection: return "the server closed the connection"
      default: break
      }
      if let underlying = error.underlying { return message(underlying) }
      return "\(error.code)"
    }
    if error is PostgresClosedConnection {
      return "the server closed the connection (PostgreSQL ends a transaction left idle between two statements for "
        + "\(transactionIdleLimitMilliseconds / 1000) s; or an administrator ended the session, or the server stopped: "
        + "its log says which)"
    }
    if let error = error as? NIOConnectionError {
      if let failure = error.connectionErrors.first { return message(failure.error) }
      if error.dnsAError != nil || error.dnsAAAAError != nil { return "the host name cannot be resolved" }
    }
    if let error = error as? IOError {
      let reason = String(cString: strerror(error.errnoCode))
      return error.errnoCode == ECONNREFUSED
        ? "connection refused (is the server running and listening on that port?)" : reason.lowercased()
    }
    if let error = error as? NIOSSLError {
      return "\(error)".contains("CERTIFICATE_VERIFY_FAILED")
        ? "the server's TLS certificate cannot be verified (certificate verify failed)" : "the TLS handshake failed"
    }
    if let error = error as? NIOSSLExtraError, error == .failedToValidateHostname {
      return "the server's TLS certificate does not name the host (sslmode=verify-full checks it)"
    }
    if case .connectTimeout(let limit) = error as? ChannelError {
      return "no answer within \(limit.nanoseconds / 1_000_000_000) s (the connect timeout)"
    }
    return String(describing: error)
  }
}
