import Foundation
import StrataDesign
import StrataTestSupport
import Testing

@testable import StrataStats

/// A case of `factorial.json` (Scripts/fixtures/factorial.py, statsmodels).
struct FactorialRegressionCase: Decodable, CustomTestStringConvertible {
  struct FactorSpec: Decodable { var name: String; var levels: [String] }
  struct Summary: Decodable {
    var levels: [String]
    var count: Double
    var sum: Double
    var sum_of_squares: Double
  }
  struct Coefficient: Decodable {
    var label: String
    var estimate, standard_error, statistic, p_value, ci_low, ci_high: Double
  }
  struct Row: Decodable {
    var term: String
    var df: Int
    var sum_of_squares, statistic, p_value: Double
  }
  struct Marginal: Decodable {
    var factor, level: String
    var estimate, standard_error, ci_low, ci_high: Double
  }
  struct Cell: Decodable {
    var levels: [String]
    var fitted, standard_error, ci_low, ci_high: Double
  }
  struct Difference: Decodable {
    var factor, level: String
    var estimate, standard_error, statistic, p_value, ci_low, ci_high: Double
  }
  struct TwoWay: Decodable {
    var levels: [String]
    var estimate, standard_error, ci_low, ci_high: Double
  }
  struct Result: Decodable {
    var covariance: String
    var coefficients: [Coefficient]
    var anova: [Row]
    var anova_type2: [Row]
    var marginal_means: [Marginal]
    var two_way_means: [TwoWay]
    var level_differences: [Difference]
    var cells: [Cell]
  }
  var name: String
  var factors: [FactorSpec]
  var generators: String?
  var maximum_order: Int
  var terms: [String]
  var levels: [[String]]
  var outcomes: [Double]
  var cell_summaries: [Summary]
  var unit_count: Double
  var residual_df, residual_sum_of_squares, r_squared: Double
  var results: [Result]

  var testDescription: String { name }

  func design() throws -> FactorialDesign {
    let factorList = try factors.map { try Factor(name: $0.name, levels: $0.levels) }
    guard let generators else { return try FactorialDesign(fullFactorial: factorList) }
    return try FactorialDesign(
      factors: factorList, generators: FractionGenerator.parseList(generators, factorCount: factorList.count))
  }
}

@Suite("Factorial regression matches statsmodels")
struct FactorialRegressionFixtureTests {
  static let cases = (try? Fixture<FactorialRegressionCase>.load("factorial", from: .module)) ?? []

  /// GSL's SVD and statsmodels' pinv agree to ~1e-12 here; 1e-9 relative leaves room for platform BLAS.
  ///
  /// Values that are zero up to rounding (coefficients of exactly balanced contrasts) use an absolute floor.
  static func close(_ actual: Double, _ expected: Double, scale: Double = 1) -> Bool {
    isClose(actual, expected, relativeTolerance: 1e-9, absoluteTolerance: 1e-11 * scale)
  }

  @Test("fixtures are present")
  func fixturesLoad() { #expect(Self.cases.count == 7) }

  @Test(
    "unit rows and per-cell summaries give statsmodels' fit, tests, ANOVA, marginal means and cells", arguments: cases)
  func matchesStatsmodels(_ c: FactorialRegressionCase) throws {
    let design = try c.design()
    let rows = zip(c.levels, c.outcomes).map { FactorialObservation(levels: $0, outcome: $1) }
    let fromRows = try FactorialData(design: design, observations: rows)
    let fromSummaries = try FactorialData(
      design: design,
      cellSummaries: c.cell_summaries.map {
        FactorialCellSummary(levels: $0.levels, count: $0.count, sum: $0.sum, sumOfSquares: $0.sum_of_squares)
      })
    for data in [fromRows, fromSummaries] {
      for expected in c.results {
        let covariance = try #require(CovarianceEstimator(rawValue: expected.covariance))
        let result = try FactorialRegression(
          data: data, maximumInteractionOrder: c.maximum_order, covariance: covariance
        ).result()
        check(result, against: expected, case: c, design: design)
        let typeII = try FactorialRegression(
          data: data, maximumInteractionOrder: c.maximum_order, covariance: covariance, anovaType: .typeII
        ).result()
        checkANOVA(typeII.anova, against: expected.anova_type2, context: "\(c.name) [\(expected.covariance), type II]")
      }
    }
  }

  private func check(
    _ result: FactorialRegressionResult, against expected: FactorialRegressionCase.Result,
    case c: FactorialRegressionCase, design: FactorialDesign
  ) {
    let context = "\(c.name) [\(expected.covariance)]"
    #expect(result.terms.map(\.name) == c.terms, "\(context)")
    #expect(result.unitCount == c.unit_count)
    #expect(result.residualDegreesOfFreedom == c.residual_df)
    #expect(Self.close(result.residualSumOfSquares, c.residual_sum_of_squares), "\(context)")
    #expect(Self.close(result.rSquared, c.r_squared), "\(context)")
    let scale = max(1, abs(result.coefficients[0].estimate))
    #expect(result.coefficients.count == expected.coefficients.count)
    for e in expected.coefficients {
      guard let a = result.coefficients.first(where: { $0.label == e.label }) else {
        Issue.record("\(context): no coefficient \(e.label) in \(result.coefficients.map(\.label))")
        continue
      }
      #expect(Self.close(a.estimate, e.estimate, scale: scale), "\(context) \(e.label) estimate")
      #expect(Self.close(a.standardError, e.standard_error), "\(context) \(e.label) se")
      #expect(
        isClose(a.test.statistic, e.statistic, relativeTolerance: 1e-8, absoluteTolerance: 1e-9),
        "\(context) \(e.label) t")
      #expect(
        isClose(a.test.pValue, e.p_value, relativeTolerance: 1e-8, absoluteTolerance: 1e-12), "\(context) \(e.label) p")
      #expect(Self.close(a.interval.lower, e.ci_low, scale: scale), "\(context) \(e.label) ci")
      #expect(Self.close(a.interval.upper, e.ci_high, scale: scale), "\(context) \(e.label) ci")
    }
    checkANOVA(result.anova, against: expected.anova, context: context)
    checkEstimates(result, against: expected, context: context, design: design, scale: scale)
  }

  private func checkANOVA(_ anova: [ANOVARow], against expected: [FactorialRegressionCase.Row], context: String) {
    #expect(anova.map(\.name) == expected.map(\.term), "\(context)")
    for (a, e) in zip(anova, expected) {
      #expect(a.degreesOfFreedom == e.df)
      #expect(
        isClose(a.test.statistic, e.statistic, relativeTolerance: 1e-8, absoluteTolerance: 1e-12),
        "\(context) F \(e.term)")
      #expect(
        isClose(a.test.pValue, e.p_value, relativeTolerance: 1e-8, absoluteTolerance: 1e-14), "\(context) p \(e.term)")
      #expect(
        isClose(a.sumOfSquares, e.sum_of_squares, relativeTolerance: 1e-8, absoluteTolerance: 1e-12),
        "\(context) SS \(e.term)")
    }
  }

  private func checkEstimates(
    _ result: FactorialRegressionResult, against expected: FactorialRegressionCase.Result, context: String,
    design: FactorialDesign, scale: Double
  ) {
    for e in expected.marginal_means {
      guard let factor = design.factors.firstIndex(where: { $0.name == e.factor }),
        let level = design.factors[factor].levels.firstIndex(of: e.level)
      else {
        Issue.record("\(context): unknown level \(e.factor)=\(e.level)")
        continue
      }
      let a = result.marginalMeans[factor][level]
      #expect(Self.close(a.estimate, e.estimate, scale: scale), "\(context) EMM \(e.level)")
      #expect(Self.close(a.standardError, e.standard_error), "\(context) EMM se \(e.level)")
      #expect(
        Self.close(a.interval.lower, e.ci_low, scale: scale) && Self.close(a.interval.upper, e.ci_high, scale: scale))
    }
    for e in expected.level_differences {
      guard let factor = design.factors.firstIndex(where: { $0.name == e.factor }),
        let level = design.factors[factor].levels.firstIndex(of: e.level),
        let a = (try? result.levelDifferences(factor: factor))?.first(where: { $0.level == level })
      else {
        Issue.record("\(context): no difference for \(e.factor)=\(e.level)")
        continue
      }
      #expect(Self.close(a.difference, e.estimate, scale: scale), "\(context) difference \(e.level)")
      #expect(Self.close(a.standardError, e.standard_error), "\(context) difference se \(e.level)")
      #expect(isClose(a.test.statistic, e.statistic, relativeTolerance: 1e-8, absoluteTolerance: 1e-9))
      #expect(isClose(a.test.pValue, e.p_value, relativeTolerance: 1e-8, absoluteTolerance: 1e-12))
      #expect(
        Self.close(a.interval.lower, e.ci_low, scale: scale) && Self.close(a.interval.upper, e.ci_high, scale: scale))
    }
    let twoWay = (try? result.twoWayMeans(first: 0, second: 1)) ?? []
    let secondCount = design.factors[1].levelCount
    #expect(twoWay.count * secondCount == expected.two_way_means.count)
    for (index, e) in expected.two_way_means.enumerated() where twoWay.count == design.factors[0].levelCount {
      let a = twoWay[index / secondCount][index % secondCount]
      #expect(design.factors[0].levels[a.level] == e.levels[0])
      #expect(Self.close(a.estimate, e.estimate, scale: scale), "\(context) two-way \(e.levels)")
      #expect(Self.close(a.standardError, e.standard_error), "\(context) two-way se \(e.levels)")
      #expect(
        Self.close(a.interval.lower, e.ci_low, scale: scale) && Self.close(a.interval.upper, e.ci_high, scale: scale))
    }
    #expect(result.cells.count == expected.cells.count)
    for (a, e) in zip(result.cells, expected.cells) {
      #expect(design.factors.indices.map { design.factors[$0].levels[a.levels[$0]] } == e.levels)
      #expect(Self.close(a.fitted, e.fitted, scale: scale), "\(context) cell \(e.levels)")
      #expect(Self.close(a.standardError, e.standard_error), "\(context) cell se \(e.levels)")
      #expect(Self.close(a.simultaneousInterval.lower, e.ci_low, scale: scale), "\(context) cell ci \(e.levels)")
      #expect(Self.close(a.simultaneousInterval.upper, e.ci_high, scale: scale), "\(context) cell ci \(e.levels)")
    }
    let best = expected.cells.max { $0.fitted < $1.fitted }
    #expect(result.bestCell.fitted == result.cells.map(\.fitted).max())
    #expect(best.map { Self.close(result.bestCell.fitted, $0.fitted, scale: scale) } ?? false)
  }
}
