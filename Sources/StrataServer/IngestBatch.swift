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

/// The units of a transaction's batches whose consent the store checks inside the transaction, with the key that turns
/// them into the keyed hashes (``AuditKey/hash(unit:)``) the `consent` table holds.
///
/// The rows of a unit whose latest consent change (the `consent` table) withdrew consent are refused and counted in
/// the same transaction that writes the rest, so once a withdrawal is committed (and acknowledged) no row of the
/// unit is stored by any server sharing the database: SQLite has one writer at a time, and on PostgreSQL ingestion
/// holds a shared advisory lock that a consent change takes exclusively (``PostgresStore/consentGate``).
///
/// The hashes are made when a store asks for them (``hashes``): SQLite asks only when the `consent` table has a
/// row, so a database where no unit ever changed consent pays no HMAC per item.
public struct ConsentCheck: Sendable {
  /// Units and the key to hash them with (a transaction of group commit merges its batches' checks).
  private var parts: [(key: AuditKey, units: Set<String>)]
  /// Hashes given as they are (tests).
  private var given: [String: String]

  public init(hashes: [String: String]) {
    parts = []
    given = hashes
  }

  /// The units of `batches`, to hash under `key`.
  public init(key: AuditKey, batches: [IngestBatch]) {
    var units: Set<String> = []
    for batch in batches { units.formUnion(batch.units) }
    parts = [(key, units)]
    given = [:]
  }

  /// No check: for stores used without consent records (tests of the running totals).
  public static let none = ConsentCheck(hashes: [:])

  /// Whether there is no unit to check.
  var isEmpty: Bool { given.isEmpty && parts.allSatisfy(\.units.isEmpty) }

  /// Unit id → keyed hash, for every unit to check (one HMAC-SHA256 per unit, made here).
  var hashes: [String: String] {
    var hashes = given
    for (key, units) in parts {
      for unit in units where hashes[unit] == nil { hashes[unit] = key.hash(unit: unit) }
    }
    return hashes
  }

  /// Both checks' units (a group commit's transaction carries several batches); a unit in both keeps the first's
  /// hash.
  func merging(_ other: ConsentCheck) -> ConsentCheck {
    var merged = self
    merged.given.merge(other.given) { first, _ in first }
    merged.parts += other.parts
    return merged
  }
}
