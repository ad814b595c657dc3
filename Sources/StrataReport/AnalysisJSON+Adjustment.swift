import StrataAnalysis
import StrataStats

extension AnalysisJSON {
  /// What a metric's differences measure: "risk difference", "mean difference" or "ratio difference", with
  /// "adjusted " in front when a covariate adjusts them (CUPED).
  static func estimand(_ metric: AnalysisPlan.Metric) -> String {
    let base: String
    switch metric.kind {
    case .binomial: base = "risk difference"
    case .continuous: base = "mean difference"
    case .ratio: base = "ratio difference"
    }
    return metric.isAdjusted ? "adjusted " + base : base
  }

  /// A metric as `experiment.metrics[]` lists it: the definition's keys, and a ratio's columns and the
  /// covariate when there are any.
  static func metricDefinition(_ m: AnalysisPlan.Metric) -> JSONValue {
    var members: [(String, JSONValue)] = [
      ("name", .string(m.name)), ("kind", .string(m.kind.name)), ("role", .string(m.role.rawValue)),
      ("column", m.kind.isRatio ? .null : .string(m.column)), ("missing", .string(m.missing.rawValue)),
      ("direction", .string(m.direction.rawValue)),
    ]
    var numerator: JSONValue = .null
    var denominator: JSONValue = .null
    if case .ratio(let top, let bottom) = m.kind {
      numerator = .string(top)
      denominator = .string(bottom)
    }
    members += [
      ("numerator", numerator), ("denominator", denominator),
      ("label", m.ratioLabel.map(JSONValue.string) ?? .null),
      (
        "covariate",
        m.covariate.map { covariate in
          .object([
            ("columns", .array(covariate.columns.map(JSONValue.string))),
            ("missing", .string(covariate.missing.rawValue)),
          ])
        } ?? .null
      ),
      (
        "covariates",
        m.regression.map { regression in
          .object([
            ("columns", .array(regression.columns.map(JSONValue.string))),
            ("errors", .string(regression.errors.rawValue.uppercased())),
            ("missing", .string(regression.missing.rawValue)),
          ])
        } ?? .null
      ),
    ]
    return .object(members)
  }

  /// Adds `results[].adjustment`: the adjusted and the unadjusted comparison side by side, θ and the variance
  /// reduction.
  ///
  /// Null for a binomial or continuous metric without a covariate. Added to the entry's members like every other
  /// member (written straight into the bytes by `analyze --json`, no tree per entry).
  static func adjustment<Members: JSONMembers>(
    _ adjustment: AdjustedEstimate?, test: String?, to members: inout Members
  ) {
    guard let a = adjustment else {
      members.add("adjustment", .null)
      return
    }
    func lift(
      _ r: LiftResult, control: Double, treatment: Double, controlVariance: Double, treatmentVariance: Double,
      to members: inout Members
    ) {
      members.add("estimate_control", finite: control)
      members.add("estimate_treatment", finite: treatment)
      members.add("se_control", finite: controlVariance.squareRoot())
      members.add("se_treatment", finite: treatmentVariance.squareRoot())
      members.add("lift_abs", finite: r.difference)
      members.add("se", finite: r.standardError)
      members.add("ci_abs_low", finite: r.interval.lower)
      members.add("ci_abs_high", finite: r.interval.upper)
      members.add("lift_rel", finite: r.relative?.estimate)
      members.add("ci_rel_low", finite: r.relative?.interval.lower)
      members.add("ci_rel_high", finite: r.relative?.interval.upper)
      members.add("relative_method", string: r.relative?.method.rawValue)
      members.add("statistic", finite: r.test.statistic)
      members.add("df", finite: r.degreesOfFreedom)
      members.add("p_value", finite: r.test.pValue)
    }
    members.addObject("adjustment") { members in
      members.add("covariate", bool: a.covariate)
      members.add("method", string: test)
      members.add("theta", finite: a.theta)
      members.addObject("adjusted") {
        lift(
          a.adjusted, control: a.control.estimate, treatment: a.treatment.estimate,
          controlVariance: a.control.variance, treatmentVariance: a.treatment.variance, to: &$0)
      }
      members.addObject("unadjusted") {
        lift(
          a.unadjusted, control: a.control.unadjustedEstimate, treatment: a.treatment.unadjustedEstimate,
          controlVariance: a.control.unadjustedVariance, treatmentVariance: a.treatment.unadjustedVariance, to: &$0)
      }
      members.add("variance_reduction", finite: a.varianceReduction)
      members.add("equivalent_extra_units", finite: a.equivalentExtraUnits)
    }
  }

  /// `post_stratified[]`: one metric × treatment over the segments, weighted by their shares of units.
  static func postStratified<Members: JSONMembers>(
    _ metric: MetricAnalysis, _ p: PostStratifiedComparison, to members: inout Members
  ) {
    members.add("metric", string: metric.metric.name)
    members.add("variant", string: p.treatment)
    members.add("method", string: "post-stratified")
    members.add("estimand", string: estimand(metric.metric))
    members.add("estimate", finite: p.estimate)
    members.add("se", finite: p.standardError)
    members.add("ci_low", finite: p.interval.lower)
    members.add("ci_high", finite: p.interval.upper)
    members.add("z", finite: p.statistic)
    members.add("p_value", finite: p.pValue)
    members.addObject("weights") { weights in
      for (segment, weight) in zip(p.segmentsUsed, p.weights) { weights.add(name: segment, finite: weight) }
    }
    members.add("segments", strings: p.segmentsUsed)
    members.add("note", string: PostStratifiedComparison.estimand)
    members.add("notes", strings: p.notes)
  }
}
