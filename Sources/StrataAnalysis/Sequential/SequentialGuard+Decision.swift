import Foundation
import StrataStats

extension SequentialGuard {
  /// The monitor's decision for every comparison at look `look`, and the overall decision in words.
  ///
  /// `interim`: a view between planned looks, decided on the always-valid results alone.
  func decide(
    entries: [(entry: LookRecord.Entry, estimate: CumulativeEstimate)], look: Int, previous: [LookRecord],
    fraction: Double?, interim: Bool = false
  ) throws -> SequentialAnalysis {
    let settings = plan.sequential
    let count = max(entries.count, 1)
    let alpha = plan.alpha / Double(count)
    let tau = settings.tau ?? plan.minimumDetectableEffect
    guard let tau else {
      throw StatsError.invalidInput(
        field: "plan.tau",
        message:
          "the sequential guard needs plan.tau (or plan.mde) for the always-valid p-value; add one to the experiment definition"
      )
    }
    let alwaysValid = try AlwaysValidInference(mixingStandardDeviation: tau, alpha: alpha)
    let sequentialPlan: SequentialPlan?
    var boundaries: [SequentialBoundary] = []
    if !isSequential {
      sequentialPlan = nil  // a fixed design looked at again
    } else if settings.method == .alwaysValid {
      sequentialPlan = .alwaysValid(looks: plan.looks)
    } else {
      let design = try GroupSequentialDesign(
        looks: plan.looks, fractions: settings.fractions, alpha: alpha, alternative: plan.alternative,
        spending: settings.spending)
      sequentialPlan = .groupSequential(design)
      boundaries = try design.boundaries()
    }
    let monitor = try SequentialMonitor(
      plan: interim ? .alwaysValid(looks: nil) : sequentialPlan, alwaysValid: alwaysValid)
    var rows: [SequentialAnalysis.Row] = []
    for (entry, estimate) in entries {
      var history: [CumulativeEstimate] = []
      var fractions: [Double?] = []
      for record in previous {
        let earlier = record.comparisons.first { $0.matches(entry) }
        fractions.append(earlier?.informationFraction)
        if let earlier, let value = try? CumulativeEstimate(estimate: earlier.estimate, variance: earlier.variance) {
          history.append(value)
        }
      }
      let observed = observedFractions(look: look, previous: fractions, current: entry.informationFraction)
      history = Array(history.suffix(look - 1)) + [estimate]
      let decision: SequentialDecision
      if let observed, let adapted = try? monitor.decide(look: look, history: history, observedFractions: observed) {
        decision = adapted
      } else {
        decision = try monitor.decide(look: look, history: history)
      }
      rows.append(
        SequentialAnalysis.Row(
          metric: entry.metric, treatment: entry.treatment, segment: entry.segment,
          informationFraction: entry.informationFraction, decision: decision))
    }
    let unplanned = interim || (rows.first?.decision.isUnplanned ?? (sequentialPlan == nil || look > plan.looks))
    let final =
      !unplanned && !rows.isEmpty
      && rows.allSatisfy { $0.decision.action == .finalReject || $0.decision.action == .finalDoNotReject }
    let crossed = rows.filter { $0.decision.action.rejects }
    let action: SequentialDecision.Action =
      crossed.isEmpty ? (final ? .finalDoNotReject : .continueCollecting) : (final ? .finalReject : .stopForEfficacy)
    let spending =
      settings.method == .groupSequential && isSequential && !unplanned ? settings.spending.description : nil
    var analysis = SequentialAnalysis(
      look: look, plannedLooks: sequentialPlan == nil ? nil : plan.looks,
      method: sequentialPlan == nil || settings.method == .alwaysValid || unplanned
        ? "always-valid" : "group-sequential",
      spending: spending, alphaPerComparison: alpha, comparisons: entries.count, tau: tau,
      informationFraction: fraction, plannedMaximumUnitsPerVariant: settings.maximumUnitsPerVariant,
      action: action, unplanned: unplanned,
      reason: reason(
        rows: rows, crossed: crossed, action: action, unplanned: unplanned, look: look, alpha: alpha, tau: tau),
      rows: rows, boundaries: boundaries, log: [], logFile: nil, reusedLook: false, lookNote: "")
    if interim {
      analysis.interim = true
      analysis.reason = interimReason(rows: rows, crossed: crossed, look: look, alpha: alpha, tau: tau)
    }
    return analysis
  }

  /// Why an interim view shows always-valid results, and what they say.
  private func interimReason(
    rows: [SequentialAnalysis.Row], crossed: [SequentialAnalysis.Row], look: Int, alpha: Double, tau: Double
  ) -> String {
    let metric = rows.first?.metric ?? "the primary metric"
    let names = crossed.map { row in row.segment.map { "\(row.treatment) in \($0)" } ?? row.treatment }
    let split = rows.count > 1 ? ", α = \(plan.alpha)/\(rows.count) = \(NumberText.compact(alpha)) per comparison" : ""
    let next =
      isSequential && plan.sequential.method == .groupSequential ? " (planned look \(look) of \(plan.looks))" : ""
    let why =
      "Interim view between planned looks: viewing is not a look, so nothing was recorded and the naive p-values, valid only at a planned look, are withheld; the always-valid (mixture SPRT) p-values and intervals shown stay valid however often the results are viewed. Record the next planned look\(next) when it is due."
    let outcome =
      crossed.isEmpty
      ? "No always-valid p-value of \(metric) is below its alpha (τ = \(NumberText.compact(tau))\(split))."
      : "The always-valid p-value is significant for \(names.joined(separator: ", ")) (τ = \(NumberText.compact(tau))\(split))."
    return why + " " + outcome
  }

  /// Observed fractions of looks 1…look, when every earlier look recorded one and they increase; else nil
  /// (the planned fractions are used).
  func observedFractions(look: Int, previous: [Double?], current: Double?) -> [Double]? {
    guard let current, previous.count == look - 1 else { return nil }
    let fractions = previous.compactMap { $0 } + [current]
    guard fractions.count == look else { return nil }
    let clipped = fractions.map { min($0, 1) }
    for index in clipped.indices.dropFirst() where clipped[index] <= clipped[index - 1] { return nil }
    return clipped.first.map { $0 > 0 } == true ? clipped : nil
  }

  private func reason(
    rows: [SequentialAnalysis.Row], crossed: [SequentialAnalysis.Row], action: SequentialDecision.Action,
    unplanned: Bool, look: Int, alpha: Double, tau: Double
  ) -> String {
    let metric = rows.first?.metric ?? "the primary metric"
    let names = crossed.map { row in row.segment.map { "\(row.treatment) in \($0)" } ?? row.treatment }
    let split = rows.count > 1 ? ", α = \(plan.alpha)/\(rows.count) = \(NumberText.compact(alpha)) per comparison" : ""
    if unplanned {
      let why =
        isSequential
        ? "Look \(look) is beyond the \(plan.looks) planned looks, so the planned boundaries no longer hold alpha and naive p-values would overstate the evidence."
        : "The plan is a fixed design (one look) and this is look \(look), so naive p-values would overstate the evidence."
      let outcome =
        crossed.isEmpty
        ? "No always-valid p-value of \(metric) is below its alpha (τ = \(NumberText.compact(tau))\(split)): keep collecting or stop without a claim."
        : "The always-valid p-value is significant for \(names.joined(separator: ", ")) (τ = \(NumberText.compact(tau))\(split))."
      return why + " The always-valid (mixture SPRT) p-values and intervals are shown instead. " + outcome
    }
    let where_ = "Look \(look) of \(plan.looks)"
    let evidence =
      plan.sequential.method == .alwaysValid
      ? "always-valid p-values of \(metric), τ = \(NumberText.compact(tau))\(split)"
      : "z of \(metric) against this look's \(plan.sequential.spending) boundary\(split)"
    switch action {
    case .continueCollecting:
      return
        "\(where_): continue. No comparison crosses (\(evidence)); keep collecting until the next planned look and do not act on the interim p-values."
    case .stopForEfficacy:
      return "\(where_): stop for efficacy. \(names.joined(separator: ", ")) crossed (\(evidence))."
    case .finalReject:
      return "\(where_), final: significant for \(names.joined(separator: ", ")) (\(evidence))."
    case .finalDoNotReject:
      return "\(where_), final: no comparison crosses (\(evidence)); no significant effect."
    }
  }
}
