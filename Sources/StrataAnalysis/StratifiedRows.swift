import StrataAssignment

/// The rows of a stratified batch held compactly until the deal: unit ids as bytes in one arena, the
/// online result and variant hash per row (about 40 bytes a row plus the id), never a `String` per unit.
struct StratifiedRows {
  private var unitBytes: [UInt8] = []
  private var unitEnds: [Int] = []
  private var lines: [Int] = []
  private var hashes: [UInt32] = []
  private var duplicate: [Bool] = []
  private(set) var results: [CompactAssignment] = []

  var count: Int { results.count }

  mutating func append(unit: UnsafeRawBufferPointer, line: Int, result: CompactAssignment, hash: UInt32) {
    unitBytes.append(contentsOf: unit)
    unitEnds.append(unitBytes.count)
    lines.append(line)
    hashes.append(hash)
    duplicate.append(false)
    results.append(result)
  }

  func withUnit<Result>(_ row: Int, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
    let start = row == 0 ? 0 : unitEnds[row - 1]
    return unitBytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start..<unitEnds[row]])) }
  }

  func isDuplicate(_ row: Int) -> Bool { duplicate[row] }

  /// Whether row `left`'s id sorts before row `right`'s by UTF-8 bytes.
  private func unitPrecedes(_ left: Int, _ right: Int) -> Bool {
    withUnit(left) { a in withUnit(right) { b in a.lexicographicallyPrecedes(b) } }
  }

  private func sameUnit(_ left: Int, _ right: Int) -> Bool {
    withUnit(left) { a in withUnit(right) { b in a.elementsEqual(b) } }
  }

  /// Marks every repeat of a unit id after its first row; returns them in line order.
  mutating func markDuplicates() -> [(line: Int, firstLine: Int, unit: String)] {
    var order = Array(0..<count)
    order.sort { left, right in
      if hashes[left] != hashes[right] { return hashes[left] < hashes[right] }
      if !sameUnit(left, right) { return unitPrecedes(left, right) }
      return left < right
    }
    var found: [(line: Int, firstLine: Int, unit: String)] = []
    var first = order.first ?? 0
    for position in order.indices.dropFirst() {
      let row = order[position]
      let previous = order[position - 1]
      if hashes[row] == hashes[previous] && sameUnit(row, previous) {
        duplicate[row] = true
        found.append((lines[row], lines[first], withUnit(row) { String(decoding: $0, as: UTF8.self) }))
      } else {
        first = row
      }
    }
    return found.sorted { $0.line < $1.line }
  }

  /// Deals the included rows of each segment (spec §6) and records their variants.
  mutating func deal(_ experiment: Experiment) {
    var groups = [[(hash: UInt32, index: Int)]](repeating: [], count: experiment.segments.count)
    for row in 0..<count where !duplicate[row] && results[row].reason == .assigned {
      if let segment = results[row].segmentIndex { groups[segment].append((hashes[row], row)) }
    }
    for (segment, members) in groups.enumerated() where !members.isEmpty {
      for (row, variant) in experiment.deal(segment: segment, members: members, unitPrecedes: unitPrecedes) {
        let online = results[row]
        results[row] = CompactAssignment(
          segmentIndex: online.segmentIndex, variantIndex: variant, bucket: online.bucket, reason: .stratified)
      }
    }
  }
}
