import StrataDefinitions
import StrataStats

/// Comparisons of a metric with `covariates:` by Lin's (2013) fully interacted regression in two passes over the units
/// (`StrataStats.InteractedRegressionFit`), per segment and over all segments, in the shape `AdjustedComparer` gives
/// for CUPED: each arm's adjusted mean at the covariates' mean with its robust (HC2 or HC3) variance, the
/// adjusted difference beside the unadjusted one (Welch on the same units) and the variance reduction.
///
/// The adjusted difference, its standard error, interval and p-value are those of the regression's arm
/// coefficient (statsmodels `OLS(...).fit(cov_type="HC2"/"HC3")`, normal tests): the fully interacted fit is one
/// OLS per arm, so the arms' adjusted means are uncorrelated and Var(τⱼ) = Vⱼ + V₀. Over all segments the
/// regression runs on every unit together (no segment terms), as the CUPED overall row pools θ over all units;
/// the post-stratified and inverse-variance estimates combine the segments' rows.
struct RegressionComparer: Sendable {
  let plan: AnalysisPlan
  let metric: Int
  /// Pass 1 from cells (`RegressionFits`), pass 2's sums (`RegressionSums`): from the two queries, or from a unit-level
  /// CSV's two passes (`DataReader`: a file read twice, or a pipe's kept rows gone over twice), one way for all.
  let fits: RegressionFits
  let sums: RegressionSums
  let position: Int
  let regression: Metric.Regression

  /// Refuses data without the two passes' results (aggregated cells alone) with a sentence naming the metric.
  init(plan: AnalysisPlan, metric: Int, fits: RegressionFits?, sums: RegressionSums?) throws(StatsError) {
    guard let regression = plan.metrics[metric].regression else {
      preconditionFailure("metric \(metric) has no covariates:")
    }
    let field = "metrics[\(metric)] (\(plan.metrics[metric].name)).covariates"
    if let fits, let position = fits.cells.metrics.firstIndex(of: metric) {
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
      self.fits = fits
      self.sums = sums
      self.position = position
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
