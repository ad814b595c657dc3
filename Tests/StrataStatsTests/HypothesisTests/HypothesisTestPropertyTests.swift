import StrataStats
import StrataTestSupport
import Testing

/// Properties every test must have, on seeded random inputs (SplitMix64, fixed seeds: failures reproduce).
@Suite("Hypothesis test properties")
struct HypothesisTestPropertyTests {
  static let rounds = 200

  static func randomSummary(_ g: inout SplitMix64) throws -> SampleSummary {
    try SampleSummary(
      count: Double(Int.random(in: 2...5_000, using: &g)), mean: Double.random(in: -50...50, using: &g),
      standardDeviation: Double.random(in: 0.01...20, using: &g))
  }

  static func randomBinomial(_ g: inout SplitMix64) throws -> BinomialSummary {
    let n = Double(Int.random(in: 1...100_000, using: &g))
    return try BinomialSummary(successes: (Double.random(in: 0...1, using: &g) * n).rounded(.down), trials: n)
  }

  @Test("z test: swapping arms negates z and the lift, keeps p; p in [0, 1]; intervals hold the estimates")
  func proportionsSwap() throws {
    var g = SplitMix64(seed: 1)
    for round in 0..<Self.rounds {
      let a = try Self.randomBinomial(&g)
      let b = try Self.randomBinomial(&g)
      let pooled = (a.successes + b.successes) / (a.trials + b.trials)
      guard pooled > 0 && pooled < 1 else { continue }
      let confidence = Double.random(in: 0.5...0.999, using: &g)
      let forward = try TwoProportionZTest(control: a, treatment: b, confidenceLevel: confidence).result()
      let backward = try TwoProportionZTest(control: b, treatment: a, confidenceLevel: confidence).result()
      #expect(forward.test.statistic == -backward.test.statistic, "round \(round)")
      #expect(isClose(forward.test.pValue, backward.test.pValue, relativeTolerance: 1e-14), "round \(round)")
      #expect(forward.absoluteLift == -backward.absoluteLift, "round \(round)")
      #expect((0...1).contains(forward.test.pValue), "round \(round)")
      #expect(forward.absoluteInterval.contains(forward.absoluteLift), "round \(round)")
      if let lift = forward.relativeLift { #expect(forward.relativeInterval?.contains(lift) == true, "round \(round)") }
      let greater = try TwoProportionZTest(control: a, treatment: b, alternative: .greater).result()
      let lessSwapped = try TwoProportionZTest(control: b, treatment: a, alternative: .less).result()
      #expect(isClose(greater.test.pValue, lessSwapped.test.pValue, relativeTolerance: 1e-14), "round \(round)")
      #expect(greater.absoluteInterval.upper == .infinity, "round \(round)")
    }
  }

  @Test("t tests: swapping arms negates t, keeps p and ν; the interval holds the difference", arguments: [false, true])
  func tTestSwap(equalVariances: Bool) throws {
    var g = SplitMix64(seed: equalVariances ? 2 : 3)
    for round in 0..<Self.rounds {
      let a = try Self.randomSummary(&g)
      let b = try Self.randomSummary(&g)
      func run(_ x: SampleSummary, _ y: SampleSummary, _ alternative: Alternative = .twoSided) throws -> TTestResult {
        try equalVariances
          ? StudentTTest(control: x, treatment: y, alternative: alternative).result()
          : WelchTTest(control: x, treatment: y, alternative: alternative).result()
      }
      let forward = try run(a, b)
      let backward = try run(b, a)
      #expect(forward.test.statistic == -backward.test.statistic, "round \(round)")
      #expect(isClose(forward.test.pValue, backward.test.pValue, relativeTolerance: 1e-12), "round \(round)")
      #expect(isClose(forward.degreesOfFreedom, backward.degreesOfFreedom, relativeTolerance: 1e-14), "round \(round)")
      #expect((0...1).contains(forward.test.pValue), "round \(round)")
      #expect(forward.interval.contains(forward.difference), "round \(round)")
      // The interval excludes 0 exactly when p < α (same t quantile on both sides of the duality).
      if abs(forward.test.pValue - 0.05) > 1e-9 {
        #expect(forward.interval.contains(0) == (forward.test.pValue >= 0.05), "round \(round)")
      }
      let greater = try run(a, b, .greater)
      let less = try run(a, b, .less)
      #expect(isClose(greater.test.pValue + less.test.pValue, 1, relativeTolerance: 1e-12), "round \(round)")
    }
  }

  @Test("χ² on a 2 × 2 table equals the pooled z test squared, and transposing changes nothing")
  func chiSquaredMatchesZSquared() throws {
    var g = SplitMix64(seed: 4)
    for round in 0..<Self.rounds {
      let a = try Self.randomBinomial(&g)
      let b = try Self.randomBinomial(&g)
      let pooled = (a.successes + b.successes) / (a.trials + b.trials)
      guard pooled > 0 && pooled < 1 else { continue }
      let table = [[a.successes, a.trials - a.successes], [b.successes, b.trials - b.successes]]
      let chi2 = try ChiSquaredIndependenceTest(table: table).result()
      let z = try TwoProportionZTest(control: a, treatment: b).result()
      #expect(
        isClose(
          chi2.test.statistic, z.test.statistic * z.test.statistic, relativeTolerance: 1e-9, absoluteTolerance: 1e-12),
        "round \(round)")
      // Below ~1e-300 the two tails are denormal and lose relative precision: absolute floor there.
      #expect(
        isClose(chi2.test.pValue, z.test.pValue, relativeTolerance: 1e-8, absoluteTolerance: 1e-300), "round \(round)")
      let transposed = try ChiSquaredIndependenceTest(
        table: [[table[0][0], table[1][0]], [table[0][1], table[1][1]]], yatesCorrection: true
      ).result()
      let corrected = try ChiSquaredIndependenceTest(table: table, yatesCorrection: true).result()
      #expect(
        isClose(
          transposed.test.statistic, corrected.test.statistic, relativeTolerance: 1e-12, absoluteTolerance: 1e-12),
        "round \(round)")
      #expect(corrected.test.statistic <= chi2.test.statistic + 1e-12, "round \(round)")
    }
  }

  @Test("SRM: weights on any scale give the same answer; p in [0, 1]")
  func goodnessOfFitScaleFree() throws {
    var g = SplitMix64(seed: 5)
    for round in 0..<Self.rounds {
      let k = Int.random(in: 2...6, using: &g)
      let observed = (0..<k).map { _ in Double(Int.random(in: 0...100_000, using: &g)) }
      let weights = (0..<k).map { _ in Double.random(in: 0.1...10, using: &g) }
      guard observed.reduce(0, +) > 0 else { continue }
      let scale = Double.random(in: 0.001...1000, using: &g)
      let r1 = try ChiSquaredGoodnessOfFitTest(observed: observed, weights: weights).result()
      let r2 = try ChiSquaredGoodnessOfFitTest(observed: observed, weights: weights.map { $0 * scale }).result()
      #expect(
        isClose(r1.test.statistic, r2.test.statistic, relativeTolerance: 1e-9, absoluteTolerance: 1e-9),
        "round \(round)")
      #expect(
        isClose(r1.test.pValue, r2.test.pValue, relativeTolerance: 1e-8, absoluteTolerance: 1e-300), "round \(round)")
      #expect((0...1).contains(r1.test.pValue), "round \(round)")
    }
  }

  @Test("Fisher: swapping rows inverts the odds ratio and keeps p; the two one-sided p's overlap at the observed table")
  func fisherSwap() throws {
    var g = SplitMix64(seed: 6)
    for round in 0..<Self.rounds {
      let table = (0..<2).map { _ in
        (0..<2).map { _ in Double(Int.random(in: 0...(round < 150 ? 40 : 50_000), using: &g)) }
      }
      guard (try? FisherExactTest(table: table)) != nil else { continue }
      let forward = try FisherExactTest(table: table).result()
      let swapped = try FisherExactTest(table: [table[1], table[0]]).result()
      #expect(isClose(forward.test.pValue, swapped.test.pValue, relativeTolerance: 1e-10), "round \(round) \(table)")
      if forward.oddsRatio > 0 && forward.oddsRatio.isFinite {
        #expect(isClose(forward.oddsRatio, 1 / swapped.oddsRatio, relativeTolerance: 1e-14), "round \(round)")
      }
      let greater = try FisherExactTest(table: table, alternative: .greater).result().test.pValue
      let less = try FisherExactTest(table: table, alternative: .less).result().test.pValue
      #expect((0...1).contains(forward.test.pValue), "round \(round)")
      #expect(greater + less >= 1 - 1e-12, "round \(round)")  // P(X ≤ a) + P(X ≥ a) = 1 + P(X = a)
      #expect(forward.test.pValue >= min(greater, less) * (1 - 1e-12), "round \(round)")
    }
  }

  @Test("mSPRT: swapping arms negates the difference and keeps p; p = min(1, 1/Λ); the interval holds the estimate")
  func mixtureSPRTSwap() throws {
    var g = SplitMix64(seed: 7)
    for round in 0..<Self.rounds {
      let a = try Self.randomSummary(&g)
      let b = try Self.randomSummary(&g)
      let tau = Double.random(in: 0.01...5, using: &g)
      let forward = try MixtureSPRT(control: a, treatment: b, mixingStandardDeviation: tau).result()
      let backward = try MixtureSPRT(control: b, treatment: a, mixingStandardDeviation: tau).result()
      #expect(forward.difference == -backward.difference, "round \(round)")
      #expect(forward.pValue == backward.pValue, "round \(round)")
      #expect((0...1).contains(forward.pValue), "round \(round)")
      // When Λ overflows to +∞, p = e^(−ln Λ) is a denormal and 1/Λ is 0: absolute floor 1e-300.
      #expect(
        isClose(
          forward.pValue, min(1, 1 / forward.likelihoodRatio), relativeTolerance: 1e-12, absoluteTolerance: 1e-300),
        "round \(round)")
      #expect(forward.interval.contains(forward.difference), "round \(round)")
      // The confidence sequence is wider than the fixed-sample z interval at the same level.
      let v = a.variance / a.count + b.variance / b.count
      #expect(forward.interval.upper - forward.difference > 1.959963984540054 * v.squareRoot(), "round \(round)")
    }
  }

  @Test("Corrections: adjusted p ≥ raw, ≤ 1, same order as raw; BH ≤ Holm ≤ Bonferroni")
  func correctionsAreMonotone() throws {
    var g = SplitMix64(seed: 8)
    for round in 0..<Self.rounds {
      let m = Int.random(in: 1...30, using: &g)
      let raw = (0..<m).map { _ in
        Bool.random(using: &g) ? Double.random(in: 0...1, using: &g) : Double.random(in: 0...0.01, using: &g)
      }
      let bonferroni = try MultipleTestingCorrection.bonferroni.adjust(raw)
      let holm = try MultipleTestingCorrection.holm.adjust(raw)
      let bh = try MultipleTestingCorrection.benjaminiHochberg.adjust(raw)
      for adjusted in [bonferroni, holm, bh] {
        #expect(adjusted.count == m)
        #expect(zip(adjusted, raw).allSatisfy { $0 >= $1 && $0 <= 1 }, "round \(round)")
        for i in 0..<m {
          for j in 0..<m where raw[i] <= raw[j] { #expect(adjusted[i] <= adjusted[j], "round \(round)") }
        }
      }
      // Equal in exact arithmetic at the ends (m·p/1 vs p/(1/m)): allow one rounding.
      #expect((0..<m).allSatisfy { bh[$0] <= holm[$0] * (1 + 1e-15) && holm[$0] <= bonferroni[$0] }, "round \(round)")
    }
  }

  /// The adjustment sorts (p, position) pairs in place; the same values as the positions sorted stably by their
  /// p (what it did before), bit for bit: seeded lists with many ties (0, −0, 1, a few repeated values) and
  /// without, 1 to 3,000 p-values.
  @Test("Holm and BH give the values of a stable sort of the positions, bit for bit")
  func correctionsMatchStableSort() throws {
    func reference(_ method: MultipleTestingCorrection, _ p: [Double]) -> [Double] {
      let m = Double(p.count)
      let order = p.indices.sorted { (p[$0], $0) < (p[$1], $1) }
      var adjusted = [Double](repeating: 0, count: p.count)
      switch method {
      case .bonferroni: return p.map { min(1, m * $0) }
      case .holm:
        var running = 0.0
        for (rank, index) in order.enumerated() {
          running = max(running, (m - Double(rank)) * p[index])
          adjusted[index] = min(1, running)
        }
      case .benjaminiHochberg:
        var running = 1.0
        for (rank, index) in order.enumerated().reversed() {
          running = min(running, p[index] / (Double(rank + 1) / m))
          adjusted[index] = running
        }
      }
      return adjusted
    }
    var g = SplitMix64(seed: 31)
    for round in 0..<300 {
      let m = round < 100 ? Int.random(in: 1...12, using: &g) : Int.random(in: 1...3_000, using: &g)
      let few = [0.0, -0.0, 1, 0.5, 1e-300, 0.049, 0.05]
      let raw = (0..<m).map { _ in
        round % 2 == 0
          ? few.randomElement(using: &g) ?? 0
          : Bool.random(using: &g) ? Double.random(in: 0...1, using: &g) : few.randomElement(using: &g) ?? 0
      }
      for method in MultipleTestingCorrection.allCases {
        let adjusted = try method.adjust(raw)
        let expected = reference(method, raw)
        #expect(adjusted.map(\.bitPattern) == expected.map(\.bitPattern), "round \(round), \(method)")
      }
    }
  }
}
