import Foundation
import Synchronization

/// Where an experiment's looks are kept: what `strata analyze` saw and decided at each look.
///
/// Four operations, so that a new home for looks (a database table, a service) is a small type: list the current
/// looks, append a new one, replace the latest one (corrected data for that look), drop the latest one (a look
/// recorded by mistake). ``withExclusiveAccess(_:)`` brackets a read-decide-write so that two runs cannot both take
/// the same look number. Implementations: ``LookLog`` (the JSON-lines file next to the data) and
/// ``InMemoryLookStore`` (tests, embedding).
public protocol LookStore: Sendable {
  /// Where the looks live, for messages: a file path, a table name.
  var location: String { get }

  /// The current looks, one record per look number (the latest record of each), by look number.
  func list() throws -> [LookRecord]

  /// Records a new look; its number is above every stored look's.
  func append(_ record: LookRecord) throws

  /// Replaces the record of the latest look; `record.look` is that look's number.
  func replaceLatest(with record: LookRecord) throws

  /// Removes the latest look and returns its record (nil when the store holds no look).
  func dropLatest() throws -> LookRecord?

  /// Runs `body` while no other writer can change the store (a file lock, a transaction).
  func withExclusiveAccess<Result>(_ body: () throws -> Result) throws -> Result
}

/// A store operation that does not fit the looks stored: a new look not above the latest, a replacement that
/// is not of the latest look.
public struct LookStoreError: Error, CustomStringConvertible, Sendable, Hashable {
  public var location: String
  public var message: String
  /// What the caller can do about it, named by the caller (``description(naming:)``).
  public var hint: ErrorHint?

  public init(location: String, message: String, hint: ErrorHint? = nil) {
    self.location = location
    self.message = message
    self.hint = hint
  }

  public var description: String { description(naming: \.text) }

  /// The sentence with the hint in the caller's words (`name` returns the end of the sentence).
  public func description(naming name: (ErrorHint) -> String) -> String {
    "\(location): \(message)" + (hint.map(name) ?? "")
  }
}

extension LookStore {
  /// The latest look, nil when there is none.
  public func latest() throws -> LookRecord? { try list().last }

  /// Checks that `record` may be appended after `current` (the looks stored).
  public func checkAppend(_ record: LookRecord, after current: [LookRecord]) throws {
    if let last = current.last, record.look <= last.look {
      throw LookStoreError(
        location: location,
        message: "look \(record.look) cannot be added after look \(last.look); a new look takes a higher number")
    }
  }

  /// Checks that `record` replaces the latest of `current`.
  public func checkReplacement(_ record: LookRecord, of current: [LookRecord]) throws {
    guard let last = current.last else {
      throw LookStoreError(location: location, message: "there is no look to replace")
    }
    guard record.look == last.look else {
      throw LookStoreError(
        location: location,
        message: "only the latest look (\(last.look)) can be replaced, not look \(record.look)")
    }
  }
}

/// Looks kept in memory: for tests and for hosts that persist them elsewhere.
public final class InMemoryLookStore: LookStore {
  private let records: Mutex<[LookRecord]>
  private let exclusive = NSLock()
  public let location: String

  public init(_ records: [LookRecord] = [], location: String = "memory") {
    self.records = Mutex(records)
    self.location = location
  }

  public func list() throws -> [LookRecord] { records.withLock { $0 } }

  public func append(_ record: LookRecord) throws {
    try checkAppend(record, after: try list())
    records.withLock { $0.append(record) }
  }

  public func replaceLatest(with record: LookRecord) throws {
    try checkReplacement(record, of: try list())
    records.withLock { $0[$0.count - 1] = record }
  }

  public func dropLatest() throws -> LookRecord? {
    records.withLock { $0.popLast() }
  }

  public func withExclusiveAccess<Result>(_ body: () throws -> Result) throws -> Result {
    exclusive.lock()
    defer { exclusive.unlock() }
    return try body()
  }
}
