/// One record of the consent and erasure audit log.
///
/// Records form a hash chain: each holds the SHA-256 of the record before it (`previousHash`; 64 zeros for the
/// first), and its own `recordHash` is the SHA-256 of its canonical bytes, which include `previousHash`. Editing,
/// deleting or reordering any record therefore breaks the chain at that record, and `strata audit verify` names
/// it. Unit ids never appear: `unit` is the HMAC-SHA256 of the unit id under the server's audit key.
///
/// The canonical bytes are the compact JSON array
///
/// ```
/// [sequence, recorded_at, action, unit, actor, detail, previous_hash]
/// ```
///
/// (numbers as integers, everything else as JSON text, no spaces), so the chain can be checked by any tool that
/// computes SHA-256 (docs/service.md shows a Python check).
public struct AuditRecord: Sendable, Hashable {
  /// 1, 2, 3, … with no gaps.
  public var sequence: Int
  /// ISO 8601 UTC time the record was appended.
  public var recordedAt: String
  /// An ``AuditAction`` raw value (kept as text, so a tampered value is still read and reported).
  public var action: String
  /// Lowercase hex HMAC-SHA256 of the unit id under the audit key.
  public var unit: String
  /// The API key name that made the change (`-` when the service runs without keys).
  public var actor: String
  /// Compact JSON object with the action's details (`{"granted":false}`, erasure counts).
  public var detail: String
  /// `recordHash` of the previous record; ``AuditRecord/genesisHash`` for the first.
  public var previousHash: String
  /// Lowercase hex SHA-256 of ``canonicalBytes``.
  public var recordHash: String

  /// What the previous hash of the first record is.
  public static let genesisHash = String(repeating: "0", count: 64)

  /// Makes the record that follows `previous` (nil: the first), computing its hash.
  public init(
    after previous: (sequence: Int, hash: String)?, recordedAt: String, action: AuditAction, unit: String,
    actor: String, detail: String
  ) {
    sequence = (previous?.sequence ?? 0) + 1
    self.recordedAt = recordedAt
    self.action = action.rawValue
    self.unit = unit
    self.actor = actor
    self.detail = detail
    previousHash = previous?.hash ?? AuditRecord.genesisHash
    recordHash = ""
    recordHash = computedHash
  }

  /// A record as stored (its hash as stored, not recomputed).
  public init(
    sequence: Int, recordedAt: String, action: String, unit: String, actor: String, detail: String,
    previousHash: String, recordHash: String
  ) {
    self.sequence = sequence
    self.recordedAt = recordedAt
    self.action = action
    self.unit = unit
    self.actor = actor
    self.detail = detail
    self.previousHash = previousHash
    self.recordHash = recordHash
  }

  /// The bytes whose SHA-256 is the record's hash.
  public var canonicalBytes: [UInt8] {
    var bytes: [UInt8] = []
    JSON.array([
      .integer(sequence), .string(recordedAt), .string(action), .string(unit), .string(actor),
      .string(detail), .string(previousHash),
    ]).write(to: &bytes)
    return bytes
  }

  /// The SHA-256 of the record's canonical bytes, recomputed.
  public var computedHash: String { Catalog.sha256(canonicalBytes) }
}

/// What an audit record records.
public enum AuditAction: String, Sendable, Hashable, CaseIterable {
  /// The unit granted consent (a refusal recorded earlier no longer applies).
  case consentGranted = "consent_granted"
  /// The unit refused or withdrew consent: it is never assigned and its later data is refused.
  case consentWithdrawn = "consent_withdrawn"
  /// The unit's stored exposures and events were erased.
  case erasure
}
