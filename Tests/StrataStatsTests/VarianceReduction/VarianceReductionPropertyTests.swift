import StrataStats
import StrataTestSupport
import Testing

@Suite("Ratio and CUPED properties")
struct VarianceReductionPropertyTests {
  static func rows(seed: UInt64, count: Int, columns: Int, offset: Double = 0) -> [[Double]] {
    var rng = SplitMix64(seed: seed)
    return (0..<count).map { _ in (0..<columns).map { _ in offset + Double(rng.next() % 10_000) / 100 } }
  }

  @Test("Merging two arms' moments equals the moments of their rows together")
  func mergeIsExact() throws {
    let a = Self.rows(seed: 1, count: 57, columns: 4)
    let b = Self.rows(seed: 2, count: 91, columns: 4, offset: 3)
    let merged = try MomentMatrix(rows: a).merged(with: MomentMatrix(rows: b))
    let together = try MomentMatrix(rows: a + b)
    #expect(merged.count == together.count)
    for i in 0..<4 {
      #expect(isClose(merged.means[i], together.means[i], relativeTolerance: 1e-13))
      for j in 0..<4 { #expect(isClose(merged.comoments[i][j], together.comoments[i][j], relativeTolerance: 1e-11)) }
    }
  }

  @Test("A ratio whose denominators are all 1 is the numerator's mean, with the same variance")
  func ratioOfOnes() throws {
    let values = Self.rows(seed: 3, count: 80, columns: 1)
    let mean = try DeltaMetric.mean.estimate(MomentMatrix(rows: values))
    let ratio = try DeltaMetric.ratio.estimate(MomentMatrix(rows: values.map { [$0[0], 1] }))
    #expect(isClose(ratio.estimate, mean.estimate, relativeTolerance: 1e-14))
    #expect(isClose(ratio.variance, mean.variance, relativeTolerance: 1e-12))
  }

  @Test("Swapping arms negates the difference and keeps the p-value and the variance reduction")
  func swapArms() throws {
    let control = try MomentMatrix(rows: Self.rows(seed: 4, count: 120, columns: 4))
    let treatment = try MomentMatrix(rows: Self.rows(seed: 5, count: 140, columns: 4, offset: 1))
    let forward = try CovariateAdjustment(arms: [control, treatment], metric: .ratio).result().arms
    let backward = try CovariateAdjustment(arms: [treatment, control], metric: .ratio).result().arms
    let a = try LiftComparison(control: forward[0], treatment: forward[1]).result()
    let b = try LiftComparison(control: backward[0], treatment: backward[1]).result()
    #expect(isClose(a.difference, -b.difference, relativeTolerance: 1e-12))
    #expect(isClose(a.test.pValue, b.test.pValue, relativeTolerance: 1e-10))
    #expect(isClose(a.varianceReduction, b.varianceReduction, relativeTolerance: 1e-12))
    #expect(a.interval.contains(a.difference))
  }

  @Test("A constant covariate changes nothing: θ = 0 and the adjusted estimate is the unadjusted one")
  func constantCovariate() throws {
    let values = Self.rows(seed: 6, count: 50, columns: 1)
    let arm = try MomentMatrix(rows: values.map { [$0[0], 3] })
    let result = try CovariateAdjustment(arms: [arm, arm], metric: .mean).result()
    #expect(result.theta == 0)
    #expect(result.arms[0].estimate == result.arms[0].unadjustedEstimate)
    #expect(result.arms[0].variance == result.arms[0].unadjustedVariance)
  }

  @Test("A covariate equal to the outcome removes all variance; the reduction and extra units say so")
  func perfectCovariate() throws {
    let a = try MomentMatrix(rows: Self.rows(seed: 7, count: 60, columns: 1).map { [$0[0], $0[0] * 2] })
    let b = try MomentMatrix(rows: Self.rows(seed: 8, count: 60, columns: 1).map { [$0[0] + 1, $0[0] * 2 + 1] })
    let adjusted = try CovariateAdjustment(arms: [a, b], metric: .mean).result()
    #expect(isClose(adjusted.theta, 0.5, relativeTolerance: 1e-12))
    #expect(adjusted.arms.allSatisfy { $0.variance < 1e-20 * $0.unadjustedVariance + 1e-25 })
  }

  @Test("Variance reduction and equivalent extra units follow from the two variances")
  func reductionArithmetic() throws {
    let control = ArmEstimate(count: 100, estimate: 1, variance: 0.006, unadjustedEstimate: 1, unadjustedVariance: 0.01)
    let treatment = ArmEstimate(
      count: 100, estimate: 1.1, variance: 0.006, unadjustedEstimate: 1.1, unadjustedVariance: 0.01)
    let r = try LiftComparison(control: control, treatment: treatment).result()
    #expect(isClose(r.varianceReduction, 0.4, relativeTolerance: 1e-12))
    #expect(isClose(r.equivalentExtraUnits, 200 * (0.02 / 0.012 - 1), relativeTolerance: 1e-12))
  }

  @Test("requireResult throws exactly when result does: ordinary arms, overflowing and underflowing variances")
  func requireResultAgreesWithResult() throws {
    func arm(_ count: Double, _ estimate: Double, _ variance: Double) -> ArmEstimate {
      ArmEstimate(
        count: count, estimate: estimate, variance: variance, unadjustedEstimate: estimate, unadjustedVariance: variance
      )
    }
    let pairs: [(ArmEstimate, ArmEstimate)] = [
      (arm(100, 1, 0.01), arm(120, 1.1, 0.02)),
      (arm(2, 0, 1), arm(2, 5, 0)),
      (arm(2, -1.5e308, 1e-300), arm(3, 1.5e308, 1e-300)),  // Δ overflows to +∞
      (arm(50, 1, 1e200), arm(50, 2, 1e200)),  // (Vₐ + V_b)² overflows: ν from the scaled variances
      (arm(50, 1, 1e-170), arm(50, 1, 1e-170)),  // Vₐ² underflows to 0: ν from the scaled variances
      (arm(1e9, 3, 1e-9), arm(2, 3.5, 4)),
      // Δ's ν is fine, the log scale's is 0/0 (m² overflows, so Vₐ/mₐ² = V_b/m_b² = 0): only its interval throws.
      (arm(50, 1e160, 1e-10), arm(50, 1e160, 1e-10)),
    ]
    var checked = 0
    var failed = 0
    for (control, treatment) in pairs {
      for distribution in [LiftComparison.Distribution.studentT, .normal] {
        for method in [LiftComparison.RelativeMethod.deltaMethod, .logScale] {
          let comparison = try LiftComparison(
            control: control, treatment: treatment, distribution: distribution, relativeMethod: method)
          let full = Result { () throws(StatsError) in try comparison.result() }
          let quick = Result { () throws(StatsError) in try comparison.requireResult() }
          switch (full, quick) {
          case (.success, .success): checked += 1
          case (.failure(let a), .failure(let b)):
            #expect(a == b)
            checked += 1
            failed += 1
          default:
            Issue.record(
              "result \(full) but requireResult \(quick) for \(control), \(treatment), \(distribution), \(method)")
          }
        }
      }
    }
    #expect(checked == 4 * pairs.count)
    let logScaleOnly = try LiftComparison(
      control: arm(50, 1e160, 1e-10), treatment: arm(50, 1e160, 1e-10), relativeMethod: .logScale)
    #expect(throws: StatsError.self) { try logScaleOnly.requireResult() }
    #expect(throws: Never.self) {
      try LiftComparison(control: arm(50, 1e160, 1e-10), treatment: arm(50, 1e160, 1e-10)).requireResult()
    }
    #expect(failed > 0)
    // Variances whose squares overflow or underflow: ν is that of the same arms at a unit scale (98 here).
    for variance in [1e200, 1e-170] {
      let scaled = try LiftComparison(control: arm(50, 1, variance), treatment: arm(50, 2, variance))
      #expect(throws: Never.self) { try scaled.requireResult() }
      #expect(try scaled.result().degreesOfFreedom.map { abs($0 - 98) < 1e-9 } == true, "\(variance)")
    }
  }

  @Test("A denominator that sums to 0 is an input error naming it")
  func zeroDenominator() throws {
    let arm = try MomentMatrix(rows: [[1, 0], [2, 0], [0, 0]])
    #expect(
      throws: StatsError.invalidInput(
        field: "denominator", message: "sums to 0 over an arm's 3 units, so the ratio is undefined")
    ) {
      try DeltaMetric.ratio.estimate(arm)
    }
  }

  @Test("Log-scale relative intervals never go below −100%; delta-method ones are symmetric")
  func relativeMethods() throws {
    let control = ArmEstimate(count: 30, estimate: 2, variance: 0.8, unadjustedEstimate: 2, unadjustedVariance: 0.8)
    let treatment = ArmEstimate(
      count: 30, estimate: 1.2, variance: 0.9, unadjustedEstimate: 1.2, unadjustedVariance: 0.9)
    let log = try #require(
      try LiftComparison(control: control, treatment: treatment, relativeMethod: .logScale).result().relative)
    let delta = try #require(try LiftComparison(control: control, treatment: treatment).result().relative)
    #expect(log.interval.lower > -1)
    #expect(
      isClose(delta.interval.upper - delta.estimate, delta.estimate - delta.interval.lower, relativeTolerance: 1e-12))
  }

  @Test(
    "A one-column mean's estimate from count, mean and M2 equals the moment matrix's, bit for bit and error for error")
  func meanEstimateWithoutMatrix() throws {
    var cases: [(count: Double, mean: Double, m2: Double)] = []
    for seed in UInt64(1)...40 {
      let rows = Self.rows(seed: seed, count: 2 + Int(seed % 9) * 37, columns: 1, offset: Double(seed) * 1e3 - 2e4)
      let matrix = try MomentMatrix(rows: rows)
      cases.append((matrix.count, matrix.means[0], matrix.comoments[0][0]))
    }
    // Edge cases: no spread, a negative zero, tiny and huge moments, and every input each check refuses.
    cases += [
      (2, 1, 0), (3, -0.0, -0.0), (1e9, 5e-300, .leastNormalMagnitude / 4), (2, 1e300, 1e308), (7, 0.1, 3.5e-17),
      (1, 0.5, 0), (0, 0, 0), (2.5, 1, 1), (.nan, 1, 1), (.infinity, 1, 1), (9_007_199_254_740_992, 1, 1),
      (4, .nan, 1), (4, .infinity, 1), (4, 1, -1), (4, 1, .nan), (4, 1, .infinity), (4, .nan, .nan),
    ]
    for c in cases {
      let viaMatrix = Result { () throws(StatsError) in
        try DeltaMetric.mean.estimate(MomentMatrix(count: c.count, means: [c.mean], comoments: [[c.m2]]))
      }
      let direct = Result { () throws(StatsError) in
        try DeltaMetric.meanEstimate(count: c.count, mean: c.mean, m2: c.m2)
      }
      switch (viaMatrix, direct) {
      case (.success(let a), .success(let b)):
        #expect(a.count.bitPattern == b.count.bitPattern, "\(c)")
        #expect(a.estimate.bitPattern == b.estimate.bitPattern, "\(c)")
        #expect(a.variance.bitPattern == b.variance.bitPattern, "\(c)")
        #expect(a.unadjustedEstimate.bitPattern == b.unadjustedEstimate.bitPattern, "\(c)")
        #expect(a.unadjustedVariance.bitPattern == b.unadjustedVariance.bitPattern, "\(c)")
      case (.failure(let a), .failure(let b)):
        #expect(a == b, "\(c)")
      default:
        Issue.record("one throws and the other does not for \(c): \(viaMatrix) against \(direct)")
      }
    }
  }
}
