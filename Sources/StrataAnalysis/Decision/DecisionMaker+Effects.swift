import StrataAssignment
import StrataDefinitions
import StrataStats

extension Metric {
  /// Whether an increase is the good direction (the definition's `direction`, `increase` by default).
  public var higherIsBetter: Bool { direction == .increase }
}

extension DecisionMaker {
  /// One headline effect per treatment of `metric` (pooled across segments, else overall), with the
  /// interval and credibility of `rule`.
  static func effects(_ metric: MetricAnalysis, plan: AnalysisPlan, rule: Rule) -> [Decision.Effect] {
    struct Raw {
      var treatment: String
      var scope: Decision.Scope
      var estimate: Double
      var standardError: Double
      var pValue: Double?
      var degreesOfFreedom: Double?
      var controlLevel: Double?
    }
    let binomial = metric.metric.hasBinomialVariance
    let overall = metric.comparisons(segment: nil)
    var raws: [Raw] = []
    for treatment in plan.treatmentIndices.map({ plan.variants[$0] }) {
      let whole = overall.first { $0.treatment == treatment }
      let controlLevel = whole.map(\.control.mean).flatMap { $0.isFinite ? $0 : nil }
      if let pooled = metric.pooled.first(where: { $0.treatment == treatment }) {
        guard pooled.standardError > 0, pooled.standardError.isFinite, pooled.estimate.isFinite else { continue }
        raws.append(
          Raw(
            treatment: treatment, scope: .pooled, estimate: pooled.estimate, standardError: pooled.standardError,
            pValue: pooled.pValue.isFinite ? pooled.pValue : nil, degreesOfFreedom: nil, controlLevel: controlLevel))
      } else if let c = whole, c.control.count > 0, c.treatmentArm.count > 0 {
        let variance =
          binomial
          ? c.control.mean * (1 - c.control.mean) / c.control.count + c.treatmentArm.mean * (1 - c.treatmentArm.mean)
            / c.treatmentArm.count
          : c.control.standardDeviation * c.control.standardDeviation / c.control.count
            + c.treatmentArm.standardDeviation * c.treatmentArm.standardDeviation / c.treatmentArm.count
        guard variance > 0, variance.isFinite, c.absoluteLift.isFinite else { continue }
        raws.append(
          Raw(
            treatment: treatment, scope: .overall, estimate: c.absoluteLift, standardError: variance.squareRoot(),
            pValue: c.pValue, degreesOfFreedom: c.test == "welch" ? c.degreesOfFreedom : nil,
            controlLevel: controlLevel))
      }
    }
    let count = raws.count
    let oneSided = plan.alternative != .twoSided
    func effect(
      _ raw: Raw, lower: Double, upper: Double, level: Double, kind: Decision.IntervalKind, p: Double?, credible: Bool
    ) -> Decision.Effect {
      Decision.Effect(
        metric: metric.metric.name, treatment: raw.treatment, scope: raw.scope, segment: nil, estimate: raw.estimate,
        standardError: raw.standardError, lower: lower, upper: oneSided ? .infinity : upper, level: level,
        intervalKind: kind, adjustedFor: count, controlLevel: raw.controlLevel, pValue: p,
        credible: credible)
    }
    switch rule {
    case .fixed:
      // Credibility is Holm's step-down test; every interval is the simultaneous (Bonferroni) one at α/K,
      // so the interval of the variant named best covers at the plan's level however it was picked
      // (docs/analyze.md, "The decision"). Holm's later steps test at α/(K − r + 1), less strictly: a
      // variant Holm calls credible can have an interval that still reaches 0 (DecisionText says so).
      let (adjusted, credibleByHolm) = BestChoice.holmCredible(raws.map(\.pValue), alpha: plan.alpha)
      let familyAlpha = plan.alpha / Double(max(1, count))
      let tail = oneSided ? familyAlpha : familyAlpha / 2
      let normalCritical = (try? Normal.inverseSurvival(tail)) ?? .nan
      return raws.indices.map { index in
        let raw = raws[index]
        let critical =
          (raw.degreesOfFreedom.flatMap { try? StudentT(degreesOfFreedom: $0).inverseSurvival(tail) })
          ?? normalCritical
        return effect(
          raw, lower: raw.estimate - critical * raw.standardError, upper: raw.estimate + critical * raw.standardError,
          level: 1 - familyAlpha, kind: .confidence, p: raw.pValue.map { _ in adjusted[index] },
          credible: credibleByHolm[index])
      }
    case .groupSequential(let critical):
      return raws.map { raw in
        let half = critical * raw.standardError
        return effect(
          raw, lower: raw.estimate - half, upper: raw.estimate + half, level: 1 - plan.alpha / Double(count),
          kind: .repeatedConfidence, p: nil,
          credible: oneSided ? raw.estimate - half > 0 : abs(raw.estimate) > half)
      }
    case .alwaysValid(let tau):
      let alpha = plan.alpha / Double(count)
      return raws.map { raw in
        let variance = raw.standardError * raw.standardError
        let half = NormalMixtureSPRT.halfWidth(variance: variance, mixingStandardDeviation: tau, alpha: alpha)
        let p = NormalMixtureSPRT.pValue(estimate: raw.estimate, variance: variance, mixingStandardDeviation: tau)
        return effect(
          raw, lower: raw.estimate - half, upper: raw.estimate + half, level: 1 - alpha, kind: .alwaysValid, p: p,
          credible: abs(raw.estimate) > half && (!oneSided || raw.estimate > 0))
      }
    }
  }
}
