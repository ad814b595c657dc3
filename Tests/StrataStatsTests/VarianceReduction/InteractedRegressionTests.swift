import StrataStats
import StrataTestSupport
import Testing

struct LinCase: Decodable, CustomTestStringConvertible, Sendable {
  struct Row: Decodable, Sendable {
    var arm: Int
    var y: Double
    var x: [Double]
  }
  struct Effect: Decodable, Sendable { var arm: Int, estimate, standard_error, p_value, ci_lower, ci_upper: Double }
  var name: String
  var arms: Int
  var rows: [Row]
  var HC2: [Effect]
  var HC3: [Effect]
  var testDescription: String { name }

  func regression(_ covariance: InteractedRegression.RobustCovariance) throws -> InteractedRegression {
    try InteractedRegression(
      arms: rows.map(\.arm), outcomes: rows.map(\.y), covariates: rows.map(\.x), armCount: arms,
      robustCovariance: covariance)
  }
}

@Suite("Lin's interacted regression against statsmodels")
struct InteractedRegressionTests {
  /// statsmodels 0.15 `OLS(...).fit(cov_type="HC2"/"HC3")`: arm effects, robust standard errors, normal
  /// p-values and intervals, to 1e-9 relative (outcomes of 1e9: to 1e-9 of the standard error, the
  /// intercept absorbs the mean and the effects are known to the fit's rounding of it).
  @Test(arguments: try Fixture<LinCase>.load("lin_regression", from: .module))
  func matchesStatsmodels(_ c: LinCase) throws {
    for (covariance, expected) in [(InteractedRegression.RobustCovariance.hc2, c.HC2), (.hc3, c.HC3)] {
      let r = try c.regression(covariance).result()
      #expect(r.effects.count == expected.count)
      for (effect, reference) in zip(r.effects, expected) {
        let scale = reference.standard_error
        #expect(effect.arm == reference.arm)
        #expect(isClose(effect.estimate, reference.estimate, relativeTolerance: 1e-9, absoluteTolerance: 1e-9 * scale))
        #expect(isClose(effect.standardError, reference.standard_error, relativeTolerance: 1e-9))
        #expect(isClose(effect.test.pValue, reference.p_value, relativeTolerance: 1e-8, absoluteTolerance: 1e-14))
        #expect(
          isClose(effect.interval.lower, reference.ci_lower, relativeTolerance: 1e-9, absoluteTolerance: 1e-9 * scale))
        #expect(
          isClose(effect.interval.upper, reference.ci_upper, relativeTolerance: 1e-9, absoluteTolerance: 1e-9 * scale))
      }
    }
  }

  /// The arms' adjusted means and robust variances (what `strata analyze` compares) give back each effect:
  /// τⱼ = mⱼ − m₀ and Var(τⱼ) = Vⱼ + V₀, since the fully interacted fit is one regression per arm.
  @Test(arguments: try Fixture<LinCase>.load("lin_regression", from: .module))
  func armMeansReproduceTheEffects(_ c: LinCase) throws {
    for covariance in [InteractedRegression.RobustCovariance.hc2, .hc3] {
      let r = try c.regression(covariance).result()
      #expect(r.armMeans.count == c.arms && r.armVariances.count == c.arms)
      for effect in r.effects {
        let scale = effect.standardError
        let difference = r.armMeans[effect.arm] - r.armMeans[0]
        // Means of 1e9 round to ~1e-7 absolute; the tolerance is a small part of the standard error.
        #expect(isClose(difference, effect.estimate, relativeTolerance: 1e-9, absoluteTolerance: 1e-6 * scale))
        let variance = r.armVariances[effect.arm] + r.armVariances[0]
        #expect(isClose(variance.squareRoot(), effect.standardError, relativeTolerance: 1e-9))
      }
    }
  }

  @Test("HC3 is never smaller than HC2 (each unit's weight is divided once more by 1 − h ≤ 1)")
  func hc3AtLeastHC2() throws {
    for c in try Fixture<LinCase>.load("lin_regression", from: .module) {
      let hc2 = try c.regression(.hc2).result()
      let hc3 = try c.regression(.hc3).result()
      for (a, b) in zip(hc2.effects, hc3.effects) { #expect(b.standardError >= a.standardError) }
    }
  }

  @Test("Collinear covariates are refused with a sentence, not a fit")
  func collinear() throws {
    var rng = SplitMix64(seed: 7)
    var arms: [Int] = []
    var outcomes: [Double] = []
    var covariates: [[Double]] = []
    for unit in 0..<40 {
      let x = Double(rng.next() % 1000) / 100
      arms.append(unit % 2)
      outcomes.append(x + Double(unit % 2))
      covariates.append([x, 2 * x])
    }
    let regression = try InteractedRegression(arms: arms, outcomes: outcomes, covariates: covariates)
    #expect(throws: StatsError.self) { try regression.result() }
  }

  @Test("Too few units per arm and an arm out of range are input errors")
  func badInput() {
    #expect(throws: StatsError.self) {
      try InteractedRegression(arms: [0, 1, 0, 1], outcomes: [1, 2, 3, 4], covariates: [[1], [2], [3], [4]])
    }
    #expect(throws: StatsError.self) {
      try InteractedRegression(
        arms: [0, 1, 2, 0, 1, 0], outcomes: [1, 2, 3, 4, 5, 6], covariates: [[1], [2], [3], [4], [5], [6]])
    }
  }
}
