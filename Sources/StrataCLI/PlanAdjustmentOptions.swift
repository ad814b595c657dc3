import ArgumentParser
import StrataReport
import StrataStats

/// `strata plan`'s options for ratio metrics and CUPED-adjusted tests.
///
/// A ratio metric (`--metric ratio`, e.g. revenue per order) is sized as a mean with baseline
/// R = μ_numerator/μ_denominator and the per-unit standard deviation of its delta-method linearization
/// (`StrataStats.RatioPlanning`). A covariate (the same quantity before the experiment) correlated ρ with
/// the metric removes ρ² of the variance (`--correlation`), or give the share directly
/// (`--variance-reduction`, e.g. from a previous experiment's report).
struct PlanAdjustmentOptions: ParsableArguments {
  @Option(name: .customLong("numerator-mean"), help: "Ratio metric: mean numerator per unit (e.g. revenue).")
  var numeratorMean: Double?

  @Option(name: .customLong("numerator-sd"), help: "Ratio metric: standard deviation of the numerator per unit.")
  var numeratorSD: Double?

  @Option(name: .customLong("denominator-mean"), help: "Ratio metric: mean denominator per unit (e.g. orders).")
  var denominatorMean: Double?

  @Option(name: .customLong("denominator-sd"), help: "Ratio metric: standard deviation of the denominator.")
  var denominatorSD: Double?

  @Option(
    name: .customLong("ratio-correlation"),
    help: "Ratio metric: correlation of a unit's numerator and denominator (default 0).")
  var ratioCorrelation: Double?

  @Option(
    help: "CUPED: expected correlation of the metric with its pre-period covariate; sizes with 1 − ρ² of the variance."
  )
  var correlation: Double?

  @Option(
    name: .customLong("variance-reduction"),
    help: "CUPED: expected share of the variance the covariate removes (instead of --correlation).")
  var varianceReduction: Double?

  /// Flag combinations (usage errors, exit 64).
  func validateCombination(metric: PlanMetricName) throws {
    let ratioFlags = [numeratorMean, numeratorSD, denominatorMean, denominatorSD, ratioCorrelation]
    if metric == .ratio {
      guard numeratorMean != nil, numeratorSD != nil, denominatorMean != nil, denominatorSD != nil else {
        throw ValidationError(
          "--metric ratio needs --numerator-mean, --numerator-sd, --denominator-mean and --denominator-sd.")
      }
    } else if ratioFlags.contains(where: { $0 != nil }) {
      throw ValidationError("--numerator-*, --denominator-* and --ratio-correlation apply to --metric ratio only.")
    }
    if correlation != nil && varianceReduction != nil {
      throw ValidationError("Give --correlation or --variance-reduction, not both.")
    }
  }

  /// The ratio's plan metric (mean-like), with range errors naming the flag.
  func ratioMetric() throws -> PlanMetric {
    try flagNamed { () throws(StatsError) in
      try RatioPlanning(
        numeratorMean: numeratorMean ?? .nan, numeratorStandardDeviation: numeratorSD ?? .nan,
        denominatorMean: denominatorMean ?? .nan, denominatorStandardDeviation: denominatorSD ?? .nan,
        correlation: ratioCorrelation ?? 0
      ).planMetric()
    }
  }

  /// The share of variance removed: ρ² from --correlation, --variance-reduction as given, else 0.
  func reduction() throws -> Double {
    if let correlation {
      guard correlation > -1 && correlation < 1 else {
        throw InvalidInput("--correlation: must be strictly between -1 and 1, got \(correlation)")
      }
      return correlation * correlation
    }
    return varianceReduction ?? 0
  }

  /// JSON keys and text rows describing the adjustment (none without one).
  ///
  /// A ratio's baseline R and per-unit sd are already the mean-like plan's `baseline` and `sd`.
  func report(_ plan: SampleSizePlan) -> (fields: [(String, JSONValue)], rows: [[String]]) {
    var fields: [(String, JSONValue)] = []
    var rows: [[String]] = []
    if numeratorMean != nil {
      rows.append(["ratio metric", "Σnumerator/Σdenominator; sd of its delta-method linearization per unit"])
    }
    guard plan.varianceReduction > 0 else { return (fields, rows) }
    fields.append(("variance_reduction", .number(plan.varianceReduction)))
    if let correlation { fields.append(("correlation", .number(correlation))) }
    if case .mean(let standardDeviation, _) = plan.metric {
      fields.append(("sd_adjusted", .number(standardDeviation * (1 - plan.varianceReduction).squareRoot())))
    }
    rows.append(["CUPED", "the covariate removes \(ratePercent(plan.varianceReduction)) of the variance"])
    return (fields, rows)
  }
}
