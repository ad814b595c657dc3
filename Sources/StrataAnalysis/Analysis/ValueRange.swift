import Foundation
import StrataStats

/// What the cells can hold of a value column's spread in double precision, and the refusal, with its reason, of a
/// column beyond it (docs/analyze.md, "Magnitudes: values in any unit").
///
/// A cell keeps M2 = Σ(x − x̄)², summed row by row. Each squared deviation below 2⁻¹⁰²² (2.2e-308, the smallest normal
/// double) is a subnormal, rounded to a multiple of 2⁻¹⁰⁷⁴: M2 then carries an absolute error of up to n·2⁻¹⁰⁷⁵, about
/// 2⁻¹⁰⁷⁵/s² of itself. From s² < 2⁻¹⁰⁰² (2.3e-302, a standard deviation of 1.5e-151) that error can reach a
/// number's last digits (between s² = 2⁻¹⁰²² and 2⁻¹⁰¹⁰ the magnitude sweep found p-values off by up to 62 units in
/// their last place): the metric's numbers are given with a warning of how many digits they keep
/// (`precisionWarning`). Below s² = 2⁻¹⁰⁴⁰ (8.7e-314) fewer than ten are left and the column is refused; above, a
/// squared deviation beyond the largest double (1.8e308) makes M2 infinite and the column is refused too. Either way
/// the error names the column and says what to do, rather than testing on what is left ("comoments[0][0]: ... got
/// inf", "variance is 0 in both arms", "collinear", θ = 0 for a covariate whose spread vanished).
enum ValueRange {
  /// The smallest variance s² of a column whose M2 keeps ten significant digits: 2⁻¹⁰⁴⁰, about 8.7e-314.
  static let smallestVariance = Double(sign: .plus, exponent: -1040, significand: 1)

  /// The smallest variance s² of a column whose M2 keeps every digit: 2⁻¹⁰⁰², about 2.3e-302.
  static let fullPrecisionVariance = Double(sign: .plus, exponent: -1002, significand: 1)

  /// The significant digits a cell's numbers keep with variance `variance` over `count` values, at least 1.
  ///
  /// The smaller of s² and s²/n (the variance of the mean, which the pooled and post-stratified estimates divide
  /// out) is a subnormal with a relative rounding of 2⁻¹⁰⁷⁴/that; two digits less for what the tails of the tests
  /// make of it (the magnitude sweep: a p-value of 1e-8 off by 5e-11 where s²/n kept 12).
  static func keptDigits(variance: Double, count: Double) -> Int {
    let smallest = min(variance, variance / max(count, 1))
    return max(1, min(15, Int((log10(smallest) + 1074 * log10(2.0)).rounded(.down)) - 2))
  }

  /// A warning for a metric whose cells keep fewer digits (a variance from `smallestVariance` up, but it or the
  /// variance of the mean below `fullPrecisionVariance`), naming the cell that keeps fewest, or nil.
  ///
  /// Its numbers are then given, each correct to about that many digits: the analysis names the metric once, in
  /// `analyze`, the reports and `serve` alike.
  static func precisionWarning(plan: AnalysisPlan, metric: Int, statistics: SufficientStatistics) -> String? {
    guard plan.metrics[metric].kind != .binomial else { return nil }
    var fewest = Int.max
    var found = (column: 0, variant: 0, segment: 0, deviation: 0.0)
    for column in plan.columnIndices(metric: metric) {
      for variant in plan.variants.indices {
        for segment in plan.segments.indices {
          let moments = statistics.metric(column, variant: variant, segment: segment).moments
          let variance = moments.variance
          guard variance >= smallestVariance, variance / max(moments.count, 1) < fullPrecisionVariance else {
            continue
          }
          let digits = keptDigits(variance: variance, count: moments.count)
          if digits < fewest {
            fewest = digits
            found = (column, variant, segment, moments.standardDeviation)
          }
        }
      }
    }
    guard fewest < Int.max else { return nil }
    return
      "\(plan.metrics[metric].name): values near the bottom of the double range (a standard deviation of "
      + "\(NumberText.general(found.deviation)) in \(plan.columns[found.column].column), "
      + "\(plan.variants[found.variant]), segment \(plan.segments[found.segment])): their squared deviations are "
      + "subnormal doubles, so its numbers keep about \(fewest) significant digits; give the values in a smaller unit "
      + "for all 16"
  }

  /// Whether a column's spread is lost to the bottom of the double range: 0 < s² < `smallestVariance`, or s = 0 with
  /// a nonzero mean below 1e-150 (whose squared deviations would vanish, spread or not).
  static func isTooSmall(_ moments: RunningMoments, below smallest: Double = smallestVariance) -> Bool {
    let variance = moments.variance
    if variance > 0 { return variance < smallest }
    return moments.mean != 0 && abs(moments.mean) < 1e-150
  }

  /// Whether a column's mean keeps its digits: Welford's update adds (x − x̄)/n, which below 2⁻¹⁰²² is a subnormal
  /// rounded to a multiple of 2⁻¹⁰⁷⁴, so the mean carries an absolute error of up to n·2⁻¹⁰⁷⁵, more than its own
  /// rounding once |x̄| < n·2⁻¹⁰²² (values near 1e-305 in a few thousand units).
  static func meanKeepsDigits(_ moments: RunningMoments) -> Bool {
    moments.mean == 0 || abs(moments.mean) >= moments.count * .leastNormalMagnitude
  }

  /// Whether a column's M2 or mean went beyond the largest double (the cells hold ∞).
  static func isTooLarge(_ moments: RunningMoments) -> Bool { !moments.m2.isFinite || !moments.mean.isFinite }

  /// Refuses a column that is too small or too large.
  ///
  /// The error names it (`field`: "values of revenue", say) and says why and what to do.
  static func require(_ moments: RunningMoments, field: String, below smallest: Double = smallestVariance)
    throws(StatsError)
  {
    if isTooLarge(moments) {
      throw StatsError.invalidInput(
        field: field,
        message:
          "are too large for double precision (mean \(NumberText.general(moments.mean))): their squared deviations "
          + "sum to more than 1.8e308, the largest double; give the values in a larger unit")
    }
    try requireNotTooSmall(moments, field: field, below: smallest)
  }

  /// Refuses a column that is too small (`isTooSmall`), naming it and saying why and what to do.
  ///
  /// `smallest` is `fullPrecisionVariance` for the models whose inverses and leverages need every digit of the
  /// squares (Lin's regression, the factorial), which failed for the wrong reason ("a unit has leverage 1") or lost
  /// digits beyond any warning below it.
  static func requireNotTooSmall(_ moments: RunningMoments, field: String, below smallest: Double = smallestVariance)
    throws(StatsError)
  {
    guard isTooSmall(moments, below: smallest) else { return }
    let limit =
      smallest == smallestVariance
      ? "8.7e-314, where a double keeps fewer than ten digits" : "2.3e-302, where a double starts to keep fewer digits"
    throw StatsError.invalidInput(
      field: field,
      message:
        "are too small for double precision (mean \(NumberText.general(moments.mean)), standard deviation "
        + "\(NumberText.general(moments.standardDeviation))): their squared deviations fall below \(limit), "
        + "or vanish; give the values in a smaller unit")
  }
}
