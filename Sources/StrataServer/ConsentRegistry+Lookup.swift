/// Ingestion asks the registry which units of a batch withdrew consent (their rows are refused and counted).
extension ConsentRegistry: ConsentLookup {
  public func unitsWithoutConsent(_ units: Set<String>) async throws -> Set<String> {
    guard refusedCount > 0 else { return [] }
    return units.filter { isRefused(unit: $0) }
  }
}

extension ExposureRow {
  var refusalSubject: String { experiment }
}

extension EventRow {
  var refusalSubject: String { metric }
}

extension StrataService {
  /// Counts refused rows by subject in the store's `consent_refused_items` (kind `exposure` or `event`).
  func countRefused<Row: UnitRow>(_ rows: [Row], kind: String) async throws {
    var counts: [String: Int] = [:]
    for row in rows { counts[row.refusalSubject, default: 0] += 1 }
    let singular = kind.hasSuffix("s") ? String(kind.dropLast()) : kind
    try await store.countRefused(
      counts.sorted { $0.key < $1.key }.map { RefusedItemCount(kind: singular, subject: $0.key, count: $0.value) })
  }
}
