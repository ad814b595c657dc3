import StrataStats

/// The moments of one value column in one variant × segment cell: count, mean, M2 = Σ(x − x̄)², the plain
/// sum, and the units whose value was missing.
///
/// Every source fills the same value: the unit-level reader adds values one at a time (Welford's update),
/// the aggregated reader builds one from a row's shifted sums (`init(count:shift:sum:sumOfSquares:missing:)`),
/// and partial cells from files, partitions or SQL rows combine with `merge` (Chan et al.'s pairwise update),
/// exact in real arithmetic and associative, so any order of merging gives the same moments up to rounding
/// (docs/analyze.md, "Cell statistics").
///
/// The moments are kept about a shift K (`shift`): Welford's update runs on x − K. A value's own digits are
/// then never lost to a huge mean: with a mean of 10⁹ and a standard deviation of 1, Welford on x itself
/// loses ~10⁻⁸ of the variance to the rounding of the running mean, on x − K nothing measurable. A cell
/// filled value by value takes K = its first value when that is at least 2²⁰ in magnitude, else K = 0 (so
/// the everyday case computes exactly what it always did); a cell from shifted sums takes their K.
public struct ColumnMoments: Sendable, Hashable {
  /// K: the moments below are of x − K.
  public private(set) var shift = 0.0
  /// Count, mean and M2 of x − K over the non-missing values.
  public private(set) var shiftedMoments = RunningMoments()
  /// The plain sum of the values (exact for 0/1 values up to 2⁵³ units).
  public var sum = 0.0
  /// Units whose value was missing and excluded by the metric's policy.
  public var missing = 0
  /// Units whose value was missing and counted as 0 (`missing: zero`), among `count`.
  ///
  /// Known for unit-level input, and for aggregated cells and SQL rows with `<c>_zero_filled`; other cells hold the
  /// filled sums without saying how many were filled.
  public var zeroFilled = 0

  /// Values from this magnitude on start a cell's shift (see the type's discussion).
  static let shiftThreshold = 1_048_576.0

  public init() {}

  /// A column from already-reduced moments.
  public init(count: Double, mean: Double, m2: Double, sum: Double, missing: Int = 0) {
    shiftedMoments = RunningMoments(count: count, mean: mean, m2: m2)
    self.sum = sum
    self.missing = missing
  }

  /// A column from all of its parts as they are stored (`SufficientStatistics` keeps them in two tables).
  init(shift: Double, shiftedMoments: RunningMoments, sum: Double, missing: Int, zeroFilled: Int) {
    self.shift = shift
    self.shiftedMoments = shiftedMoments
    self.sum = sum
    self.missing = missing
    self.zeroFilled = zeroFilled
  }

  /// A column from shifted sums over its `count` non-missing values: `sum` = Σ(x − K) and `sumOfSquares`
  /// = Σ(x − K)² with `shift` K.
  ///
  /// ```
  /// x̄ = K + Σ(x − K)/n        M2 = Σ(x − K)² − (Σ(x − K))²/n        Σx = Σ(x − K) + n·K
  /// ```
  /// The subtraction loses about ε · Σ(x − K)²/M2 = ε · (1 + n(x̄ − K)²/M2) relative: nothing when K is
  /// within a few standard deviations of the mean, everything when K = 0 and the mean is 10⁸ standard
  /// deviations away from 0. With K = 0 the result is bit for bit what an unshifted file always gave.
  public init(count: Double, shift: Double = 0, sum: Double, sumOfSquares: Double, missing: Int = 0) {
    self.missing = missing
    self.sum = shift == 0 ? sum : sum + count * shift
    guard count > 0 else { return }
    self.shift = shift
    let shiftedMean = sum / count
    shiftedMoments = RunningMoments(count: count, mean: shiftedMean, m2: max(0, sumOfSquares - sum * shiftedMean))
  }

  @inline(__always)
  public mutating func add(_ value: Double) {
    if shiftedMoments.count == 0 && abs(value) >= Self.shiftThreshold { shift = value }
    shiftedMoments.add(value - shift)
    sum += value
  }

  /// Adds `other`'s values (Chan, Golub & LeVeque 1979; see `RunningMoments.merge`), in this cell's shift.
  public mutating func merge(_ other: ColumnMoments) {
    sum += other.sum
    missing += other.missing
    zeroFilled += other.zeroFilled
    guard other.shiftedMoments.count > 0 else { return }
    guard shiftedMoments.count > 0 else {
      shift = other.shift
      shiftedMoments = other.shiftedMoments
      return
    }
    if other.shift == shift {
      shiftedMoments.merge(other.shiftedMoments)
    } else {
      // Re-express the other cell about this shift; the difference of two nearby shifts is exact.
      let moved = RunningMoments(
        count: other.count, mean: (other.shift - shift) + other.shiftedMoments.mean, m2: other.shiftedMoments.m2)
      shiftedMoments.merge(moved)
    }
  }

  /// Values counted (missing ones excluded).
  public var count: Double { shiftedMoments.count }
  public var mean: Double { shift == 0 ? shiftedMoments.mean : shift + shiftedMoments.mean }
  /// Σ(x − x̄)².
  public var m2: Double { shiftedMoments.m2 }
  /// Sample variance (ddof = 1); 0 below two values.
  public var variance: Double { shiftedMoments.variance }
  public var standardDeviation: Double { shiftedMoments.standardDeviation }
  /// Count, mean and M2 of the values themselves.
  public var moments: RunningMoments {
    shift == 0 ? shiftedMoments : RunningMoments(count: count, mean: mean, m2: m2)
  }

  /// The shifted sums about `shift` that reproduce this column: (Σ(x − K), Σ(x − K)²), as the aggregated
  /// format writes them.
  public func shiftedSums(about shift: Double) -> (sum: Double, sumOfSquares: Double) {
    let offset = (self.shift - shift) + shiftedMoments.mean
    return (count * offset, m2 + count * offset * offset)
  }
}
