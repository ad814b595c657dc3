/// For each of a treatment's segments, the merge of one arm (control or treatment) over every other segment:
/// the "rest" of `SegmentContrast`.
///
/// Arms with no units add nothing (their mean is undefined). Two ways, exact in real arithmetic and equal up
/// to rounding:
/// - up to `directLimit` segments, each rest is merged from its segments directly (`merge`: count, pooled
///   mean, then the within plus between sums of squares about it), O(S²) arm visits;
/// - beyond, from running merges of the segments before and after it (Chan, Golub & LeVeque's pairwise update
///   of count, mean and M2 = Σ(x − x̄)²), O(S): 20,000 segments would otherwise take 4 × 10⁸ arm visits per
///   metric and treatment.
enum RestArms {
  /// Segment counts up to this merge each rest directly.
  static let directLimit = 256

  /// Count, mean and standard deviation (divisor n − 1) of an arm or a merge of arms.
  struct Arm: Equatable {
    var count: Double
    var mean: Double
    var standardDeviation: Double

    init(count: Double, mean: Double, standardDeviation: Double) {
      self.count = count
      self.mean = mean
      self.standardDeviation = standardDeviation
    }

    init(_ summary: ArmSummary) {
      self.init(count: summary.count, mean: summary.mean, standardDeviation: summary.standardDeviation)
    }
  }

  /// Count, mean and M2 of a running merge.
  private struct Moments {
    var count = 0.0
    var mean = 0.0
    var m2 = 0.0

    mutating func merge(_ other: Moments) {
      guard other.count > 0 else { return }
      guard count > 0 else {
        self = other
        return
      }
      let total = count + other.count
      let delta = other.mean - mean
      mean += delta * (other.count / total)
      m2 += other.m2 + delta * delta * (count * other.count / total)
      count = total
    }

    var arm: Arm? {
      guard count > 0 else { return nil }
      return Arm(count: count, mean: mean, standardDeviation: count > 1 ? (max(m2, 0) / (count - 1)).squareRoot() : 0)
    }
  }

  /// Entry `k`: the merge of every arm but `arms[k]`; nil when those have no units.
  static func rests(_ arms: [ArmSummary]) -> [Arm?] {
    guard arms.count > 1 else { return arms.map { _ in nil } }
    if arms.count <= directLimit {
      return arms.indices.map { here in
        merge(arms.indices.lazy.filter { $0 != here }.map { arms[$0] }).map(Arm.init)
      }
    }
    let moments = arms.map { arm in
      arm.count > 0
        ? Moments(count: arm.count, mean: arm.mean, m2: (arm.count - 1) * arm.standardDeviation * arm.standardDeviation)
        : Moments()
    }
    // after[k] merges arms k+1 ..< n; walking forward, `before` merges arms 0 ..< k.
    var after = [Moments](repeating: Moments(), count: moments.count)
    for index in moments.indices.dropLast().reversed() {
      after[index] = after[index + 1]
      after[index].merge(moments[index + 1])
    }
    var before = Moments()
    var rests: [Arm?] = []
    rests.reserveCapacity(moments.count)
    for index in moments.indices {
      var rest = before
      rest.merge(after[index])
      rests.append(rest.arm)
      before.merge(moments[index])
    }
    return rests
  }

  /// Arm summaries merged exactly.
  ///
  /// Total count, pooled mean, and the standard deviation of all values together (within sums of squares plus
  /// between-mean terms, divisor n − 1). Arms without units are skipped; nil when no arm has any.
  static func merge<Arms: Sequence<ArmSummary>>(_ all: Arms) -> ArmSummary? {
    let arms = all.filter { $0.count > 0 }
    let count = arms.reduce(0) { $0 + $1.count }
    guard count > 0, let first = arms.first else { return nil }
    let mean = arms.reduce(0) { $0 + $1.count * $1.mean } / count
    var squares = 0.0
    for arm in arms {
      squares += (arm.count - 1) * arm.standardDeviation * arm.standardDeviation
      squares += arm.count * (arm.mean - mean) * (arm.mean - mean)
    }
    return ArmSummary(
      variant: first.variant, count: count, missing: arms.reduce(0) { $0 + $1.missing }, mean: mean,
      standardDeviation: count > 1 ? (max(squares, 0) / (count - 1)).squareRoot() : 0,
      successes: arms.allSatisfy { $0.successes != nil } ? arms.reduce(0) { $0 + ($1.successes ?? 0) } : nil,
      zeroFilled: arms.reduce(0) { $0 + $1.zeroFilled })
  }
}
