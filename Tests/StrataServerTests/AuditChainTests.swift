import StrataServer
import Testing

@Suite struct AuditChainTests {
  /// Five records as the service appends them.
  func chain() -> (records: [AuditRecord], head: AuditHead) {
    var records: [AuditRecord] = []
    for index in 1...5 {
      let previous = records.last.map { (sequence: $0.sequence, hash: $0.recordHash) }
      records.append(
        AuditRecord(
          after: previous, recordedAt: "2026-12-03T10:00:0\(index)Z",
          action: index % 2 == 0 ? .consentGranted : .consentWithdrawn, unit: String(repeating: "ab", count: 32),
          actor: "backend", detail: index % 2 == 0 ? #"{"granted":true}"# : #"{"granted":false}"#))
    }
    let last = records[records.count - 1]
    return (records, AuditHead(sequence: last.sequence, hash: last.recordHash))
  }

  func brokenAt(_ verification: AuditVerification) -> Int? {
    if case .broken(let sequence, _) = verification { return sequence }
    return nil
  }

  @Test func anIntactChainVerifies() {
    let (records, head) = chain()
    #expect(AuditChain.verify(records, head: head) == .intact(records: 5, head: head))
    #expect(AuditChain.verify([], head: nil) == .intact(records: 0, head: nil))
    #expect(records[0].previousHash == AuditRecord.genesisHash)
    #expect(records[1].previousHash == records[0].recordHash)
  }

  @Test func theHashIsSHA256OfTheCanonicalArray() {
    let record = AuditRecord(
      after: nil, recordedAt: "2026-12-03T10:00:00Z", action: .erasure, unit: "u", actor: "-", detail: "{}")
    #expect(
      String(decoding: record.canonicalBytes, as: UTF8.self)
        == #"[1,"2026-12-03T10:00:00Z","erasure","u","-","{}","\#(AuditRecord.genesisHash)"]"#)
    // sha256 of that exact text, from Python's hashlib.
    #expect(record.recordHash == "10672766960ed48aeedeecfa4ef75dbc97ecf614b1a130135ff8bfd0e1455319")
  }

  @Test func anEditedRecordIsNamed() {
    var (records, head) = chain()
    records[2].detail = #"{"granted":true}"#
    #expect(brokenAt(AuditChain.verify(records, head: head)) == 3)
    // Recomputing the edited record's hash moves the break to the next record, which holds the old hash.
    records[2].recordHash = records[2].computedHash
    #expect(brokenAt(AuditChain.verify(records, head: head)) == 4)
    // Rewriting the whole tail from there on is caught by the head.
    for index in 3..<records.count {
      records[index].previousHash = records[index - 1].recordHash
      records[index].recordHash = records[index].computedHash
    }
    #expect(brokenAt(AuditChain.verify(records, head: head)) == 5)
  }

  @Test func aDeletedRecordIsNamed() {
    var (records, head) = chain()
    records.remove(at: 1)
    #expect(brokenAt(AuditChain.verify(records, head: head)) == 2)
    (records, head) = chain()
    records.removeLast()
    #expect(brokenAt(AuditChain.verify(records, head: head)) == 5)
    (records, head) = chain()
    records.removeFirst()
    #expect(brokenAt(AuditChain.verify(records, head: head)) == 1)
  }

  @Test func reorderedRecordsAreNamed() {
    var (records, head) = chain()
    // Swap the sequence numbers of records 2 and 3 (what reordering rows in a table amounts to).
    (records[1].sequence, records[2].sequence) = (records[2].sequence, records[1].sequence)
    records.sort { $0.sequence < $1.sequence }
    #expect(brokenAt(AuditChain.verify(records, head: head)) == 2)
    (records, head) = chain()
    records.swapAt(3, 4)
    #expect(brokenAt(AuditChain.verify(records, head: head)) == 4)
  }

  @Test func aMissingOrForeignHeadIsCaught() {
    let (records, head) = chain()
    #expect(brokenAt(AuditChain.verify(records, head: nil)) == 5)
    #expect(brokenAt(AuditChain.verify([], head: head)) == 1)
    #expect(brokenAt(AuditChain.verify(records, head: AuditHead(sequence: 5, hash: records[0].recordHash))) == 5)
    #expect(
      brokenAt(
        AuditChain.verify(
          Array(records.prefix(4)) + [records[4]], head: AuditHead(sequence: 4, hash: records[3].recordHash))) == 5)
  }
}
