/// What a store keeps for consent and the audit log (both backends; tables in ``StoreSchema``, migration 2).
///
/// - `audit_key`: the fingerprint of the audit key in use (one row);
/// - `consent`: each unit's latest consent state, by keyed hash of the unit id, with the audit record that set it;
/// - `audit_log` + `audit_head`: the hash-chained log of consent changes and erasures, and its last record;
/// - `consent_refused_items`: how many exposures and events were refused because their unit had withdrawn consent.
///
/// Appending to the log is serialised (SQLite's single writer; a transaction-scoped advisory lock on PostgreSQL), so
/// several servers sharing one PostgreSQL database keep one chain.
public protocol ConsentStore {
  /// Records `fingerprint` as the audit key's when none is recorded; returns the recorded one (which differs when
  /// the database was used with another key).
  func claimAuditKey(fingerprint: String) async throws -> String
  /// Consent states set by audit records after `sequence`, in sequence order (0: every state).
  func consentStates(after sequence: Int) async throws -> [ConsentState]
  /// Sets a unit's consent state and appends its audit record, in one transaction; returns the record.
  func recordConsent(_ change: ConsentChange) async throws -> AuditRecord
  /// The whole audit log in sequence order, and its head.
  func auditLog() async throws -> (records: [AuditRecord], head: AuditHead?)
  /// Every refused-item count.
  func refusedCounts() async throws -> [RefusedItemCount]
  /// Removes a unit's exposures, exposure ids and events, counts the removed exposures in `erased_exposures` and
  /// appends the erasure's audit record, in one transaction.
  func erase(_ erasure: Erasure) async throws -> ErasureOutcome
  /// Units erased so far, by experiment and variant.
  func erasedExposures() async throws -> [String: [String: Int]]
}

/// A unit's consent state as stored: the keyed hash of its id, and the audit record that set it.
public struct ConsentState: Sendable, Hashable {
  /// Lowercase hex HMAC-SHA256 of the unit id (``AuditKey/hash(unit:)``).
  public var unit: String
  public var granted: Bool
  public var sequence: Int

  public init(unit: String, granted: Bool, sequence: Int) {
    self.unit = unit
    self.granted = granted
    self.sequence = sequence
  }
}

/// A consent change to record.
public struct ConsentChange: Sendable {
  /// The keyed hash of the unit id.
  public var unit: String
  public var granted: Bool
  /// The API key name that sent it.
  public var actor: String
  /// ISO 8601 UTC.
  public var time: String
}

/// How many items of a kind (`exposure`, `event`) were refused for a subject (the experiment of an exposure, the
/// metric of an event).
public struct RefusedItemCount: Sendable, Hashable {
  public var kind: String
  public var subject: String
  public var count: Int

  public init(kind: String, subject: String, count: Int) {
    self.kind = kind
    self.subject = subject
    self.count = count
  }
}

extension ConsentChange {
  /// The audit record that follows `head`: consent granted or withdrawn, at `time` or the head's time if the clock
  /// (of this server, or of another sharing the database) is behind it, so records never go back in time.
  func record(after head: (sequence: Int, hash: String, recordedAt: String)?) -> AuditRecord {
    AuditRecord(
      after: head.map { ($0.sequence, $0.hash) }, recordedAt: max(time, head?.recordedAt ?? time),
      action: granted ? .consentGranted : .consentWithdrawn, unit: unit, actor: actor,
      detail: JSON.object([("granted", .bool(granted))]).serialized())
  }
}
