import Logging
import PostgresNIO

/// ``ConsentStore`` (declared through ``ServiceStore``).
extension PostgresStore {
  /// Serialises appends to the audit log across every server sharing the database.
  static let auditLock: Int64 = 0x5354_5241_4155  // "STRAAU"

  public func claimAuditKey(fingerprint: String) async throws -> String {
    let now = timestamp()
    try await self.rows(
      """
      INSERT INTO audit_key (id, fingerprint, created_at) VALUES (1, \(fingerprint), \(now))
      ON CONFLICT (id) DO NOTHING
      """)
    let rows = try await self.rows("SELECT fingerprint FROM audit_key WHERE id = 1")
    for stored in try rows.decode(String.self) { return stored }
    return fingerprint
  }

  public func consentStates(after sequence: Int) async throws -> [ConsentState] {
    var states: [ConsentState] = []
    let rows = try await self.rows(
      "SELECT unit, granted, audit_sequence FROM consent WHERE audit_sequence > \(sequence) ORDER BY audit_sequence")
    for (unit, granted, sequence) in try rows.decode((String, Bool, Int).self) {
      states.append(ConsentState(unit: unit, granted: granted, sequence: sequence))
    }
    return states
  }

  public func recordConsent(_ change: ConsentChange) async throws -> AuditRecord {
    let logger = self.logger
    // Exclusive: waits for the ingestion transactions that read consent before this change, and makes later ones wait
    // until it commits (``consentGate``).
    return try await withTransaction(first: "pg_advisory_xact_lock(\(PostgresStore.consentGate))") { connection in
      let record = try await PostgresStore.appendAudit(connection, logger: logger) { change.record(after: $0) }
      try await connection.query(
        """
        INSERT INTO consent (unit, granted, changed_at, audit_sequence)
        VALUES (\(change.unit), \(change.granted), \(record.recordedAt), \(record.sequence))
        ON CONFLICT (unit) DO UPDATE SET granted = excluded.granted, changed_at = excluded.changed_at,
        audit_sequence = excluded.audit_sequence
        """, logger: logger)
      return record
    }
  }

  /// Appends the record `make` builds after the current head and moves the head, under the audit lock; call inside
  /// a transaction.
  static func appendAudit(
    _ connection: StoreConnection, logger: Logger,
    _ make: ((sequence: Int, hash: String, recordedAt: String)?) -> AuditRecord
  ) async throws -> AuditRecord {
    try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresStore.auditLock))", logger: logger)
    var head: (sequence: Int, hash: String, recordedAt: String)?
    for try await row in try await connection.query(
      "SELECT sequence, record_hash, recorded_at FROM audit_head WHERE id = 1", logger: logger
    ).decode((Int, String, String).self) {
      head = row
    }
    let record = make(head)
    try await connection.query(
      """
      INSERT INTO audit_log (sequence, recorded_at, action, unit, actor, detail, previous_hash, record_hash)
      VALUES (\(record.sequence), \(record.recordedAt), \(record.action), \(record.unit), \(record.actor),
      \(record.detail), \(record.previousHash), \(record.recordHash))
      """, logger: logger)
    try await connection.query(
      """
      INSERT INTO audit_head (id, sequence, record_hash, recorded_at)
      VALUES (1, \(record.sequence), \(record.recordHash), \(record.recordedAt))
      ON CONFLICT (id) DO UPDATE SET sequence = excluded.sequence, record_hash = excluded.record_hash,
      recorded_at = excluded.recorded_at
      """, logger: logger)
    return record
  }

  public func auditLog() async throws -> (records: [AuditRecord], head: AuditHead?) {
    var records: [AuditRecord] = []
    let rows = try await self.rows(
      """
      SELECT sequence, recorded_at, action, unit, actor, detail, previous_hash, record_hash
      FROM audit_log ORDER BY sequence
      """)
    for (sequence, recordedAt, action, unit, actor, detail, previousHash, recordHash) in try rows.decode(
      (Int, String, String, String, String, String, String, String).self)
    {
      records.append(
        AuditRecord(
          sequence: sequence, recordedAt: recordedAt, action: action, unit: unit, actor: actor, detail: detail,
          previousHash: previousHash, recordHash: recordHash))
    }
    var head: AuditHead?
    for (sequence, hash) in try await self.rows(
      "SELECT sequence, record_hash FROM audit_head WHERE id = 1"
    ).decode((Int, String).self) {
      head = AuditHead(sequence: sequence, hash: hash)
    }
    return (records, head)
  }

  public func refusedCounts() async throws -> [RefusedItemCount] {
    var counts: [RefusedItemCount] = []
    let rows = try await self.rows(
      "SELECT kind, subject, count FROM consent_refused_items ORDER BY kind, subject")
    for (kind, subject, count) in try rows.decode((String, String, Int).self) {
      counts.append(RefusedItemCount(kind: kind, subject: subject, count: count))
    }
    return counts
  }
}
