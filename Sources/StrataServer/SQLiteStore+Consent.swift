import GRDB

/// ``ConsentStore`` (declared through ``ServiceStore``).
extension SQLiteStore {
  public func claimAuditKey(fingerprint: String) async throws -> String {
    try await pool.write { db in
      try db.execute(
        sql: "INSERT INTO audit_key (id, fingerprint, created_at) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING",
        arguments: [fingerprint, timestamp()])
      return try String.fetchOne(db, sql: "SELECT fingerprint FROM audit_key WHERE id = 1") ?? fingerprint
    }
  }

  public func consentStates(after sequence: Int) async throws -> [ConsentState] {
    try await pool.read { db in
      try Row.fetchAll(
        db, sql: "SELECT unit, granted, audit_sequence FROM consent WHERE audit_sequence > ? ORDER BY audit_sequence",
        arguments: [sequence]
      ).map { row in ConsentState(unit: row["unit"], granted: row["granted"], sequence: row["audit_sequence"]) }
    }
  }

  public func recordConsent(_ change: ConsentChange) async throws -> AuditRecord {
    try await pool.write { db in
      let record = try SQLiteStore.appendAudit(db) { change.record(after: $0) }
      try db.execute(
        sql: """
          INSERT INTO consent (unit, granted, changed_at, audit_sequence) VALUES (?, ?, ?, ?)
          ON CONFLICT (unit) DO UPDATE SET granted = excluded.granted, changed_at = excluded.changed_at,
          audit_sequence = excluded.audit_sequence
          """,
        arguments: [change.unit, change.granted, record.recordedAt, record.sequence])
      return record
    }
  }

  /// Appends the record `make` builds after the current head, and moves the head; call inside a write transaction.
  static func appendAudit(
    _ db: Database, _ make: ((sequence: Int, hash: String, recordedAt: String)?) -> AuditRecord
  ) throws -> AuditRecord {
    let head = try Row.fetchOne(db, sql: "SELECT sequence, record_hash, recorded_at FROM audit_head WHERE id = 1")
      .map { row -> (sequence: Int, hash: String, recordedAt: String) in
        (row["sequence"], row["record_hash"], row["recorded_at"])
      }
    let record = make(head)
    try db.execute(
      sql: """
        INSERT INTO audit_log (sequence, recorded_at, action, unit, actor, detail, previous_hash, record_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """,
      arguments: [
        record.sequence, record.recordedAt, record.action, record.unit, record.actor, record.detail,
        record.previousHash, record.recordHash,
      ])
    try db.execute(
      sql: """
        INSERT INTO audit_head (id, sequence, record_hash, recorded_at) VALUES (1, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET sequence = excluded.sequence, record_hash = excluded.record_hash,
        recorded_at = excluded.recorded_at
        """,
      arguments: [record.sequence, record.recordHash, record.recordedAt])
    return record
  }

  public func auditLog() async throws -> (records: [AuditRecord], head: AuditHead?) {
    try await pool.read { db in
      let records = try Row.fetchAll(
        db,
        sql: """
          SELECT sequence, recorded_at, action, unit, actor, detail, previous_hash, record_hash
          FROM audit_log ORDER BY sequence
          """
      ).map { row in
        AuditRecord(
          sequence: row["sequence"], recordedAt: row["recorded_at"], action: row["action"], unit: row["unit"],
          actor: row["actor"], detail: row["detail"], previousHash: row["previous_hash"],
          recordHash: row["record_hash"])
      }
      let head = try Row.fetchOne(db, sql: "SELECT sequence, record_hash FROM audit_head WHERE id = 1").map { row in
        AuditHead(sequence: row["sequence"], hash: row["record_hash"])
      }
      return (records, head)
    }
  }

  public func refusedCounts() async throws -> [RefusedItemCount] {
    try await pool.read { db in
      try Row.fetchAll(db, sql: "SELECT kind, subject, count FROM consent_refused_items ORDER BY kind, subject").map {
        row in RefusedItemCount(kind: row["kind"], subject: row["subject"], count: row["count"])
      }
    }
  }
}
