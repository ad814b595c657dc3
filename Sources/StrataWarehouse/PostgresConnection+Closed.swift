import Foundation
import Logging
import NIOCore
import PostgresNIO

/// A statement on a connection the server may have closed: ``PostgresNIO/PostgresConnection/queryUnlessClosed(_:logger:file:line:)``.
///
/// postgres-nio writes a query to its channel without listening for the write's outcome: on a connection the server has
/// closed (PostgreSQL ends a transaction left idle past `idle_in_transaction_session_timeout`, an administrator ends the
/// session with `pg_terminate_backend`, the server restarts), the write fails unheard and the query never returns, and
/// nothing of the caller's (a timeout, a cancellation) can end that wait: `strata analyze --database` waited forever
/// (review G5), and a request of `strata serve` waited for its `--request-timeout`. Racing each statement against the
/// connection's close turns that into an error at once. Both `analyze --database` (``PostgresQueryRunner``) and the
/// service's PostgreSQL store send every statement this way.
extension PostgresConnection {
  /// Sends `query` and gives its rows as they come, or throws ``PostgresClosedConnection`` when the connection is (or
  /// gets) closed before the answer begins.
  ///
  /// A query the connection closes under after its answer began fails in postgres-nio itself (the row sequence throws).
  /// When the close wins the race, the query's own task may stay parked on postgres-nio's unanswered promise (holding
  /// the query and its binds) until the process exits; a statement asked for on a connection already seen closed is
  /// never sent, so that happens only when the close comes between the check and the write.
  @discardableResult
  package func queryUnlessClosed(
    _ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line
  ) async throws -> PostgresRowSequence {
    let watch = CloseWatch.of(self)
    return try await withCheckedThrowingContinuation { continuation in
      let race = FirstOutcome(continuation)
      guard let ticket = watch.add({ race.finish(.failure(PostgresClosedConnection())) }) else {
        race.finish(.failure(PostgresClosedConnection()))
        return
      }
      guard !isClosed else {  // closed, its callback not run yet
        watch.remove(ticket)
        race.finish(.failure(PostgresClosedConnection()))
        return
      }
      Task {
        let outcome: Result<PostgresRowSequence, any Error>
        do {
          outcome = .success(try await self.query(query, logger: logger, file: file, line: line))
        } catch {
          outcome = .failure(error)
        }
        watch.remove(ticket)
        race.finish(outcome)
      }
    }
  }
}

/// The connection was closed before a statement's answer began (``PostgresNIO/PostgresConnection/queryUnlessClosed(_:logger:file:line:)``):
/// the server ended the session (its idle-in-transaction limit, an administrator, a restart: its log says which), or
/// the client closed it (a timeout, a cancellation).
package struct PostgresClosedConnection: Error, CustomStringConvertible, Sendable {
  package init() {}

  package var description: String { "the connection was closed before the statement's answer began" }
}

/// The first of a statement's outcomes (its answer or its connection's close), handed to its continuation once.
private final class FirstOutcome: @unchecked Sendable {
  private let lock = NSLock()
  private var continuation: CheckedContinuation<PostgresRowSequence, any Error>?

  init(_ continuation: CheckedContinuation<PostgresRowSequence, any Error>) { self.continuation = continuation }

  func finish(_ outcome: Result<PostgresRowSequence, any Error>) {
    lock.lock()
    let continuation = self.continuation
    self.continuation = nil
    lock.unlock()
    continuation?.resume(with: outcome)
  }
}

/// The statements waiting for their answers on one connection, failed together when it closes.
///
/// One `closeFuture` callback per connection, not one per statement: a future's callbacks are kept until it completes,
/// and a pooled connection of the service lives for millions of statements.
private final class CloseWatch: @unchecked Sendable {
  private let lock = NSLock()
  private var closed = false
  private var waiting: [Int: @Sendable () -> Void] = [:]
  private var nextTicket = 0

  /// The watches of the open connections that have sent a statement through it, by connection.
  nonisolated(unsafe) private static var watches: [ObjectIdentifier: CloseWatch] = [:]
  private static let watchesLock = NSLock()

  /// The watch of `connection`, made (and hooked to its close) on its first statement.
  static func of(_ connection: PostgresConnection) -> CloseWatch {
    let key = ObjectIdentifier(connection)
    watchesLock.lock()
    if let watch = watches[key] {
      watchesLock.unlock()
      return watch
    }
    let watch = CloseWatch()
    watches[key] = watch
    watchesLock.unlock()
    // The callback holds the connection, so no other connection can take its address (the key) before it has run.
    connection.closeFuture.whenComplete { _ in
      watchesLock.lock()
      if watches[key] === watch { watches[key] = nil }
      watchesLock.unlock()
      watch.close()
      withExtendedLifetime(connection) {}
    }
    return watch
  }

  /// Adds `fail`, called when the connection closes; its ticket, or nil when the connection has closed already.
  func add(_ fail: @escaping @Sendable () -> Void) -> Int? {
    lock.lock()
    defer { lock.unlock() }
    guard !closed else { return nil }
    nextTicket += 1
    waiting[nextTicket] = fail
    return nextTicket
  }

  /// Removes the call of `ticket` (its statement has its answer).
  func remove(_ ticket: Int) {
    lock.lock()
    waiting[ticket] = nil
    lock.unlock()
  }

  private func close() {
    lock.lock()
    closed = true
    let failing = waiting.values
    waiting = [:]
    lock.unlock()
    for fail in failing { fail() }
  }
}
