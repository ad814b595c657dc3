import StrataDesign
import StrataStats

/// Fits the factorial model of a factorial experiment for every metric, per segment and overall.
///
/// The cells are the variants (in run order), and the data reader's per-variant × segment sufficient
/// statistics (n, mean, M2 by Welford) are exactly what `FactorialData(design:cellSummaries:)` needs: the
/// fit, classical and HC0–HC3 errors are exact from them (see `FactorialRegression`). Binomial metrics use
/// the linear probability model with HC1 (heteroskedasticity-robust) errors, since the cells' variances
/// p(1 − p) differ; continuous metrics use `plan.factorialContinuousErrors` (HC1 by default, or classical).
/// ANOVA is Type III. The model holds every interaction for a full
/// factorial and main effects plus the estimable two-factor interactions for a fraction.
struct FactorialAnalyzer {
  let plan: AnalysisPlan
  let design: FactorialDesign

  func covariance(metric: Int) -> CovarianceEstimator {
    plan.metrics[metric].kind == .binomial ? .hc1 : plan.factorialContinuousErrors
  }

  func analyze(_ statistics: SufficientStatistics) -> FactorialAnalysis {
    var metrics: [FactorialMetricAnalysis] = []
    // A ratio is not a per-unit mean, so the factorial model (a linear model of unit values) does not fit it;
    // its comparisons with control are in the ordinary results.
    for (index, metric) in plan.metrics.enumerated() where !metric.kind.isRatio {
      var fits: [FactorialFit] = []
      if plan.segments.count > 1 {
        for segment in plan.segments.indices {
          fits.append(fit(statistics, metric: index, segment: segment))
        }
      }
      fits.append(fit(statistics, metric: index, segment: nil))
      metrics.append(FactorialMetricAnalysis(metric: metric, fits: fits))
    }
    let ratios = plan.metrics.filter(\.kind.isRatio).map(\.name)
    let ratioCaveat =
      ratios.isEmpty
      ? []
      : [
        "Ratio metrics (\(ratios.joined(separator: ", "))) are not fitted by the factorial model, which models unit values; each cell's comparison with control is in the results."
      ]
    return FactorialAnalysis(design: design, metrics: metrics, aliasingCaveats: aliasingCaveats() + ratioCaveat)
  }

  /// What a fraction's aliasing means, in words (empty for a full factorial).
  func aliasingCaveats() -> [String] {
    guard design.isFractional, let resolution = design.resolution else { return [] }
    let model = FactorialModel(factors: design.factors, terms: [])
    var caveats = [
      "This is a 2^(\(design.factors.count)−\(design.fractionExponent)) fraction (\(design.runs.count) of \(1 << design.factors.count) cells), resolution \(Self.roman(resolution)): effects are estimated on the assumption that interactions of three or more factors are negligible."
    ]
    for entry in design.estimableTerms(maximumOrder: min(2, design.factors.count)).terms
    where !entry.aliasedWith.isEmpty {
      let aliases = entry.aliasedWith.map { model.name(of: $0) }.joined(separator: ", ")
      caveats.append(
        "\(model.name(of: entry.term)) is aliased with \(aliases): its estimate is their sum, and the data cannot tell them apart."
      )
    }
    return caveats
  }

  private func fit(_ statistics: SufficientStatistics, metric: Int, segment: Int?) -> FactorialFit {
    let name = segment.map { plan.segments[$0] }
    var summaries: [FactorialCellSummary] = []
    var empty: [String] = []
    var spreads: [RunningMoments] = []
    let column = plan.valueColumn(metric: metric)
    for (variant, run) in design.runs.indices.enumerated() {
      let values =
        segment.map { statistics.metric(column, variant: variant, segment: $0) }
        ?? statistics.metric(column, variant: variant)
      guard values.count > 0 else {
        empty.append(plan.variants[variant])
        continue
      }
      var summary = FactorialCellSummary(
        levels: design.levelLabels(ofRun: run), count: values.count, sum: values.moments.mean * values.count,
        sumOfSquares: 0)
      summary.sumOfSquaredDeviations = values.moments.m2
      summaries.append(summary)
      spreads.append(values.moments)
    }
    guard empty.isEmpty else {
      return FactorialFit(
        segment: name, result: nil,
        notes: ["No factorial model: cells without units (\(empty.joined(separator: ", "))); every cell needs data."])
    }
    do {
      // A spread beyond the double range is refused with its reason (`ValueRange`), not fitted on what is left.
      if plan.metrics[metric].kind != .binomial {
        for spread in spreads {
          try ValueRange.require(spread, field: "values", below: ValueRange.fullPrecisionVariance)
        }
      }
      let data = try FactorialData(design: design, cellSummaries: summaries)
      let result = try FactorialRegression(data: data, covariance: covariance(metric: metric), anovaType: .typeIII)
        .result()
      let differences = try design.factors.indices.map { factor throws(StatsError) in
        try result.levelDifferences(factor: factor)
      }
      var fit = FactorialFit(segment: name, result: result, levelDifferences: differences)
      if let pair = Self.topPair(result) {
        fit.plottedFactors = [pair.first, pair.second]
        fit.twoWayMeans = try result.twoWayMeans(first: pair.first, second: pair.second)
      }
      if result.residualDegreesOfFreedom < 1 {
        fit.notes.append("No residual degrees of freedom: every cell needs at least two units.")
      }
      return fit
    } catch {
      return FactorialFit(segment: name, result: nil, notes: ["No factorial model: \(error)."])
    }
  }

  /// The pair of factors to plot: the two-factor interaction with the largest F in the ANOVA table, else
  /// (no two-factor term in the model) the first two factors.
  static func topPair(_ result: FactorialRegressionResult) -> (first: Int, second: Int)? {
    guard result.model.factors.count >= 2 else { return nil }
    let twoFactor = result.anova.filter { $0.term.length == 2 && $0.test.statistic.isFinite }
    guard let best = twoFactor.max(by: { $0.test.statistic < $1.test.statistic }) else { return (0, 1) }
    let factors = best.term.factors
    return (factors[0], factors[1])
  }

  static func roman(_ value: Int) -> String {
    let numerals = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
    return value < numerals.count ? numerals[value] : "\(value)"
  }
}
