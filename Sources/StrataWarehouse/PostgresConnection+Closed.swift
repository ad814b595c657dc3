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
///
/// The rows are read as they arrive, all of them, before they are handed over (postgres-nio's collecting query, not its
/// row sequence): postgres-nio 1.33.2 stops the process (a `preconditionFailure` in `RowStreamStateMachine`, SIGILL,
/// release builds too) when the server closes a connection whose row sequence is paused waiting for its reader with
/// rows still in the socket (review G11, H9: `strata serve` died when its process was paused during a results query
/// of 6,000 cells and PostgreSQL ended the session). A collecting query always asks for more, so its rows never wait
/// for a reader. Every caller kept every row anyway.
extension PostgresConnection {
  /// Sends `query` and gives all its rows, or throws ``PostgresClosedConnection`` when the connection is (or gets)
  /// closed before the answer is complete.
  ///
  /// When the close wins the race, the query's own task may stay parked on postgres-nio's unanswered promise (holding
  /// the query and its binds) until the process exits; a statement asked for on a connection already seen closed is
  /// never sent, so that happens only when the close comes between the check and the write.
  @discardableResult
  package func queryUnlessClosed(
    _ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line
  ) async throws -> PostgresRows {
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
        let outcome: Result<PostgresRows, any Error>
        do {
          let answer: EventLoopFuture<PostgresQueryResult> = self.query(query, logger: logger, file: file, line: line)
          outcome = .success(PostgresRows(rows: try await answer.get().rows))
        } catch {
          outcome = .failure(error)
        }
        watch.remove(ticket)
        race.finish(outcome)
      }
    }
  }
}

/// The connection was closed before a statement's answer was complete (``PostgresNIO/PostgresConnection/queryUnlessClosed(_:logger:file:line:)``):
/// the server ended the session (its idle-in-transaction limit, an administrator, a restart: its log says which), or
/// the client closed it (a timeout, a cancellation).
package struct PostgresClosedConnection: Error, CustomStringConvertible, Sendable {
  package init() {}

  package var description: String { "the connection was closed before the statement was answered" }
}

/// Every row of a statement's answer (``PostgresNIO/PostgresConnection/queryUnlessClosed(_:logger:file:line:)``), read
/// in full; iterated and decoded as postgres-nio's row sequence is.
package struct PostgresRows: AsyncSequence, Sendable {
  package typealias Element = PostgresRow

  package let rows: [PostgresRow]

  package struct AsyncIterator: AsyncIteratorProtocol {
    var rows: IndexingIterator<[PostgresRow]>

    package mutating func next() async -> PostgresRow? { rows.next() }
  }

  package func makeAsyncIterator() -> AsyncIterator { AsyncIterator(rows: rows.makeIterator()) }

  /// Each row's columns as `Columns`.
  package func decode<each Column: PostgresDecodable & Sendable>(
    _ columns: (repeat each Column).Type
  ) -> AsyncThrowingMapSequence<PostgresRows, (repeat each Column)> {
    map { row in try row.decode((repeat each Column).self) }
  }
}

/// The first of a statement's outcomes (its answer or its connection's close), handed to its continuation once.
private final class FirstOutcome: @unchecked Sendable {
  private let lock = NSLock()
  private var continuation: CheckedContinuation<PostgresRows, any Error>?

  init(_ continuation: CheckedContinuation<PostgresRows, any Error>) { self.continuation = continuation }

  func finish(_ outcome: Result<PostgresRows, any Error>) {
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
