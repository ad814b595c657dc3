/// Adjusted p-values for a family of tests (for example every metric × segment in one experiment).
///
/// With m p-values sorted ascending, p₍₁₎ ≤ … ≤ p₍ₘ₎:
/// ```
/// Bonferroni:          p̃ᵢ = min(1, m · pᵢ)
/// Holm (step-down):    p̃₍ᵢ₎ = min(1, max_{j ≤ i} (m − j + 1) · p₍ⱼ₎)
/// Benjamini–Hochberg:  p̃₍ᵢ₎ = min(1, min_{j ≥ i} m · p₍ⱼ₎ / j)
/// ```
/// Bonferroni and Holm control the family-wise error rate; Benjamini–Hochberg controls the false discovery
/// rate under independence or positive dependence. Results come back in the input order and match
/// `statsmodels.stats.multitest.multipletests(p, method="bonferroni" | "holm" | "fdr_bh")[1]`.
/// See [Holm 1979] and [Benjamini & Hochberg 1995].
///
/// [Holm 1979]: https://www.jstor.org/stable/4615733
/// [Benjamini & Hochberg 1995]: https://doi.org/10.1111/j.2517-6161.1995.tb02031.x
///
/// > S. Holm. "A simple sequentially rejective multiple test procedure." *Scand. J. Statist.* 6 (1979), 65–70.
/// > Y. Benjamini, Y. Hochberg. "Controlling the false discovery rate." *JRSS B* 57 (1995), 289–300.
public enum MultipleTestingCorrection: String, Sendable, Hashable, CaseIterable {
  case bonferroni
  case holm
  case benjaminiHochberg = "bh"

  /// Adjusted p-values in the original order, each capped at 1 and never below its raw value.
  ///
  /// Throws when a p-value is not in [0, 1]; an empty list gives an empty list.
  public func adjust(_ pValues: [Double]) throws(StatsError) -> [Double] {
    for (i, p) in pValues.enumerated() {
      try StatsError.require(p >= 0 && p <= 1, "p-values[\(i + 1)]", "must be in [0, 1], got \(p)")
    }
    let m = Double(pValues.count)
    if self == .bonferroni { return pValues.map { min(1, m * $0) } }
    // Ascending p, equal p-values in their input order (their adjusted values are equal anyway): one total order
    // on (p, position), so any sort gives this one permutation.
    let order = Self.ascending(pValues)
    var adjusted = [Double](repeating: 0, count: pValues.count)
    switch self {
    case .bonferroni:
      break
    case .holm:
      var running = 0.0
      for (rank, entry) in order.enumerated() {
        running = max(running, (m - Double(rank)) * entry.p)
        adjusted[entry.index] = min(1, running)
      }
    case .benjaminiHochberg:
      var running = 1.0
      for (rank, entry) in order.enumerated().reversed() {
        // p / (i/m), the order of operations statsmodels uses (it divides by the ECDF factor).
        running = min(running, entry.p / (Double(rank + 1) / m))
        adjusted[entry.index] = running
      }
    }
    return adjusted
  }

  /// The (p, position) pairs of `pValues` (each in [0, 1]) in ascending order of (p, position), 0 and −0 equal.
  ///
  /// Short lists are sorted by comparing the pairs. Longer ones by their bits: a p in [0, 1] orders as its bit
  /// pattern does (−0 read as 0), so a stable counting sort on each byte from the lowest up, starting from the
  /// input order, leaves equal p-values in their input order, the same permutation; bytes every p shares are
  /// skipped. At 2,000 p-values that is about a fifth of the stable merge sort's instructions (the segments'
  /// contrasts, the SRM rows and the family each sort one list per segment and treatment).
  static func ascending(_ pValues: [Double]) -> [(p: Double, index: Int)] {
    let count = pValues.count
    guard count >= 64 else {
      var order = pValues.enumerated().map { (p: $0.element, index: $0.offset) }
      order.sort { $0.p < $1.p || ($0.p == $1.p && $0.index < $1.index) }
      return order
    }
    var keys = pValues.map { $0 == 0 ? 0 : $0.bitPattern }
    var positions = Array(0..<count)
    // Every byte's counts from one pass over the keys: counts[byte × 256 + value].
    var counts = [Int](repeating: 0, count: 8 * 256)
    counts.withUnsafeMutableBufferPointer { counts in
      for key in keys {
        for byte in 0..<8 { counts[byte &<< 8 | Int(truncatingIfNeeded: key &>> UInt64(byte &* 8)) & 255] += 1 }
      }
    }
    var nextKeys = keys
    var nextPositions = positions
    var offsets = [Int](repeating: 0, count: 256)
    for byte in 0..<8 {
      let shift = UInt64(byte * 8)
      let base = byte << 8
      guard counts[base + Int(truncatingIfNeeded: keys[0] &>> shift) & 255] != count else { continue }
      var start = 0
      for value in 0..<256 {
        offsets[value] = start
        start += counts[base + value]
      }
      keys.withUnsafeBufferPointer { keys in
        positions.withUnsafeBufferPointer { positions in
          nextKeys.withUnsafeMutableBufferPointer { nextKeys in
            nextPositions.withUnsafeMutableBufferPointer { nextPositions in
              offsets.withUnsafeMutableBufferPointer { offsets in
                for i in 0..<count {
                  let value = Int(truncatingIfNeeded: keys[i] &>> shift) & 255
                  let target = offsets[value]
                  nextKeys[target] = keys[i]
                  nextPositions[target] = positions[i]
                  offsets[value] = target &+ 1
                }
              }
            }
          }
        }
      }
      swap(&keys, &nextKeys)
      swap(&positions, &nextPositions)
    }
    return positions.map { (p: pValues[$0], index: $0) }
  }
}
