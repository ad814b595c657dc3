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
  let plan: AnalysisPlan
  let metric: Int
  let position: Int
  let rows: RegressionRows
  let regression: Metric.Regression

  /// Refuses data without unit rows (aggregated cells, SQL) with a sentence naming the metric.
  init(plan: AnalysisPlan, metric: Int, rows: RegressionRows?) throws(StatsError) {
    guard let regression = plan.metrics[metric].regression else {
      preconditionFailure("metric \(metric) has no covariates:")
    }
    guard let rows, rows.available, let position = rows.position(ofMetric: metric) else {
      throw .invalidInput(
        field: "metrics[\(metric)] (\(plan.metrics[metric].name)).covariates",
        message:
          "Lin's regression adjustment needs unit-level rows (its HC2/HC3 errors weigh each unit by its own leverage), which aggregated cells and SQL results do not hold: analyze a unit-level CSV, or adjust with one column by CUPED (covariate:), which works from cells"
      )
    }
    self.plan = plan
    self.metric = metric
    self.position = position
    self.rows = rows
    self.regression = regression
  }

  /// The test name in results: `lin-hc2` or `lin-hc3`.
  var testName: String { "lin-" + regression.errors.rawValue }

  /// Each treatment against control in one segment (nil: all segments together).
  func comparisons(segment: Int?) throws(StatsError) -> [AdjustedComparer.Comparison] {
    let segments = segment.map { [$0] } ?? Array(plan.segments.indices)
    let k = regression.columns.count
    // Arm 0 is the control, then the treatments in layout order.
    let order = [plan.controlIndex] + plan.treatmentIndices
    // Pass 1 (`InteractedRegressionFit`): each arm's moments of [x₁ … x_k, y − y₀], and its unadjusted moments.
    var shift: Double?
    var running: [RunningMomentMatrix] = []
    var unadjusted: [ArmEstimate] = []
    var row = [Double](repeating: 0, count: k + 1)
    for variant in order {
      var moments = RunningMoments()
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
          moments.add(y[unit])
        }
      }
      running.append(arm)
      unadjusted.append(
        ArmEstimate(
          count: moments.count, estimate: moments.mean, variance: moments.variance / moments.count,
          unadjustedEstimate: moments.mean, unadjustedVariance: moments.variance / moments.count))
    }
    for (arm, moments) in running.enumerated() where moments.count < Double(k + 2) {
      throw .invalidInput(
        field: "arms",
        message: "arm \(arm) has \(Int(moments.count)) units; \(k) covariate(s) need at least \(k + 2) per arm")
    }
    var moments: [MomentMatrix] = []
    for arm in running { moments.append(try arm.moments()) }
    let y0 = shift ?? 0
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
    let estimates = order.indices.map { arm in
      ArmEstimate(
        count: unadjusted[arm].count, estimate: fit.armMeans[arm], variance: fit.armVariances[arm],
        unadjustedEstimate: unadjusted[arm].estimate, unadjustedVariance: unadjusted[arm].variance)
    }
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
          control: control, treatmentArm: arm, adjusted: adjusted, unadjusted: plain))
    }
    return out
  }
}
