import StrataStats
import StrataTestSupport
import Testing

@Suite("Planning with CUPED and ratio metrics")
struct VarianceReductionPlanningTests {
  @Test("Proportions: the adjusted size is (1 − r) times the unadjusted one, power at n is power at n/(1 − r)")
  func proportions() throws {
    let plain = try SampleSizePlan(metric: .proportion(baseline: 0.3))
    let adjusted = try SampleSizePlan(metric: .proportion(baseline: 0.3), varianceReduction: 0.36)
    let n0 = try plain.unroundedSampleSize(effect: .absolute(0.02), power: 0.8)
    let n1 = try adjusted.unroundedSampleSize(effect: .absolute(0.02), power: 0.8)
    #expect(isClose(n1, n0 * 0.64, relativeTolerance: 1e-12))
    let power = try adjusted.power(effect: .absolute(0.02), perVariant: 4000)
    #expect(isClose(power, try plain.power(effect: .absolute(0.02), perVariant: 4000 / 0.64), relativeTolerance: 1e-12))
    let mde = try adjusted.minimumDetectableEffect(perVariant: 4000, power: 0.8)
    #expect(
      isClose(mde, try plain.minimumDetectableEffect(perVariant: 4000 / 0.64, power: 0.8), relativeTolerance: 1e-9))
  }

  @Test("Means: the adjusted plan is the plan with standard deviation σ·√(1 − r)")
  func means() throws {
    let adjusted = try SampleSizePlan(metric: .mean(standardDeviation: 40), varianceReduction: 0.5)
    let scaled = try SampleSizePlan(metric: .mean(standardDeviation: 40 * 0.5.squareRoot()))
    #expect(
      isClose(
        try adjusted.unroundedSampleSize(effect: .absolute(2), power: 0.8),
        try scaled.unroundedSampleSize(effect: .absolute(2), power: 0.8), relativeTolerance: 1e-12))
    #expect(throws: StatsError.self) { try SampleSizePlan(metric: .mean(standardDeviation: 1), varianceReduction: 1) }
  }

  @Test("A ratio's planning sd per unit is the analysis' delta-method variance times n")
  func ratioMatchesAnalysis() throws {
    var rng = SplitMix64(seed: 11)
    let rows: [[Double]] = (0..<500).map { _ in
      let orders = Double(1 + rng.next() % 4)
      return [orders * Double(20 + rng.next() % 60), orders]
    }
    let moments = try MomentMatrix(rows: rows)
    let sy = moments.covariance(0, 0).squareRoot()
    let sd = moments.covariance(1, 1).squareRoot()
    let planning = try RatioPlanning(
      numeratorMean: moments.means[0], numeratorStandardDeviation: sy, denominatorMean: moments.means[1],
      denominatorStandardDeviation: sd, correlation: moments.covariance(0, 1) / (sy * sd))
    let estimate = try DeltaMetric.ratio.estimate(moments)
    let sigma = try planning.standardDeviation()
    #expect(isClose(planning.ratio, estimate.estimate, relativeTolerance: 1e-13))
    #expect(isClose(sigma * sigma / moments.count, estimate.variance, relativeTolerance: 1e-11))
  }

  @Test("A ratio with no spread or a zero denominator mean is an input error")
  func ratioErrors() throws {
    #expect(throws: StatsError.self) {
      try RatioPlanning(
        numeratorMean: 1, numeratorStandardDeviation: 1, denominatorMean: 0, denominatorStandardDeviation: 1,
        correlation: 0)
    }
    let flat = try RatioPlanning(
      numeratorMean: 2, numeratorStandardDeviation: 0, denominatorMean: 1, denominatorStandardDeviation: 0,
      correlation: 0)
    #expect(throws: StatsError.self) { try flat.standardDeviation() }
  }
}
