/// A right-to-erasure request: one unit's stored exposures and events are removed.
///
/// What stays: the counts (``ErasureOutcome/removedExposures`` per experiment and variant are added to the
/// `erased_exposures` table, so a result can say how many units were erased from each arm), the unit's consent
/// state and the audit log (both by keyed hash only), and planned looks already recorded (aggregates, no unit ids).
public struct Erasure: Sendable {
  /// The unit id as stored in exposures and events.
  public var unit: String
  /// Its keyed hash (for the audit record).
  public var unitHash: String
  /// The API key name that asked.
  public var actor: String
  /// ISO 8601 UTC.
  public var time: String
  /// The live plans the running totals are kept by (``LiveTotals/remove(_:plan:)``); nil: none known.
  var plans: LivePlans? = nil
}

/// What an erasure removed.
public struct ErasureOutcome: Sendable, Hashable {
  /// The (experiment, variant) pairs the unit was exposed to, in order: their results change.
  public var exposures: [ErasedExposure]
  /// Events removed, by metric, in metric order.
  public var events: [ErasedEvents]
  /// Exposure item ids removed (kept for deduplication until now).
  public var exposureIDs: Int
  /// The erasure's audit record.
  public var record: AuditRecord

  /// Exposure rows removed.
  public var removedExposures: Int { exposures.count }
  /// Event rows removed.
  public var removedEvents: Int { events.reduce(0) { $0 + $1.count } }
}

/// One exposure row removed.
public struct ErasedExposure: Sendable, Hashable {
  public var experiment: String
  public var variant: String
}

/// The events of one metric removed.
public struct ErasedEvents: Sendable, Hashable {
  public var metric: String
  public var count: Int
}

extension Erasure {
  /// The erasure's audit record after `head`: counts only (no unit id, no values).
  func record(
    after head: (sequence: Int, hash: String, recordedAt: String)?, exposures: [ErasedExposure],
    events: [ErasedEvents], exposureIDs: Int
  ) -> AuditRecord {
    let detail = JSON.object([
      ("exposures", .integer(exposures.count)), ("events", .integer(events.reduce(0) { $0 + $1.count })),
      ("exposure_ids", .integer(exposureIDs)),
      ("experiments", .array(Array(Set(exposures.map(\.experiment))).sorted().map(JSON.string))),
    ])
    return AuditRecord(
      after: head.map { ($0.sequence, $0.hash) }, recordedAt: max(time, head?.recordedAt ?? time), action: .erasure,
      unit: unitHash, actor: actor, detail: detail.serialized())
  }
}
