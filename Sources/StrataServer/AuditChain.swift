/// Checks an audit log's hash chain (``AuditRecord``) and names the first broken record.
///
/// The records are read in stored order (by sequence). Record k is intact when its sequence is k, its
/// `previousHash` is the `recordHash` of record k − 1 (zeros for the first), its `recordHash` is the SHA-256 of its
/// canonical bytes, its action is known and its time is not before the previous record's. The head (the last
/// sequence and hash, kept in its own table and updated with every append) catches records deleted or added at the
/// end, which the chain alone cannot see.
public enum AuditChain {
  /// Verifies `records` against `head` (nil: the log was never written).
  public static func verify(_ records: [AuditRecord], head: AuditHead?) -> AuditVerification {
    var previous: AuditRecord?
    for (index, record) in records.enumerated() {
      let expected = index + 1
      let position = "record \(expected)"
      guard record.sequence == expected else {
        let cause =
          record.sequence > expected
          ? "sequence \(record.sequence) where \(expected) was expected: record \(expected) is missing"
          : "sequence \(record.sequence) where \(expected) was expected: records are out of order or repeated"
        return .broken(sequence: expected, reason: "\(position): \(cause)")
      }
      let previousHash = previous?.recordHash ?? AuditRecord.genesisHash
      guard record.previousHash == previousHash else {
        let what =
          previous == nil
          ? "the first record's previous hash must be zeros" : "it does not match record \(index)'s hash"
        return .broken(
          sequence: expected,
          reason:
            "\(position): previous_hash \(record.previousHash.prefix(12))… is wrong (\(what)): a record before it was changed, removed or moved"
        )
      }
      guard record.computedHash == record.recordHash else {
        return .broken(
          sequence: expected, reason: "\(position): its contents do not match its record_hash (the record was edited)")
      }
      guard AuditAction(rawValue: record.action) != nil else {
        return .broken(sequence: expected, reason: "\(position): unknown action \"\(record.action)\"")
      }
      if let previous, record.recordedAt < previous.recordedAt {
        return .broken(
          sequence: expected,
          reason: "\(position): recorded_at \(record.recordedAt) is before record \(index)'s \(previous.recordedAt)")
      }
      previous = record
    }
    let last = previous.map { AuditHead(sequence: $0.sequence, hash: $0.recordHash) }
    switch (head, last) {
    case (nil, nil): return .intact(records: 0, head: nil)
    case (nil, let last?):
      return .broken(
        sequence: last.sequence, reason: "record \(last.sequence): the log has records but its head is missing")
    case (let head?, nil):
      return .broken(
        sequence: 1, reason: "record 1 is missing: the head names record \(head.sequence) but the log is empty")
    case (let head?, let last?):
      if head.sequence > last.sequence {
        return .broken(
          sequence: last.sequence + 1,
          reason:
            "record \(last.sequence + 1) is missing: the log ends at record \(last.sequence) but its head names record \(head.sequence)"
        )
      }
      if head.sequence < last.sequence {
        return .broken(
          sequence: head.sequence + 1,
          reason:
            "record \(head.sequence + 1): the log goes past its head (record \(head.sequence)); records were added outside the service"
        )
      }
      guard head.hash == last.hash else {
        return .broken(
          sequence: last.sequence, reason: "record \(last.sequence): its hash does not match the head's")
      }
      return .intact(records: records.count, head: head)
    }
  }
}

/// The last record's sequence and hash, stored beside the log.
public struct AuditHead: Sendable, Hashable {
  public var sequence: Int
  public var hash: String

  public init(sequence: Int, hash: String) {
    self.sequence = sequence
    self.hash = hash
  }
}

/// The outcome of ``AuditChain/verify(_:head:)``.
public enum AuditVerification: Sendable, Hashable {
  /// Every record checks out; `head` is the last record (nil for an empty log).
  case intact(records: Int, head: AuditHead?)
  /// The first broken record's sequence (its position in the log) and what is wrong with it.
  case broken(sequence: Int, reason: String)
}
