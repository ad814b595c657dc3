import StrataStats
import StrataTestSupport
import Testing

/// `InteractedRegressionFit`: the two passes from moments a reader can merge (chunks, files, segments), without the
/// rows in memory, give the statsmodels fixtures' numbers as `InteractedRegression` does.
@Suite("Lin's regression in two passes over the units")
struct InteractedRegressionPassesTests {
  /// Pass 1 in two halves of the rows (as two chunks of a file), merged with Chan et al.'s update; pass 2 over the
  /// rows again: the same effects as the one-piece fit (1e-12) and as statsmodels (1e-9).
  @Test(arguments: try Fixture<LinCase>.load("lin_regression", from: .module))
  func mergedPassesMatchStatsmodels(_ c: LinCase) throws {
    let p = c.rows[0].x.count
    let shift = c.rows[0].y
    for (covariance, expected) in [(InteractedRegression.RobustCovariance.hc2, c.HC2), (.hc3, c.HC3)] {
      let half = c.rows.count / 2
      var parts: [[RunningMomentMatrix]] = []
      for range in [0..<half, half..<c.rows.count] {
        var arms = [RunningMomentMatrix](repeating: RunningMomentMatrix(columns: p + 1), count: c.arms)
        for row in c.rows[range] { arms[row.arm].add(row.x + [row.y - shift]) }
        parts.append(arms)
      }
      var moments: [MomentMatrix] = []
      for arm in 0..<c.arms {
        let first = try parts[0][arm].moments(), second = try parts[1][arm].moments()
        moments.append(first.merged(with: second))
      }
      let fit = try InteractedRegressionFit(arms: moments, outcomeShift: shift, robustCovariance: covariance)
      var sums = [Double](repeating: 0, count: c.arms)
      for row in c.rows {
        sums[row.arm] += try fit.varianceTerm(arm: row.arm, outcome: row.y - shift, covariates: row.x)
      }
      let streamed = try fit.result(varianceSums: sums)
      let whole = try c.regression(covariance).result()
      for (effect, reference) in zip(streamed.effects, expected) {
        let scale = reference.standard_error
        #expect(isClose(effect.estimate, reference.estimate, relativeTolerance: 1e-9, absoluteTolerance: 1e-9 * scale))
        #expect(isClose(effect.standardError, reference.standard_error, relativeTolerance: 1e-9))
      }
      for (a, b) in zip(streamed.effects, whole.effects) {
        #expect(isClose(a.estimate, b.estimate, relativeTolerance: 1e-12, absoluteTolerance: 1e-12 * b.standardError))
        #expect(isClose(a.standardError, b.standardError, relativeTolerance: 1e-12))
      }
    }
  }

  @Test("A constant covariate within an arm, or too few units, is refused with a sentence")
  func refusals() throws {
    var arms = [RunningMomentMatrix](repeating: RunningMomentMatrix(columns: 3), count: 2)
    for unit in 0..<20 {
      let x = Double(unit % 7)
      arms[unit % 2].add([x, unit % 2 == 0 ? 5 : x * x, Double(unit)])  // arm 0: the second covariate is constant
    }
    let moments = try arms.map { try $0.moments() }
    #expect(throws: StatsError.self) { try InteractedRegressionFit(arms: moments) }
    #expect(throws: StatsError.self) { try InteractedRegressionFit(arms: [moments[1]]) }
  }

  /// An arm with fewer than k + 2 units gets one sentence from the unit rows (`InteractedRegression`), the arms'
  /// moments (`InteractedRegressionFit`) and the check itself (`requireUnits`, which StrataAnalysis's cells call
  /// before building their moment matrices).
  @Test func tooFewUnitsInAnArmIsOneSentenceEverywhere() throws {
    // Arm 1 has 3 units for 2 covariates (a fit needs 4).
    var rows: [(arm: Int, x: [Double], y: Double)] = []
    for unit in 0..<12 {
      let value = Double(unit)
      rows.append((0, [value.truncatingRemainder(dividingBy: 5), value * value], value * 1.5))
    }
    for unit in 0..<3 {
      let value = Double(unit)
      rows.append((1, [value, value * 2 + 1.5], value + 0.25))
    }
    let expected = "arms: arm 1 has 3 units; 2 covariate(s) need at least 4 per arm"
    let fromRows = try #require(throws: StatsError.self) {
      try InteractedRegression(arms: rows.map(\.arm), outcomes: rows.map(\.y), covariates: rows.map(\.x))
    }
    var arms = [RunningMomentMatrix](repeating: RunningMomentMatrix(columns: 3), count: 2)
    for row in rows { arms[row.arm].add(row.x + [row.y]) }
    let fromMoments = try #require(throws: StatsError.self) {
      try InteractedRegressionFit(arms: arms.map { try $0.moments() })
    }
    let fromCounts = try #require(throws: StatsError.self) {
      try InteractedRegressionFit.requireUnits([12, 3], covariates: 2)
    }
    for error in [fromRows, fromMoments, fromCounts] { #expect("\(error)".contains(expected), "\(error)") }
    #expect("\(fromRows)" == "\(fromMoments)" && "\(fromMoments)" == "\(fromCounts)")
    try InteractedRegressionFit.requireUnits([4, 4], covariates: 2)
  }
}
