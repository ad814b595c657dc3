import StrataAnalysis
import StrataStats

extension AnalysisJSON {
  /// A comparison's Bayesian summary of the relative lift (`results[].bayesian`), or null.
  static func bayesian(_ result: BayesianResult?, prior: Double?) -> JSONValue {
    guard let result else { return .null }
    return .object([
      ("scale", .string("relative")),
      ("prior", .string(prior == nil ? "flat" : "normal")),
      ("prior_sd", .finite(prior)),
      ("posterior_mean", .finite(result.posteriorMean)),
      ("posterior_sd", .finite(result.posteriorStandardDeviation)),
      ("ci_low", .finite(result.credibleInterval.lower)),
      ("ci_high", .finite(result.credibleInterval.upper)),
      ("chance_to_win", .finite(result.chanceToWin)),
      ("risk_control", .finite(result.riskControl)),
      ("risk_treatment", .finite(result.riskTreatment)),
    ])
  }

  /// The random-effects pooling of one metric × treatment across segments (`partial_pooling[]`).
  static func partialPooling(_ metric: MetricAnalysis, _ pooling: SegmentPooling) -> JSONValue {
    let model = pooling.model
    let best = pooling.best(lowerIsBetter: metric.metric.direction == .decrease)
    return .object([
      ("metric", .string(metric.metric.name)),
      ("variant", .string(pooling.treatment)),
      ("estimand", .string(estimand(metric.metric))),
      ("method", .string(model.method.rawValue)),
      ("knapp_hartung", .bool(model.knappHartung)),
      ("segments_pooled", .integer(model.segments)),
      ("tau2", .finite(model.tauSquared)),
      ("tau2_ci_low", .finite(model.tauSquaredInterval?.lower)),
      ("tau2_ci_high", .finite(model.tauSquaredInterval?.upper)),
      ("mean", .finite(model.mean)),
      ("se", .finite(model.standardError)),
      ("ci_low", .finite(model.interval.lower)),
      ("ci_high", .finite(model.interval.upper)),
      ("p_value", .finite(model.test.pValue)),
      ("prediction_low", .finite(model.prediction.lower)),
      ("prediction_high", .finite(model.prediction.upper)),
      ("best_segment", best.map { .string($0.segment) } ?? .null),
      (
        "segments",
        .array(
          pooling.segments.map { s in
            .object([
              ("segment", .string(s.segment)),
              ("raw", .finite(s.estimate.raw)),
              ("raw_se", .finite(s.estimate.rawVariance.squareRoot())),
              ("shrunken", .finite(s.estimate.estimate)),
              ("shrunken_se", .finite(s.estimate.standardError)),
              ("ci_low", .finite(s.estimate.interval.lower)),
              ("ci_high", .finite(s.estimate.interval.upper)),
              ("shrinkage", .finite(s.estimate.shrinkage)),
              ("calibrated_ci_low", .finite(s.estimate.calibratedInterval?.lower)),
              ("calibrated_ci_high", .finite(s.estimate.calibratedInterval?.upper)),
              ("chance_to_win", .finite(s.bayesian.chanceToWin)),
              ("risk_control", .finite(s.bayesian.riskControl)),
              ("risk_treatment", .finite(s.bayesian.riskTreatment)),
            ])
          })
      ),
      ("segments_left_out", .array(pooling.segmentsLeftOut.map(JSONValue.string))),
    ])
  }
}
