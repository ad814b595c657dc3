import Foundation
import StrataAnalysis
import Synchronization

/// An experiment's planned looks as kept in the service's database, for `SequentialGuard`.
///
/// `LookStore` is synchronous and the database is not, so the service reads the looks first
/// (``ServiceStore/looks(experiment:)``), lets the guard work on this copy, and then writes what the guard did
/// (``changes``) in one transaction (``ServiceStore/saveLooks(experiment:_:)``), which refuses a look number another
/// process took meanwhile. Within one process, looks of one experiment are recorded one at a time.
final class DatabaseLookStore: LookStore {
  let location: String
  private let state: Mutex<(records: [LookRecord], changes: [LookChange])>
  private let exclusive = NSLock()

  init(records: [LookRecord], location: String) {
    self.location = location
    state = Mutex((records, []))
  }

  /// What the guard did, in order.
  var changes: [LookChange] { state.withLock { $0.changes } }

  func list() throws -> [LookRecord] { state.withLock { $0.records } }

  func append(_ record: LookRecord) throws {
    try checkAppend(record, after: try list())
    state.withLock {
      $0.records.append(record)
      $0.changes.append(.append(record))
    }
  }

  func replaceLatest(with record: LookRecord) throws {
    try checkReplacement(record, of: try list())
    state.withLock {
      $0.records[$0.records.count - 1] = record
      $0.changes.append(.replaceLatest(record))
    }
  }

  func dropLatest() throws -> LookRecord? {
    state.withLock { state in
      guard let last = state.records.popLast() else { return nil }
      state.changes.append(.dropLatest(look: last.look))
      return last
    }
  }

  func withExclusiveAccess<Result>(_ body: () throws -> Result) throws -> Result {
    exclusive.lock()
    defer { exclusive.unlock() }
    return try body()
  }
}
