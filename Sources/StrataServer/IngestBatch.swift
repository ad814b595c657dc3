/// One exposure to store: a unit saw a variant of an experiment.
public struct ExposureRow: Sendable, Hashable {
  /// The client-chosen id (nil for exposures the service logs itself at OFREP evaluation).
  public var id: String?
  public var experiment: String
  public var unit: String
  public var variant: String
  public var segment: String
  public var time: IngestTime
  public var definitionHash: String
}

/// One event to store: a unit's value of a metric at a time.
public struct EventRow: Sendable, Hashable {
  public var id: String
  public var unit: String
  public var metric: String
  public var value: Double
  public var time: IngestTime
}

/// A validated request's rows, written in one transaction (all or nothing).
public enum IngestBatch: Sendable {
  case exposures([ExposureRow])
  case events([EventRow])

  public var count: Int {
    switch self {
    case .exposures(let rows): return rows.count
    case .events(let rows): return rows.count
    }
  }
}

/// What a store did with one batch.
public struct IngestOutcome: Sendable, Hashable {
  /// Items written (new ids).
  public var stored: Int
  /// Items whose id was already stored (a retried batch): skipped, not counted again.
  public var duplicates: Int
  /// Items refused because their unit's consent was withdrawn (checked inside the transaction; counted in
  /// `consent_refused_items`).
  public var refused: Int

  public init(stored: Int, duplicates: Int, refused: Int = 0) {
    self.stored = stored
    self.duplicates = duplicates
    self.refused = refused
  }
}

extension IngestBatch {
  /// Splits the batches of one transaction into rows to write and items already seen in an earlier batch of the
  /// same transaction (a retry racing its original): the first of each id is written.
  static func firstOfEachID(_ batches: [IngestBatch]) -> (batches: [IngestBatch], repeated: [Int]) {
    var exposureIDs: Set<String> = []
    var eventIDs: Set<String> = []
    var repeated: [Int] = []
    var result: [IngestBatch] = []
    for batch in batches {
      var skipped = 0
      switch batch {
      case .exposures(let rows):
        let kept = rows.filter { row in
          guard let id = row.id else { return true }
          if exposureIDs.insert(id).inserted { return true }
          skipped += 1
          return false
        }
        result.append(.exposures(kept))
      case .events(let rows):
        let kept = rows.filter { row in
          if eventIDs.insert(row.id).inserted { return true }
          skipped += 1
          return false
        }
        result.append(.events(kept))
      }
      repeated.append(skipped)
    }
    return (result, repeated)
  }
}

extension IngestBatch {
  /// The batches without the rows of `withdrawn` units: what is left, the rows refused in each batch, and the
  /// refused rows counted by kind (`exposure`, `event`) and subject (experiment, metric), in subject order.
  static func refusing(_ withdrawn: Set<String>, in batches: [IngestBatch]) -> (
    batches: [IngestBatch], refused: [Int], counts: [RefusedItemCount]
  ) {
    guard !withdrawn.isEmpty else { return (batches, batches.map { _ in 0 }, []) }
    var counts: [String: [String: Int]] = [:]
    var refused: [Int] = []
    var kept: [IngestBatch] = []
    for batch in batches {
      switch batch {
      case .exposures(let rows):
        let left = rows.filter { !withdrawn.contains($0.unit) }
        for row in rows where withdrawn.contains(row.unit) {
          counts["exposure", default: [:]][row.experiment, default: 0] += 1
        }
        refused.append(rows.count - left.count)
        kept.append(.exposures(left))
      case .events(let rows):
        let left = rows.filter { !withdrawn.contains($0.unit) }
        for row in rows where withdrawn.contains(row.unit) {
          counts["event", default: [:]][row.metric, default: 0] += 1
        }
        refused.append(rows.count - left.count)
        kept.append(.events(left))
      }
    }
    let flat = counts.sorted { $0.key < $1.key }.flatMap { kind, subjects in
      subjects.sorted { $0.key < $1.key }.map { RefusedItemCount(kind: kind, subject: $0.key, count: $0.value) }
    }
    return (kept, refused, flat)
  }

  /// The units of the batches' rows.
  var units: Set<String> {
    switch self {
    case .exposures(let rows): return Set(rows.map(\.unit))
    case .events(let rows): return Set(rows.map(\.unit))
    }
  }
}

/// The units of a transaction's batches whose consent the store checks inside the transaction, with their keyed
/// hashes (``AuditKey/hash(unit:)``), which the `consent` table holds.
///
/// The rows of a unit whose latest consent change (the `consent` table) withdrew consent are refused and counted in
/// the same transaction that writes the rest, so once a withdrawal is committed (and acknowledged) no row of the
/// unit is stored by any server sharing the database: SQLite has one writer at a time, and on PostgreSQL ingestion
/// holds a shared advisory lock that a consent change takes exclusively (``PostgresStore/consentGate``).
///
/// The hashes (one HMAC-SHA256 per unit) are made by the request's handler, concurrently with other requests, before
/// the batch joins the queue of the one writer (``IngestQueue``), whenever the server knows of any consent change
/// (``ConsentRegistry/knowsChanges``). A server that knows of none (a change made by another server sharing the
/// database reaches it at the next poll) leaves them to the store, which makes them in the transaction only if the
/// `consent` table has a row (SQLite checks; PostgreSQL always asks for them): so a database where no unit ever
/// changed consent pays no HMAC per item, and one where units did pays them outside the serialized write.
public struct ConsentCheck: Sendable {
  /// One batch's units: those hashed by the caller, and the others with the key to hash them with.
  private struct Part: Sendable {
    var hashed: [String: String]
    var key: AuditKey?
    var units: [String]
  }

  /// Per batch of the transaction (a group commit's transaction lists its batches' checks, so merging copies nothing).
  private let parts: [Part]

  /// Hashes given as they are (tests).
  public init(hashes: [String: String]) {
    parts = [Part(hashed: hashes, key: nil, units: [])]
  }

  private init(parts: [Part]) {
    self.parts = parts
  }

  /// The units of `batches`, hashed under `key` here (on the caller's task) when `hashNow`, else when the store asks
  /// (``hashes``).
  public init(key: AuditKey, batches: [IngestBatch], hashNow: Bool) {
    var units: Set<String> = []
    for batch in batches { units.formUnion(batch.units) }
    if hashNow {
      var hashed: [String: String] = [:]
      hashed.reserveCapacity(units.count)
      for unit in units { hashed[unit] = key.hash(unit: unit) }
      parts = [Part(hashed: hashed, key: key, units: [])]
    } else {
      parts = [Part(hashed: [:], key: key, units: Array(units))]
    }
  }

  /// No check: for stores used without consent records (tests of the running totals).
  public static let none = ConsentCheck(hashes: [:])

  /// Whether there is no unit to check.
  var isEmpty: Bool { parts.allSatisfy { $0.hashed.isEmpty && $0.units.isEmpty } }

  /// Unit id → keyed hash, for every unit to check: those the callers made, and one HMAC-SHA256 here for each of the
  /// others (a unit in several batches keeps the first's hash).
  var hashes: [String: String] {
    if parts.count == 1, parts[0].units.isEmpty { return parts[0].hashed }
    var hashes: [String: String] = [:]
    for part in parts { hashes.merge(part.hashed) { first, _ in first } }
    for part in parts {
      guard let key = part.key else { continue }
      for unit in part.units where hashes[unit] == nil { hashes[unit] = key.hash(unit: unit) }
    }
    return hashes
  }

  /// Calls `body` with each unit to check and its keyed hash, as ``hashes`` has them but without merging the batches'
  /// hashes into one dictionary on the writer: a unit in several batches may come more than once (each time with its
  /// one hash), and a unit no caller hashed is hashed here once.
  func forEachHash(_ body: (_ unit: String, _ hash: String) throws -> Void) rethrows {
    for part in parts {
      for (unit, hash) in part.hashed { try body(unit, hash) }
    }
    guard parts.contains(where: { !$0.units.isEmpty }) else { return }
    // The units already given (a caller hashed them) or hashed here, in one set made once per check: a look-up per
    // unit, not a scan of every batch's hashes (a group commit's check has a part per batch).
    var seen: Set<String> = []
    seen.reserveCapacity(parts.reduce(0) { $0 + $1.hashed.count + $1.units.count })
    for part in parts { seen.formUnion(part.hashed.keys) }
    for part in parts {
      guard let key = part.key else { continue }
      for unit in part.units where seen.insert(unit).inserted { try body(unit, key.hash(unit: unit)) }
    }
  }

  /// The checks' units together (a group commit's transaction carries several batches).
  static func merged(_ checks: [ConsentCheck]) -> ConsentCheck {
    ConsentCheck(parts: checks.flatMap(\.parts))
  }
}
