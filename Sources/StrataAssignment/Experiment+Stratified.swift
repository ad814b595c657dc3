/// A unit id seen twice in a stratified batch (each unit must be dealt once).
public struct DuplicateUnitError: Error, CustomStringConvertible, Sendable, Hashable {
  public var unit: String
  /// Positions (0-based) of the first and the repeated occurrence in the batch.
  public var firstIndex: Int
  public var index: Int

  public var description: String {
    "unit \"\(unit)\" appears twice (entries \(firstIndex + 1) and \(index + 1)); a stratified batch deals each unit once"
  }
}

extension Experiment {
  /// Assigns a known audience with exact balance within each segment (docs/assignment-spec.md §6).
  ///
  /// Exclusions (consent, eligibility, holdout, layer, traffic) are decided exactly as online. The
  /// remaining units of each segment are ordered by their 32-bit variant hash (ties by UTF-8 bytes of
  /// the id) and dealt variants in blocks: a block holds variant i `layouts[s].blockCounts[i]` times,
  /// shuffled by Fisher–Yates with j-th draw `hash(salt:stratified:segment:block:j) mod (j + 1)`.
  /// So each variant's count is within one block of its target, and the result depends only on the
  /// salt and the set of units, never on their order. Units added later get online assignments.
  ///
  /// - Parameter units: unit ids and slot-ordered attributes (see ``attributeNames``), ids unique.
  /// - Returns: one assignment per unit, in input order; dealt units have reason `stratified`.
  /// - Throws: `DuplicateUnitError` when a unit id appears twice.
  public func assignStratified(_ units: [(unit: String, attributes: [AttributeValue?])]) throws(DuplicateUnitError)
    -> [Assignment]
  {
    // Keyed by bytes: String equality is canonical equivalence, but "é" and "e\u{301}" are two units.
    var seen: [[UInt8]: Int] = [:]
    seen.reserveCapacity(units.count)
    var results: [Assignment] = []
    results.reserveCapacity(units.count)
    var groups = [[(hash: UInt32, index: Int)]](repeating: [], count: segments.count)
    for (index, entry) in units.enumerated() {
      if let first = seen.updateValue(index, forKey: Array(entry.unit.utf8)) {
        throw DuplicateUnitError(unit: entry.unit, firstIndex: first, index: index)
      }
      let online = assign(unit: entry.unit, attributes: entry.attributes)
      results.append(online)
      if online.reason == .assigned, let segment = online.segmentIndex {
        groups[segment].append((variantHash(unit: entry.unit), index))
      }
    }
    for (segmentIndex, group) in groups.enumerated() where !group.isEmpty {
      let dealt = deal(segment: segmentIndex, members: group) { left, right in
        units[left].unit.utf8.lexicographicallyPrecedes(units[right].unit.utf8)
      }
      for (index, variantIndex) in dealt {
        results[index].variantIndex = variantIndex
        results[index].variant = variants[variantIndex].key
        results[index].reason = .stratified
      }
    }
    return results
  }

  /// The stratified deal of one segment (spec §6, steps 2–5), for callers that keep their own storage
  /// (the CLI holds unit ids as bytes, not `String`s).
  ///
  /// - Parameters:
  ///   - segment: index into ``segments``.
  ///   - members: the segment's included units as (variant hash, caller's index); indices unique.
  ///   - unitPrecedes: whether the id of the unit with the first caller index sorts before the second's
  ///     by UTF-8 bytes (the tie-break when hashes are equal).
  /// - Returns: (caller's index, variant index) for every member, in dealing order.
  public func deal(
    segment: Int, members: [(hash: UInt32, index: Int)], unitPrecedes: (Int, Int) -> Bool
  ) -> [(index: Int, variant: Int)] {
    var members = members
    members.sort { left, right in
      left.hash != right.hash ? left.hash < right.hash : unitPrecedes(left.index, right.index)
    }
    let counts = layouts[segment].blockCounts
    let blockSize = counts.reduce(0, +)
    var block: [Int] = []
    var result: [(index: Int, variant: Int)] = []
    result.reserveCapacity(members.count)
    for (position, member) in members.enumerated() {
      if position % blockSize == 0 {
        block = dealingBlock(segment: segments[segment].name, number: position / blockSize, counts: counts)
      }
      result.append((member.index, block[position % blockSize]))
    }
    return result
  }

  /// Block `number` of a segment's deal: variant i repeated `counts[i]` times, in variant order, then
  /// shuffled by Fisher–Yates from the last position down with hash-seeded draws.
  public func dealingBlock(segment: String, number: Int, counts: [Int]) -> [Int] {
    var deck: [Int] = []
    for (variant, count) in counts.enumerated() {
      deck.append(contentsOf: repeatElement(variant, count: count))
    }
    var j = deck.count - 1
    while j > 0 {
      let draw = MurmurHash3.x86_32("\(salt):stratified:\(segment):\(number):\(j)")
      deck.swapAt(j, Int(draw % UInt32(j + 1)))
      j -= 1
    }
    return deck
  }
}
