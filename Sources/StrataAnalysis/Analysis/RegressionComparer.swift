import StrataDefinitions
import StrataStats

/// Comparisons of a metric with `covariates:` by Lin's (2013) fully interacted regression on unit rows
/// (`StrataStats.InteractedRegression`), per segment and over all segments, in the shape `AdjustedComparer` gives
/// for CUPED: each arm's adjusted mean at the covariates' mean with its robust (HC2 or HC3) variance, the
/// adjusted difference beside the unadjusted one (Welch on the same units) and the variance reduction.
///
/// The adjusted difference, its standard error, interval and p-value are those of the regression's arm
/// coefficient (statsmodels `OLS(...).fit(cov_type="HC2"/"HC3")`, normal tests): the fully interacted fit is one
/// OLS per arm, so the arms' adjusted means are uncorrelated and Var(τⱼ) = Vⱼ + V₀. Over all segments the
/// regression runs on every unit together (no segment terms), as the CUPED overall row pools θ over all units;
/// the post-stratified and inverse-variance estimates combine the segments' rows.
struct RegressionComparer: Sendable {
  /// Where the two passes read the units from.
  enum Source: Sendable {
    /// The unit rows, kept while a unit-level CSV was read: both passes here.
    case rows(RegressionRows, position: Int)
    /// Pass 1 from cells (`RegressionFits`), pass 2's sums from the database (`RegressionSums`).
    case cells(RegressionFits, RegressionSums, position: Int)
  }

  let plan: AnalysisPlan
  let metric: Int
  let source: Source
  let regression: Metric.Regression

  /// Refuses data without unit rows or the two queries' results (aggregated cells alone) with a sentence naming the
  /// metric.
  init(plan: AnalysisPlan, metric: Int, rows: RegressionRows?, fits: RegressionFits?, sums: RegressionSums?)
    throws(StatsError)
  {
    guard let regression = plan.metrics[metric].regression else {
      preconditionFailure("metric \(metric) has no covariates:")
    }
    let field = "metrics[\(metric)] (\(plan.metrics[metric].name)).covariates"
    if let rows, rows.available, let position = rows.position(ofMetric: metric) {
      source = .rows(rows, position: position)
    } else if let fits, let position = fits.cells.metrics.firstIndex(of: metric) {
      guard let sums else {
        throw .invalidInput(
          field: field,
          message:
            "Lin's regression adjustment needs, beside the cells, the sums of the second query (its HC2/HC3 errors weigh each unit by its own leverage): strata sql --regression-cells CELLS.csv writes that query from the first one's result; give its result to strata analyze --regression-sums (docs/warehouse.md)"
        )
      }
      guard sums.fingerprint == fits.fingerprint, sums.sums.count == fits.entries.count else {
        throw .invalidInput(
          field: field,
          message:
            "the second query's sums were computed for other cells (fits \(sums.fingerprint), these cells give \(fits.fingerprint)): write the second query from this first query's result (strata sql --regression-cells) and run it again"
        )
      }
      source = .cells(fits, sums, position: position)
    } else {
      throw .invalidInput(
        field: field,
        message:
          "Lin's regression adjustment needs unit-level rows or the regression columns of strata sql's query (<metric>_lin_n, ...; its HC2/HC3 errors weigh each unit by its own leverage), which these aggregated cells do not hold: analyze a unit-level CSV, run strata sql's two queries (docs/warehouse.md), or adjust with one column by CUPED (covariate:), which works from cells"
      )
    }
    self.plan = plan
    self.metric = metric
    self.regression = regression
  }

  /// The test name in results: `lin-hc2` or `lin-hc3`.
  var testName: String { "lin-" + regression.errors.rawValue }

  /// Each treatment against control in one segment (nil: all segments together).
  func comparisons(segment: Int?) throws(StatsError) -> [AdjustedComparer.Comparison] {
    switch source {
    case .rows(let rows, let position):
      return try comparisons(
        estimates: try rowEstimates(rows: rows, position: position, segment: segment), segment: segment)
    case .cells(let fits, let sums, let position):
      let index = fits.entryIndex(position: position, segment: segment)
      let entry = fits.entries[index]
      let fit = try entry.fit.get()
      guard let armSums = sums.sums[index] else {
        preconditionFailure("a fit without its sums: RegressionSums is read against these fits")
      }
      let result = try fit.result(varianceSums: armSums)
      let estimates = entry.unadjusted.indices.map { arm in
        ArmEstimate(
          count: entry.unadjusted[arm].count, estimate: result.armMeans[arm], variance: result.armVariances[arm],
          unadjustedEstimate: entry.unadjusted[arm].estimate, unadjustedVariance: entry.unadjusted[arm].variance)
      }
      return try comparisons(estimates: estimates, segment: segment)
    }
  }

  /// Both passes over the kept unit rows: each arm's adjusted and unadjusted estimate (control first).
  private func rowEstimates(rows: RegressionRows, position: Int, segment: Int?) throws(StatsError) -> [ArmEstimate] {
    let segments = segment.map { [$0] } ?? Array(plan.segments.indices)
    let k = regression.columns.count
    // Arm 0 is the control, then the treatments in layout order.
    let order = [plan.controlIndex] + plan.treatmentIndices
    // Pass 1 (`InteractedRegressionFit`): each arm's moments of [x₁ … x_k, y − y₀].
    var shift: Double?
    var running: [RunningMomentMatrix] = []
    var row = [Double](repeating: 0, count: k + 1)
    for variant in order {
      var arm = RunningMomentMatrix(columns: k + 1)
      for segment in segments {
        let cell = variant * plan.segments.count + segment
        let missing = rows.incomplete[position][cell]
        if missing > 0 {
          throw .invalidInput(
            field: "value columns",
            message:
              "\(missing) unit(s) of \(plan.variants[variant]) have a value of \"\(plan.metrics[metric].name)\" but not of every column in covariates:"
          )
        }
        let y = rows.outcomes[position][cell]
        let x = rows.covariates[position][cell]
        for unit in y.indices {
          // y − y₀ (y₀ the first outcome): an outcome of 10⁹ with a spread of 1 keeps the effects' digits.
          let y0 = shift ?? y[unit]
          shift = y0
          for l in 0..<k { row[l] = x[unit * k + l] }
          row[k] = y[unit] - y0
          arm.add(row)
        }
      }
      running.append(arm)
    }
    try InteractedRegressionFit.requireUnits(running.map(\.count), covariates: k)
    var moments: [MomentMatrix] = []
    for arm in running { moments.append(try arm.moments()) }
    let y0 = shift ?? 0
    // The unadjusted means and variances from the same moments of y − y₀ (as `RegressionFits` from cells): an outcome
    // of 10⁹ keeps its variance's digits.
    let unadjusted = moments.map { arm in
      let mean = y0 + arm.means[k]
      let variance = arm.comoments[k][k] / (arm.count - 1) / arm.count
      return ArmEstimate(
        count: arm.count, estimate: mean, variance: variance, unadjustedEstimate: mean, unadjustedVariance: variance)
    }
    let passes = try InteractedRegressionFit(
      arms: moments, outcomeShift: y0, robustCovariance: regression.errors == .hc2 ? .hc2 : .hc3,
      alternative: plan.alternative, confidenceLevel: plan.confidenceLevel)
    // Pass 2: each unit's residual and leverage, summed per arm.
    var sums = [Double](repeating: 0, count: order.count)
    var covariates = [Double](repeating: 0, count: k)
    for (arm, variant) in order.enumerated() {
      for segment in segments {
        let cell = variant * plan.segments.count + segment
        let y = rows.outcomes[position][cell]
        let x = rows.covariates[position][cell]
        for unit in y.indices {
          for l in 0..<k { covariates[l] = x[unit * k + l] }
          sums[arm] += try passes.varianceTerm(arm: arm, outcome: y[unit] - y0, covariates: covariates)
        }
      }
    }
    let fit = try passes.result(varianceSums: sums)
    return order.indices.map { arm in
      ArmEstimate(
        count: unadjusted[arm].count, estimate: fit.armMeans[arm], variance: fit.armVariances[arm],
        unadjustedEstimate: unadjusted[arm].estimate, unadjustedVariance: unadjusted[arm].variance)
    }
  }

  /// Each treatment against control from the arms' estimates (control first, then the treatments in plan order).
  private func comparisons(estimates: [ArmEstimate], segment: Int?) throws(StatsError)
    -> [AdjustedComparer.Comparison]
  {
    var out: [AdjustedComparer.Comparison] = []
    for (slot, treatment) in plan.treatmentIndices.enumerated() {
      let control = estimates[0], arm = estimates[slot + 1]
      let adjusted = try LiftComparison(
        control: control, treatment: arm, alternative: plan.alternative, confidenceLevel: plan.confidenceLevel,
        distribution: .normal
      ).result()
      let plain = try LiftComparison(
        control: control.unadjusted, treatment: arm.unadjusted, alternative: plan.alternative,
        confidenceLevel: plan.confidenceLevel
      ).result()
      out.append(
        AdjustedComparer.Comparison(
          segment: segment.map { plan.segments[$0] }, treatment: plan.variants[treatment], theta: 0,
          control: control, treatmentArm: arm, adjusted: adjusted, unadjusted: plain, segmentIndex: segment,
          treatmentIndex: treatment))
    }
    return out
  }
}
