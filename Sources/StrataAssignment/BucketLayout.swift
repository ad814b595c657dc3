/// The variant ranges of one segment over the 10,000 buckets (docs/assignment-spec.md §3).
///
/// With weights w₀…w_{k−1} (exact ten-thousandths), W = Σw, cumulative C_i = Σ_{j<i} w_j and traffic t
/// (ten-thousandths of 1):
/// ```
/// start_i = ⌊10000·C_i / W⌋        width_i = ⌊10000·C_{i+1} / W⌋ − start_i
/// active_i = ⌊width_i · t / 10000⌋  variant i owns buckets [start_i, start_i + active_i)
/// ```
/// Integers only. Raising traffic only extends each range from its fixed start, so a unit that was
/// assigned keeps its variant; changing weights or the order of variants does move units.
public struct BucketLayout: Sendable, Hashable {
  /// Number of buckets: hash mod 10000.
  public static let bucketCount = 10_000

  /// First bucket of each variant's slot.
  public let starts: [Int]
  /// One past the last active bucket of each variant (`starts[i] ... activeEnds[i] - 1`).
  public let activeEnds: [Int]
  /// The weights reduced by their greatest common divisor: one stratified block holds variant i this
  /// many times.
  public let blockCounts: [Int]

  /// Lays out `weights` (ten-thousandths, at least one positive) at `traffic` (ten-thousandths, 0...10000).
  public init(weights: [Int], traffic: Int) {
    precondition(weights.allSatisfy { $0 >= 0 } && weights.contains { $0 > 0 }, "weights are validated before layout")
    precondition((0...10_000).contains(traffic), "traffic is validated before layout")
    let total = weights.reduce(0, +)
    var starts: [Int] = []
    var ends: [Int] = []
    var cumulative = 0
    for weight in weights {
      let start = BucketLayout.bucketCount * cumulative / total
      cumulative += weight
      let end = BucketLayout.bucketCount * cumulative / total
      starts.append(start)
      ends.append(start + (end - start) * traffic / 10_000)
    }
    self.starts = starts
    self.activeEnds = ends
    let divisor = weights.reduce(0) { BucketLayout.greatestCommonDivisor($0, $1) }
    self.blockCounts = weights.map { $0 / divisor }
  }

  /// How many buckets variant `index` owns at full traffic (width_i); 0 for a weight below one ten-thousandth of
  /// the total, rounded down.
  public func width(of index: Int) -> Int {
    (index + 1 < starts.count ? starts[index + 1] : BucketLayout.bucketCount) - starts[index]
  }

  /// The variant owning `bucket`, or nil when the bucket is outside every active range (traffic).
  @inlinable
  public func variant(forBucket bucket: Int) -> Int? {
    var index = 0
    while index < starts.count {
      if bucket >= starts[index] && bucket < activeEnds[index] { return index }
      index += 1
    }
    return nil
  }

  static func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int {
    var (x, y) = (a, b)
    while y != 0 { (x, y) = (y, x % y) }
    return x
  }
}
