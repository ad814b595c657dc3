import Foundation
import StrataDesign
import StrataTestSupport
import Testing

@testable import StrataStats

/// Normal draws by Box–Muller from a seeded generator.
func normalDraw(_ generator: inout SplitMix64) -> Double {
  let u1 = (Double(generator.next() >> 11) + 0.5) / 9_007_199_254_740_992
  let u2 = Double(generator.next() >> 11) / 9_007_199_254_740_992
  return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
}

/// Simulated unit rows: `perCell` units in each run, mean from `mean(levels)`, unit noise.
func simulate(
  _ design: FactorialDesign, perCell: Int, seed: UInt64, mean: ([Int]) -> Double
) -> [FactorialObservation] {
  var generator = SplitMix64(seed: seed)
  var rows: [FactorialObservation] = []
  for index in design.runs.indices {
    for _ in 0..<perCell {
      rows.append(
        FactorialObservation(
          levels: design.levelLabels(ofRun: index), outcome: mean(design.runs[index]) + normalDraw(&generator)))
    }
  }
  return rows
}

@Suite("Factorial regression properties")
struct FactorialRegressionPropertyTests {
  let design: FactorialDesign

  init() throws {
    design = try FactorialDesign(fullFactorial: [
      try Factor(name: "subject", levels: ["short", "long", "question"]),
      try Factor(name: "image", levels: ["photo", "none"]),
    ])
  }

  @Test("an affine change of the outcome moves estimates affinely and leaves every F and p unchanged")
  func affineInvariance() throws {
    for seed in UInt64(1)...5 {
      let rows = simulate(design, perCell: 6, seed: seed) { Double($0[0]) * 0.3 + Double($0[1]) * 0.2 }
      let shifted = rows.map { FactorialObservation(levels: $0.levels, outcome: 100 - 2.5 * $0.outcome) }
      for covariance in CovarianceEstimator.allCases {
        let a = try FactorialRegression(data: FactorialData(design: design, observations: rows), covariance: covariance)
          .result()
        let b = try FactorialRegression(
          data: FactorialData(design: design, observations: shifted), covariance: covariance
        ).result()
        for (x, y) in zip(a.anova, b.anova) {
          #expect(isClose(x.test.statistic, y.test.statistic, relativeTolerance: 1e-9), "seed \(seed) \(covariance)")
        }
        for (x, y) in zip(a.coefficients.dropFirst(), b.coefficients.dropFirst()) {
          #expect(isClose(y.estimate, -2.5 * x.estimate, relativeTolerance: 1e-8, absoluteTolerance: 1e-10))
          #expect(isClose(y.standardError, 2.5 * x.standardError, relativeTolerance: 1e-8))
        }
        #expect(
          isClose(b.marginalMeans[0][1].estimate, 100 - 2.5 * a.marginalMeans[0][1].estimate, relativeTolerance: 1e-10))
      }
    }
  }

  @Test("a saturated model reproduces the observed cell means; reordering levels leaves the ANOVA unchanged")
  func saturatedAndRecoding() throws {
    let rows = simulate(design, perCell: 5, seed: 9) { Double($0[0] * $0[1]) }
    let result = try FactorialRegression(data: FactorialData(design: design, observations: rows)).result()
    for cell in result.cells { #expect(isClose(cell.fitted, cell.observedMean, relativeTolerance: 1e-10)) }
    let reordered = try FactorialDesign(fullFactorial: [
      try Factor(name: "subject", levels: ["question", "short", "long"]),
      try Factor(name: "image", levels: ["none", "photo"]),
    ])
    let other = try FactorialRegression(data: FactorialData(design: reordered, observations: rows)).result()
    for (x, y) in zip(result.anova, other.anova) {
      #expect(isClose(x.test.statistic, y.test.statistic, relativeTolerance: 1e-9))
      #expect(isClose(x.test.pValue, y.test.pValue, relativeTolerance: 1e-8))
    }
    #expect(isClose(result.perCellConfidenceLevel, pow(0.95, 1.0 / 6), relativeTolerance: 1e-14))
    #expect(result.bestCell.simultaneousInterval.contains(result.bestCell.fitted))
    #expect(result.bestCell.observedMean == result.cells.map(\.observedMean).max())
  }

  @Test("Šidák cell intervals cover all true cell means together at least 95% of the time (seeded)")
  func simultaneousCoverage() throws {
    let small = try FactorialDesign(fullFactorial: twoLevelFactors(2))
    let truth: ([Int]) -> Double = { Double($0[0]) + 0.5 * Double($0[1] * $0[0]) }
    var covered = 0
    let replications = 400
    for seed in 0..<replications {
      let rows = simulate(small, perCell: 6, seed: UInt64(1000 + seed), mean: truth)
      let result = try FactorialRegression(data: FactorialData(design: small, observations: rows)).result()
      if result.cells.allSatisfy({ $0.simultaneousInterval.contains(truth($0.levels)) }) { covered += 1 }
    }
    // Šidák is conservative: ≥ 0.95 in expectation; 0.95 − 3·SE(400) ≈ 0.917.
    #expect(Double(covered) / Double(replications) > 0.917)
  }

  @Test("planned power matches the rejection rate of the analysis on simulated data (seeded)")
  func powerMatchesSimulation() throws {
    // 2×3 design, 12 units per cell, σ = 1: subject effects (−0.25, 0.05, 0.2), image effects ±0.15, and a
    // subject:image pattern; the analysis is the saturated model's Type III F tests at α = 0.05.
    let subjectEffects = [-0.25, 0.05, 0.2]
    let imageEffects = [0.15, -0.15]
    let interaction = [[0.2, -0.2], [-0.1, 0.1], [-0.1, 0.1]]
    let truth: ([Int]) -> Double = { subjectEffects[$0[0]] + imageEffects[$0[1]] + interaction[$0[0]][$0[1]] }
    let replications = 400
    var rejections = [0, 0, 0]
    for seed in 0..<replications {
      let rows = simulate(design, perCell: 12, seed: UInt64(50_000 + seed), mean: truth)
      let result = try FactorialRegression(data: FactorialData(design: design, observations: rows)).result()
      for (index, row) in result.anova.enumerated() where row.test.pValue < 0.05 { rejections[index] += 1 }
    }
    let sizes = [
      try FactorialPower.effectSize(levelMeans: subjectEffects, standardDeviation: 1),
      try FactorialPower.effectSize(levelMeans: imageEffects, standardDeviation: 1),
      (interaction.flatMap { $0 }.map { $0 * $0 }.reduce(0, +) / 6).squareRoot(),
    ]
    let terms = [EffectWord(factors: [0]), EffectWord(factors: [1]), EffectWord(factors: [0, 1])]
    for index in 0..<3 {
      let planned = try FactorialPower(design: design, term: terms[index], effectSize: sizes[index]).power(
        unitsPerCell: 12)
      let simulated = Double(rejections[index]) / Double(replications)
      // Binomial standard error at 400 replications ≤ 0.025; allow 3.5 of them.
      #expect(
        abs(simulated - planned) < 3.5 * (planned * (1 - planned) / Double(replications)).squareRoot() + 1e-9,
        "term \(index): simulated \(simulated), planned \(planned)")
    }
  }

  @Test("cells given as mean and standard deviation keep full precision at a large offset")
  func meanAndStandardDeviationCells() throws {
    let rows = simulate(design, perCell: 40, seed: 77) { 1e7 + Double($0[0]) * 0.2 }
    let fromRows = try FactorialRegression(data: FactorialData(design: design, observations: rows)).result()
    let summaries = try design.runs.indices.map { index in
      let labels = design.levelLabels(ofRun: index)
      let values = rows.filter { $0.levels == labels }.map(\.outcome)
      return FactorialCellSummary(levels: labels, summary: try SampleSummary(values: values))
    }
    let fromSummaries = try FactorialRegression(data: FactorialData(design: design, cellSummaries: summaries)).result()
    for (a, b) in zip(fromRows.anova, fromSummaries.anova) {
      #expect(isClose(a.test.statistic, b.test.statistic, relativeTolerance: 1e-7))
    }
    #expect(isClose(fromRows.residualSumOfSquares, fromSummaries.residualSumOfSquares, relativeTolerance: 1e-7))
  }

  @Test("missing cells, unknown levels, cells outside the fraction and inconsistent summaries are invalid input")
  func invalidInput() throws {
    var rows = simulate(design, perCell: 4, seed: 3) { _ in 0 }
    rows.removeAll { $0.levels == ["question", "none"] }
    let gappy = try FactorialData(design: design, observations: rows)
    #expect { try FactorialRegression(data: gappy).result() } throws: { "\($0)".contains("parameters") }
    // Without the interaction the five remaining cells identify the model.
    #expect(throws: Never.self) { try FactorialRegression(data: gappy, maximumInteractionOrder: 1).result() }
    #expect {
      try FactorialData(design: design, observations: [FactorialObservation(levels: ["short", "video"], outcome: 1)])
    } throws: {
      "\($0)".contains("row 1") && "\($0)".contains("video")
    }
    let fraction = try FactorialDesign(
      factors: twoLevelFactors(3), generators: FractionGenerator.parseList("C=AB", factorCount: 3))
    #expect {
      try FactorialData(design: fraction, observations: [FactorialObservation(levels: ["1", "1", "1"], outcome: 1)])
    } throws: {
      "\($0)".contains("not a run")
    }
    #expect {
      try FactorialData(
        design: design,
        cellSummaries: [FactorialCellSummary(levels: ["short", "photo"], count: 10, sum: 10, sumOfSquares: 5)])
    } throws: { "\($0)".contains("inconsistent") }
    // One unit per cell in a saturated model: no residual degrees of freedom.
    let single = simulate(design, perCell: 1, seed: 4) { _ in 0 }
    #expect(throws: StatsError.self) {
      try FactorialRegression(data: FactorialData(design: design, observations: single)).result()
    }
    // HC3 is undefined with a single-unit cell in a saturated model; HC1 works.
    var uneven = simulate(design, perCell: 3, seed: 5) { _ in 0 }
    uneven.removeAll { $0.levels == ["long", "none"] }
    uneven.append(FactorialObservation(levels: ["long", "none"], outcome: 0.3))
    let unevenData = try FactorialData(design: design, observations: uneven)
    #expect { try FactorialRegression(data: unevenData, covariance: .hc3).result() } throws: {
      "\($0)".contains("leverage 1")
    }
    #expect(throws: Never.self) { try FactorialRegression(data: unevenData, covariance: .hc1).result() }
    let constant = design.runs.indices.flatMap { index in
      (0..<3).map { _ in FactorialObservation(levels: design.levelLabels(ofRun: index), outcome: Double(index)) }
    }
    #expect(throws: StatsError.self) {
      try FactorialRegression(data: FactorialData(design: design, observations: constant)).result()
    }
  }
}
