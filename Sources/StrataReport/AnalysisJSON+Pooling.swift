import StrataAnalysis
import StrataStats

extension AnalysisJSON {
  /// A comparison's Bayesian summary of its relative or absolute lift (`results[].bayesian`); `prior`: the
  /// standard deviation of the N(0, σ²) prior on that scale, nil for the flat prior.
  static func bayesian<Members: JSONMembers>(
    _ result: BayesianResult, scale: String, prior: Double?, to members: inout Members
  ) {
    members.add("scale", string: scale)
    members.add("prior", string: prior == nil ? "flat" : "normal")
    members.add("prior_sd", finite: prior)
    members.add("posterior_mean", finite: result.posteriorMean)
    members.add("posterior_sd", finite: result.posteriorStandardDeviation)
    members.add("ci_low", finite: result.credibleInterval.lower)
    members.add("ci_high", finite: result.credibleInterval.upper)
    members.add("chance_to_win", finite: result.chanceToWin)
    members.add("risk_control", finite: result.riskControl)
    members.add("risk_treatment", finite: result.riskTreatment)
  }

  /// The random-effects pooling of one metric × treatment across segments (`partial_pooling[]`).
  ///
  /// `best_segment_quoted` (with two segments or more and one standing out) is what to quote for the best
  /// segment, the object `decision.best_segment` has for the decision's variant: its shrunken and raw
  /// estimates and the interval adjusted for the segments × variants compared (`level`: the plan's), never the
  /// raw interval alone, as the report's note on that row gives it.
  static func partialPooling<Members: JSONMembers>(
    _ metric: MetricAnalysis, _ pooling: SegmentPooling, level: Double, to members: inout Members
  ) {
    let model = pooling.model
    let best = pooling.best(lowerIsBetter: metric.metric.direction == .decrease)
    members.add("metric", string: metric.metric.name)
    members.add("variant", string: pooling.treatment)
    members.add("estimand", string: estimand(metric.metric))
    members.add("method", string: model.method.rawValue)
    members.add("knapp_hartung", bool: model.knappHartung)
    members.add("segments_pooled", integer: model.segments)
    members.add("tau2", finite: model.tauSquared)
    members.add("tau2_ci_low", finite: model.tauSquaredInterval?.lower)
    members.add("tau2_ci_high", finite: model.tauSquaredInterval?.upper)
    members.add("mean", finite: model.mean)
    members.add("se", finite: model.standardError)
    members.add("ci_low", finite: model.interval.lower)
    members.add("ci_high", finite: model.interval.upper)
    members.add("p_value", finite: model.test.pValue)
    members.add("prediction_low", finite: model.prediction.lower)
    members.add("prediction_high", finite: model.prediction.upper)
    members.add("best_segment", string: best?.segment)
    // Why it is null: the top is tied (all segments when τ̂² = 0), or fewer than two were pooled.
    let choice = pooling.choice(lowerIsBetter: metric.metric.direction == .decrease)
    switch choice {
    case .best: members.add("best_segment_reason", .null)
    case .tied: members.add("best_segment_reason", string: "no_segment_stands_out")
    case .fewerThanTwo: members.add("best_segment_reason", string: "fewer_than_two_segments")
    }
    if case .tied(let tied) = choice {
      members.add("best_segment_tied", integer: tied)
    } else {
      members.add("best_segment_tied", .null)
    }
    let quoted = best == nil ? nil : Decision.BestSegment(metric, treatment: pooling.treatment, level: level)
    members.add("best_segment_quoted", quoted.map(bestSegment) ?? .null)
    members.addArray("segments", objects: pooling.segments) { s, entry in
      entry.add("segment", string: s.segment)
      entry.add("raw", finite: s.estimate.raw)
      entry.add("raw_se", finite: s.estimate.rawVariance.squareRoot())
      entry.add("shrunken", finite: s.estimate.estimate)
      entry.add("shrunken_se", finite: s.estimate.standardError)
      entry.add("ci_low", finite: s.estimate.interval.lower)
      entry.add("ci_high", finite: s.estimate.interval.upper)
      entry.add("shrinkage", finite: s.estimate.shrinkage)
      entry.add("calibrated_ci_low", finite: s.estimate.calibratedInterval?.lower)
      entry.add("calibrated_ci_high", finite: s.estimate.calibratedInterval?.upper)
      entry.add("chance_to_win", finite: s.bayesian.chanceToWin)
      entry.add("risk_control", finite: s.bayesian.riskControl)
      entry.add("risk_treatment", finite: s.bayesian.riskTreatment)
    }
    members.add("segments_left_out", strings: pooling.segmentsLeftOut)
  }
}
