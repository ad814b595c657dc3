import StrataStats
import Testing

/// Ratio metrics, CUPED and the two-arm lift comparison with columns of any magnitude, apart or together: scaling
/// a column by 2ᵏ (exact in binary) must scale each result by its power of two exactly and leave p-values, ν and
/// relative lifts as they are, or refuse a result beyond the double range saying which unit to change
/// (Scripts/magnitude_sweep.py checks the same through `strata analyze`).
@Suite("Magnitudes: ratio, CUPED and lift comparisons")
struct MomentMagnitudeTests {
  static func scaled(_ x: Double, _ p: Int) -> Double { MagnitudeTests.scaled(x, p) }

  /// Units of one arm: [numerator y, denominator d, y before, d before], deterministic.
  static func rows(arm: Int) -> [[Double]] {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(arm)
    func next() -> Double {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(state >> 40) / Double(1 << 24)
    }
    return (0..<(300 + 40 * arm)).map { _ in
      let habit = next()
      let orders = (3 * next() + 2 * habit).rounded(.down)
      let before = (3 * next() + 2 * habit).rounded(.down)
      let basket = 20 + 30 * next() + 10 * habit
      return [orders * (basket + Double(arm) * 3) + 5 * next(), orders, before * basket + 5 * next(), before]
    }
  }

  /// The arm's moments with column i scaled by 2^`powers[i]`, built from the unscaled ones (exact).
  static func arm(_ arm: Int, columns: [Int], powers: [Int]) throws -> MomentMatrix {
    let plain = try MomentMatrix(rows: rows(arm: arm).map { row in columns.map { row[$0] } })
    return try MomentMatrix(
      count: plain.count, means: plain.means.indices.map { scaled(plain.means[$0], powers[$0]) },
      comoments: plain.comoments.indices.map { i in
        plain.comoments[i].indices.map { j in scaled(plain.comoments[i][j], powers[i] + powers[j]) }
      })
  }

  static func expectScaled(_ arm: ArmEstimate, _ plain: ArmEstimate, by p: Int) {
    #expect(arm.estimate == scaled(plain.estimate, p))
    #expect(arm.variance == scaled(plain.variance, 2 * p))
    #expect(arm.unadjustedEstimate == scaled(plain.unadjustedEstimate, p))
    #expect(arm.unadjustedVariance == scaled(plain.unadjustedVariance, 2 * p))
  }

  /// Numerator and denominator scaled apart and together: the ratio by 2^(a − b), its variance by 2^2(a − b).
  @Test(
    "A ratio's estimate and delta-method variance scale exactly",
    arguments: [(0, -500), (-500, 0), (250, -250), (-250, 250), (480, 480), (-500, -500), (500, 30)])
  func ratio(numerator: Int, denominator: Int) throws {
    let plain = try DeltaMetric.ratio.estimate(try Self.arm(0, columns: [0, 1], powers: [0, 0]))
    let result = try DeltaMetric.ratio.estimate(
      try Self.arm(0, columns: [0, 1], powers: [numerator, denominator]))
    Self.expectScaled(result, plain, by: numerator - denominator)
  }

  /// A ratio whose variance is beyond the double range (2^1200 times an ordinary one) is refused with the unit to
  /// change; the computation without rescaling gave a variance of ∞ (or 0) and no reason.
  @Test("A ratio beyond the double range is refused, naming the unit to change", arguments: [(300, -300), (-300, 300)])
  func ratioBeyondRange(numerator: Int, denominator: Int) throws {
    let moments = try Self.arm(0, columns: [0, 1], powers: [numerator, denominator])
    #expect {
      try DeltaMetric.ratio.estimate(moments)
    } throws: { error in
      let text = "\(error)"
      return text.contains("ratio: its variance")
        && text.contains(numerator > 0 ? "give the numerator in a larger unit" : "give the numerator in a smaller unit")
    }
  }

  /// CUPED on a mean and on a ratio with the metric and covariate scaled apart.
  ///
  /// θ scales by 2^(metric's − covariate's), the
  /// adjusted estimates by the metric's power. Before, θ² overflowed with the value at 2³⁰⁰ and the covariate at
  /// 2⁻³⁰⁰ (a variance of NaN).
  @Test(
    "CUPED scales exactly with the covariate apart",
    arguments: [[300, 0, -300, 0], [-300, 0, 300, 0], [0, 0, -500, -500], [480, 480, 0, 0], [0, -480, 0, 0]])
  func cuped(powers: [Int]) throws {
    for metric in [DeltaMetric.mean, .ratio] {
      let columns = metric == .mean ? [0, 2] : [0, 1, 2, 3]
      let used = metric == .mean ? [powers[0], powers[2]] : powers
      let plain = try CovariateAdjustment(
        arms: try (0..<3).map { try Self.arm($0, columns: columns, powers: used.map { _ in 0 }) }, metric: metric
      ).result()
      let result = try CovariateAdjustment(
        arms: try (0..<3).map { try Self.arm($0, columns: columns, powers: used) }, metric: metric
      ).result()
      let valueDegree = metric == .mean ? used[0] : used[0] - used[1]
      let covariateDegree = metric == .mean ? used[1] : used[2] - used[3]
      #expect(result.theta == Self.scaled(plain.theta, valueDegree - covariateDegree))
      #expect(result.covariateCentre == Self.scaled(plain.covariateCentre, covariateDegree))
      for (arm, reference) in zip(result.arms, plain.arms) { Self.expectScaled(arm, reference, by: valueDegree) }
    }
  }

  /// Two arms whose variances are each representable but whose sum is not, and their counterparts near the bottom.
  ///
  /// 3·2¹⁰²² + 2.5·2¹⁰²²: the difference, its standard error and interval scale exactly, the test, ν and
  /// the relative lift are unchanged. Before, Vₐ + V_b = ∞ at 2⁵¹¹ gave a standard error of ∞ and p = 1.
  @Test("The lift comparison scales exactly", arguments: [-511, -300, 300, 511])
  func lift(k: Int) throws {
    let control = ArmEstimate(
      count: 300, estimate: 10.5, variance: 3, unadjustedEstimate: 10.25, unadjustedVariance: 3.25)
    let treatment = ArmEstimate(
      count: 340, estimate: 13.75, variance: 2.5, unadjustedEstimate: 13.5, unadjustedVariance: 2.75)
    func up(_ arm: ArmEstimate) -> ArmEstimate {
      ArmEstimate(
        count: arm.count, estimate: Self.scaled(arm.estimate, k), variance: Self.scaled(arm.variance, 2 * k),
        unadjustedEstimate: Self.scaled(arm.unadjustedEstimate, k),
        unadjustedVariance: Self.scaled(arm.unadjustedVariance, 2 * k))
    }
    for distribution in [LiftComparison.Distribution.studentT, .normal] {
      let plain = try LiftComparison(control: control, treatment: treatment, distribution: distribution).result()
      let result = try LiftComparison(control: up(control), treatment: up(treatment), distribution: distribution)
        .result()
      #expect(result.difference == Self.scaled(plain.difference, k))
      #expect(result.standardError == Self.scaled(plain.standardError, k))
      #expect(result.interval.lower == Self.scaled(plain.interval.lower, k))
      #expect(result.interval.upper == Self.scaled(plain.interval.upper, k))
      #expect(result.test == plain.test)
      #expect(result.degreesOfFreedom == plain.degreesOfFreedom)
      #expect(result.relative == plain.relative)
      #expect(result.varianceReduction == plain.varianceReduction)
      #expect(result.equivalentExtraUnits == plain.equivalentExtraUnits)
    }
  }

  /// Three segments whose standard errors span about 2⁵⁴¹.
  ///
  /// A revenue metric ×2⁴⁴⁰ in one segment and ×2⁻¹⁰⁰ in another: the gym campaign's numbers. Fitted as given (`PowerOfTwoScale.widestSpanRescaled`), REML failed with
  /// GSL's words ("problem with user-supplied function"); the reason is now the span, with what to do.
  @Test("Partial pooling over standard errors spanning 2^541 says why it has no fit")
  func wideSpanReason() throws {
    // mean and sd per arm (control, treatment) and counts, as analyze gives them per segment.
    let arms: [(Double, Double, Double, Double, Double, Double)] = [
      (1.0087474937464941e+135, 5.954288230256895e+134, 790, 1.0429424848923821e+135, 5.989549590147463e+134, 818),
      (291.67972742759827, 238.33409766046594, 2935, 317.40276862228086, 233.00070527150893, 3034),
      (1.747379340427521e-28, 1.917788720487259e-28, 4062, 1.7879771435032347e-28, 1.9310579866455448e-28, 3911),
    ]
    let estimates = arms.map { $0.3 - $0.0 }
    let variances = arms.map { $0.1 * $0.1 / $0.2 + $0.4 * $0.4 / $0.5 }
    #expect {
      try RandomEffectsModel(estimates: estimates, variances: variances).result()
    } throws: { error in
      let text = "\(error)"
      return text.contains("standard errors span about 2^541") && text.contains("give the segments' values in one unit")
        && !text.contains("user-supplied")
    }
  }
  /// An M2 that left the double range (∞, or NaN / −∞ from ∞ − ∞) reads as an infinite variance, never as 0.
  @Test("RunningMoments: a spread beyond the double range is an infinite variance")
  func runningMomentsOverflow() {
    var moments = RunningMoments()
    for value in [1.7e308, -1.7e308, 1.7e308, -1.7e308] { moments.add(value) }
    #expect(!moments.m2.isFinite)
    #expect(moments.variance == .infinity)
    for m2 in [Double.nan, -.infinity, .infinity] {
      #expect(RunningMoments(count: 3, mean: 1, m2: m2).variance == .infinity)
    }
    #expect(RunningMoments(count: 1, mean: 1, m2: .nan).variance == 0)
    #expect(RunningMoments(count: 3, mean: 1, m2: 4).variance == 2)
  }
}
