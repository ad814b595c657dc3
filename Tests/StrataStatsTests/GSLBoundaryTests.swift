import Testing

@testable import StrataStats

@Suite("The GSL doorway")
struct GSLBoundaryTests {
  @Test("an invalid GSL call throws instead of aborting the process")
  func invalidCallThrows() {
    // gsl_cdf_tdist_Pinv(1.5, -1) calls GSL's error handler; with the default handler this aborts.
    #expect(throws: StatsError.self) { try StudentT(degreesOfFreedom: 3).quantile(1.5) }
    // Reach GSL directly with inputs the Swift validation would reject: the doorway must still throw.
    let t = StudentT(unvalidatedDegreesOfFreedom: -1)
    #expect(throws: StatsError.self) { try t.inverseSurvivalUnchecked(0.3) }
  }

  @Test("upper tails keep relative precision far below 1e-16")
  func upperTailsUseQ() throws {
    // 1 − Φ(37.5) ≈ 4.605353e-308 (mpmath); 1 − P would give 0.
    let q = try Normal.survival(37.5)
    #expect(q > 0 && q < 1e-300)
    let chi = try ChiSquared(degreesOfFreedom: 1).survival(941.787723898131)
    #expect(abs(chi - 8.089055620722685e-207) <= 1e-6 * 8.089055620722685e-207)
  }

  @Test("Welford moments match the two-pass formula and survive a large offset")
  func runningMomentsAreStable() throws {
    let values = (0..<1000).map { 1e9 + Double($0 % 7) }
    let s = try SampleSummary(values: values)
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)
    #expect(abs(s.mean - mean) < 1e-6)
    // Welford loses a little to the 1e9 offset (~2e-9 relative here); the raw sum-of-squares formula loses all of it.
    #expect(abs(s.variance - variance) / variance < 1e-7)
  }
}

@Suite("F quantiles where GSL 2.7.1's inverse fails")
struct FisherQuantileTests {
  // scipy.stats.f.isf(0.05, 1, 271) = 3.8760014232188955 (scipy 1.17.1); gsl_cdf_fdist_Qinv returns NaN for these arguments.
  @Test("the upper 5% point of F(1, 271) is found and round-trips through the tail")
  func upperFivePercent() throws {
    let f = try FisherF(numeratorDegreesOfFreedom: 1, denominatorDegreesOfFreedom: 271)
    let x = try f.inverseSurvival(0.05)
    #expect(abs(try f.survival(x) - 0.05) < 1e-12)
    let y = try f.quantile(0.95)
    #expect(abs(y - x) <= 1e-9 * x)
    #expect(abs(x - 3.8760014232188955) <= 1e-10 * 3.8760014232188955)
  }
}

@Suite("GSL allocations")
struct GSLAllocationTests {
  /// A failed allocation is an out-of-memory error, and what was allocated before it is freed on the way
  /// out (each allocation is paired with its own `defer`, the pattern of `LeastSquares.swift`).
  @Test func aFailedAllocationThrowsAndFreesTheEarlierOnes() {
    var freed: [String] = []
    do {
      let first = try GSL.allocate("first") { UnsafeMutablePointer<Double>.allocate(capacity: 4) }
      defer {
        first.deallocate()
        freed.append("first")
      }
      _ = try GSL.allocate("second") { UnsafeMutablePointer<Double>?.none }
      Issue.record("the second allocation should have thrown")
    } catch {
      guard case .numerical(let routine, _, let message) = error else {
        Issue.record("expected a numerical error, got \(error)")
        return
      }
      #expect(routine == "second")
      #expect(message == "out of memory")
    }
    #expect(freed == ["first"])
  }
}
