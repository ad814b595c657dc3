import StrataAnalysis
import StrataAssignment
import StrataStats

/// Every sentence about the decision, written once: the terminal text, the Markdown and HTML reports and
/// the JSON's `verdict` all take their words from here, from the typed `Decision`.
///
/// Order of a verdict: a label (the action), one headline naming the variant by its description with the
/// effect in the metric's unit and the interval of the decision rule, at most three bullets, the rest
/// folded, and the next step in numbers.
public enum DecisionText {
  /// The short label for the action ("Ship", "Keep running", …); never "Winner".
  public static func label(_ decision: Decision) -> String {
    switch decision.action {
    case .ship: "Ship"
    case .keepRunning: "Keep running"
    case .stopForFutility: "Stop: no worthwhile effect"
    case .inconclusive: "Inconclusive"
    case .doNotShip: "Do not ship"
    case .doNotTrust: "Do not trust yet"
    }
  }

  /// The tone of the verdict box: the JSON's `verdict.tone` and the HTML class.
  public enum Tone: String, Sendable, Hashable {
    case positive, negative, inconclusive, untrustworthy
  }

  /// The tone of `verdict.tone` in the JSON (and the HTML class of the verdict box).
  public static func tone(_ decision: Decision) -> Tone {
    switch decision.action {
    case .ship: .positive
    case .doNotShip: .negative
    case .doNotTrust: .untrustworthy
    case .keepRunning, .stopForFutility, .inconclusive: .inconclusive
    }
  }

  /// A variant by its description, with its key: `“Notice with …” (reminder_social)`; the key alone
  /// without a description.
  public static func variant(_ key: String, plan: AnalysisPlan) -> String {
    guard let description = plan.variantDescriptions[key], !description.isEmpty else { return key }
    return "“\(description)” (\(key))"
  }

  /// A metric as the verdict names it: its key, and for a ratio metric first what it divides, so the
  /// sentence reads as a ratio: `revenue per order (revenue_per_order)`.
  static func metricName(_ key: String, plan: AnalysisPlan) -> String {
    guard let ratio = plan.metrics.first(where: { $0.name == key })?.ratioLabel else { return key }
    return "\(ratio) (\(key))"
  }

  /// The control as a reader knows it: its description, else its key.
  static func control(_ plan: AnalysisPlan) -> String {
    plan.variantDescriptions[plan.control].map { "the control (“\($0)”)" } ?? plan.control
  }

  static func binomial(_ analysis: Analysis) -> Bool {
    analysis.plan.primaryMetricIndex.map { analysis.plan.metrics[$0].kind == .binomial } ?? false
  }

  /// "97.5%", "95%", "99.2%".
  static func level(_ x: Double) -> String {
    let percent = x * 100
    let text = NumberText.number(percent, digits: abs(percent - percent.rounded()) < 0.05 ? 0 : 1)
    return text + "%"
  }

  /// The effect and the interval of the rule: "+4.2 pp (97.5% CI [+2.7, +5.7] pp, adjusted for 2 variants
  /// compared)".
  public static func effect(_ effect: Decision.Effect, binomial: Bool) -> String {
    "\(NumberText.effect(effect.estimate, binomial: binomial)) (\(interval(effect, binomial: binomial)))"
  }

  /// The interval with its level and kind.
  public static func interval(_ effect: Decision.Effect, binomial: Bool) -> String {
    let bounds = NumberText.interval(effect.lower, effect.upper, binomial: binomial) + (binomial ? " pp" : "")
    let adjusted = adjustedFor(effect)
    switch effect.intervalKind {
    case .confidence: return "\(level(effect.level)) CI \(bounds)\(adjusted)"
    case .repeatedConfidence: return "\(level(effect.level)) repeated CI \(bounds) at this look's boundary\(adjusted)"
    case .alwaysValid: return "\(level(effect.level)) always-valid interval \(bounds)\(adjusted)"
    }
  }

  /// ", adjusted for 3 variants compared" when the interval's level is adjusted for several treatments.
  static func adjustedFor(_ effect: Decision.Effect) -> String {
    effect.adjustedFor > 1 ? ", adjusted for \(effect.adjustedFor) variants compared" : ""
  }

  /// The interval's kind and level in a few words: "97.5% CI, adjusted for 2 variants compared".
  public static func intervalName(_ effect: Decision.Effect) -> String {
    let adjusted = adjustedFor(effect)
    switch effect.intervalKind {
    case .confidence: return "\(level(effect.level)) CI\(adjusted)"
    case .repeatedConfidence: return "\(level(effect.level)) repeated CI\(adjusted)"
    case .alwaysValid: return "\(level(effect.level)) always-valid\(adjusted)"
    }
  }

  /// For a credible effect whose simultaneous interval still reaches 0 (Holm's later steps test less strictly
  /// than the interval adjusted for K variants): say so in the headline, so that a reader who reads only it
  /// does not take the interval for proof of a non-zero effect; "" otherwise.
  static func reachesZero(_ effect: Decision.Effect) -> String {
    guard effect.credible, effect.intervalKind == .confidence, effect.adjustedFor > 1, effect.lower <= 0,
      effect.upper >= 0
    else { return "" }
    return
      " Holm's step-down test finds the effect credible, but its interval adjusted for the \(effect.adjustedFor) variants compared still reaches 0: the size is uncertain."
  }

  /// "across segments" for a pooled estimate, "in <segment>" for one segment, "" overall.
  static func scope(_ effect: Decision.Effect) -> String {
    switch effect.scope {
    case .pooled: " across segments"
    case .segment: effect.segment.map { " in \($0)" } ?? ""
    case .overall: ""
    }
  }

  /// The one sentence for people who read only one.
  public static func headline(_ analysis: Analysis) -> String {
    let d = analysis.decision
    let plan = analysis.plan
    let binomial = binomial(analysis)
    let metric = d.metric.map { metricName($0, plan: plan) } ?? "the primary metric"
    guard let effect = d.effect, let key = d.variant else {
      return d.action == .doNotTrust
        ? "Do not trust these results yet: the split of units does not match the plan (sample ratio mismatch)."
        : "No test of \(metric) could be run on this data."
    }
    let name = variant(key, plan: plan)
    // With several treatments the variant named is the best (or leading) of them: say how many were compared
    // (its interval is adjusted for them too: simultaneous at α/K).
    let ofArms = d.armsCompared > 1 ? ", the best of \(d.armsCompared) variants compared" : ""
    let theBest = d.armsCompared > 1 ? "The best of \(d.armsCompared) variants compared" : "The best"
    let moved = effect.estimate >= 0 ? "raised" : "lowered"
    let size = NumberText.effect(effect.estimate, binomial: binomial)
    let magnitude = effect.estimate >= 0 ? size : String(size.dropFirst())
    let rule = interval(effect, binomial: binomial)
    let mde = plan.minimumDetectableEffect.map { NumberText.effect($0, binomial: binomial) }
    switch d.action {
    case .ship:
      let anyLook = d.unplannedLook ? " Always-valid inference holds at any look, planned or not." : ""
      return
        "Ship \(name)\(ofArms): it \(moved) \(metric) by \(magnitude)\(scope(effect)) (\(rule)) compared with \(control(plan)).\(reachesZero(effect))\(anyLook)"
    case .doNotShip:
      return
        "Do not ship \(name): it \(moved) \(metric) by \(magnitude)\(scope(effect)) (\(rule)) compared with \(control(plan)).\(reachesZero(effect))"
    case .keepRunning:
      let why =
        d.reason == .noBoundaryCrossed
        ? "no variant has crossed its boundary at this look"
        : "no variant has changed \(metric) detectably and the planned sample is not reached"
      return
        "Keep running: \(why). Leading so far: \(name)\(ofArms)\(ofArms.isEmpty ? "" : ",") at \(size)\(scope(effect)) (\(rule))."
    case .stopForFutility:
      let why =
        d.reason == .finalLookNotSignificant
        ? "the final planned look is in and no variant crossed its boundary"
        : "no variant changed \(metric) by the \(mde ?? "minimum effect") the plan was built to detect"
      return "Stop: \(why). \(theBest), \(name), is \(size)\(scope(effect)) (\(rule))."
    case .inconclusive:
      let unplanned = d.unplannedLook ? " at this unplanned look" : ""
      let rulesOut =
        mde.map { ", which cannot rule out an effect of \($0)" } ?? ", which cannot be told apart from no effect"
      return
        "Inconclusive\(unplanned): no variant changed \(metric) detectably. \(theBest), \(name), is \(size)\(scope(effect)) (\(rule))\(rulesOut)."
    case .doNotTrust:
      return
        "Do not trust these results yet: the split of units does not match the plan (sample ratio mismatch). Until the cause is found, \(name) only reads as \(size)\(scope(effect)) on \(metric) (\(rule))."
    }
  }
}
