import Foundation

/// How an experiment plans to look at its results.
public enum SequentialPlan: Sendable, Hashable {
  /// A group-sequential design: K planned looks with Lan–DeMets alpha-spending boundaries.
  case groupSequential(GroupSequentialDesign)
  /// Always-valid inference at every look (mixture SPRT); `looks` is the planned number of looks, if any
  /// (the last planned look is then final), or nil to monitor without a horizon.
  case alwaysValid(looks: Int?)
}

/// The peeking guard: given the plan and the data at look k, says continue, stop for efficacy, or final.
///
/// For `strata analyze` and anything else that looks at an experiment more than once. Each analysis run
/// is a look; pass the look number k (1-based, from the look log or `--look K`) and the cumulative
/// estimates of looks 1…k (oldest first; at least the current one, the last element):
/// ```swift
/// let design = try GroupSequentialDesign(looks: 5, alpha: 0.05, sides: 2, spending: .obrienFleming)
/// let monitor = try SequentialMonitor(
///   plan: .groupSequential(design),
///   alwaysValid: AlwaysValidInference(mixingStandardDeviation: 0.01, alpha: 0.05))  // τ ≈ the MDE
/// let look = try CumulativeEstimate(control: controlConversions, treatment: treatmentConversions)
/// let decision = try monitor.decide(look: 3, history: earlierLooks + [look])
/// decision.action        // .continueCollecting, .stopForEfficacy, .finalReject, .finalDoNotReject
/// decision.boundary?.z   // the boundary this look's z was compared with (planned looks only)
/// decision.reason        // one plain sentence for the report
/// ```
/// Rules:
/// - Planned group-sequential look k ≤ K: z = θ̂/√v (treatment − control) against the look's boundary
///   c_k (z ≥ c_k one-sided, |z| ≥ c_k two-sided). Crossing stops for efficacy (`finalReject` at k = K);
///   otherwise continue, or at k = K `finalDoNotReject`. The naive p-value is *not* the evidence: the
///   boundary is. `alwaysValid` is also filled in (it costs nothing) but does not drive the decision.
/// - Unplanned look (k > K, or no plan): a naive p-value would be invalid, so the decision comes from the
///   always-valid running p-value (min over the looks given) and confidence sequence, and `reason` says
///   why. It rejects when the running p-value ≤ α (for a one-sided plan, also only when θ̂ > 0).
/// - `.alwaysValid` plans use the always-valid result at every look; at the planned last look the
///   decision is final.
/// Validity: group-sequential looks hold α when the looks happen at (about) the planned fractions; if
/// the real fraction differs, build the design with the observed fractions (spending adapts; the
/// α(t) already spent at earlier looks is unchanged). Always-valid results hold at any number of looks.
public struct SequentialMonitor: Sendable, Hashable {
  /// nil: no plan was declared, so every look is unplanned.
  public var plan: SequentialPlan?
  /// τ and α for always-valid results (unplanned looks, `.alwaysValid` plans).
  public var alwaysValid: AlwaysValidInference
  /// Boundaries of a group-sequential plan, computed once.
  public let boundaries: [SequentialBoundary]

  public init(plan: SequentialPlan?, alwaysValid: AlwaysValidInference) throws(StatsError) {
    self.plan = plan
    self.alwaysValid = alwaysValid
    if case .groupSequential(let design) = plan {
      boundaries = try design.boundaries()
    } else {
      boundaries = []
    }
    if case .alwaysValid(let looks?) = plan {
      try StatsError.require(looks >= 1, "looks", "must be at least 1, got \(looks)")
    }
  }

  /// The decision at look `look` (1-based) from the cumulative estimates of looks 1…look (oldest first;
  /// the last is the current look; earlier ones may be missing, which only makes the always-valid
  /// running p-value more conservative).
  ///
  /// `observedFractions` (optional, one per look 1…look): the information fractions actually reached
  /// (units so far / planned maximum). When given, the look's boundary is recomputed from them, as
  /// Lan–DeMets spending allows: looks 1…k at the observed fractions spend α(t_1), …, α(t_k), and the
  /// last planned look (or a fraction ≥ 1) is final and spends what is left of α.
  public func decide(
    look: Int, history: [CumulativeEstimate], observedFractions: [Double]? = nil
  ) throws(StatsError) -> SequentialDecision {
    try StatsError.require(look >= 1, "look", "must be at least 1, got \(look)")
    try StatsError.require(!history.isEmpty, "looks", "needs at least the current look's estimate")
    try StatsError.require(
      history.count <= look, "looks", "has \(history.count) estimates for look \(look); give at most one per look")
    guard let current = history.last else { preconditionFailure("history is not empty") }
    let alwaysValidLook = alwaysValid.results(history).last
    switch plan {
    case .groupSequential(let design) where look <= design.looks:
      var boundary = boundaries[look - 1]
      var final = look == design.looks
      if let observedFractions {
        (boundary, final) = try Self.boundary(design, look: look, observedFractions: observedFractions)
      }
      let crossed = design.alternative == .twoSided ? abs(current.z) >= boundary.z : current.z >= boundary.z
      let action: SequentialDecision.Action =
        crossed ? (final ? .finalReject : .stopForEfficacy) : (final ? .finalDoNotReject : .continueCollecting)
      let comparison =
        design.alternative == .twoSided
        ? "|z| = \(NumberText.human(abs(current.z), digits: 3))" : "z = \(NumberText.human(current.z, digits: 3))"
      let reason =
        crossed
        ? "Look \(look) of \(design.looks): \(comparison) reaches the boundary \(NumberText.human(boundary.z, digits: 3)) (\(design.spending) spending), so the effect is significant at the planned alpha \(design.alpha)."
        : "Look \(look) of \(design.looks): \(comparison) is below the boundary \(NumberText.human(boundary.z, digits: 3)) (\(design.spending) spending); "
          + (final
            ? "at the final look this means no significant effect." : "keep collecting until the next planned look.")
      return SequentialDecision(
        look: look, plannedLooks: design.looks, method: .groupSequential, action: action, z: current.z,
        boundary: boundary, alwaysValid: alwaysValidLook, reason: reason, isUnplanned: false)
    case .groupSequential(let design):
      return try unplanned(
        look: look, plannedLooks: design.looks, oneSided: design.alternative != .twoSided, current: current,
        result: alwaysValidLook,
        why:
          "Look \(look) is beyond the \(design.looks) planned looks, so the group-sequential boundaries no longer hold alpha and a naive p-value would overstate the evidence; this look uses the always-valid p-value instead."
      )
    case .alwaysValid(let planned):
      guard let result = alwaysValidLook else { preconditionFailure("history is not empty") }
      let beyond = planned.map { look > $0 } ?? false
      let final = planned.map { look == $0 } ?? false
      let action: SequentialDecision.Action =
        result.rejects ? (final ? .finalReject : .stopForEfficacy) : (final ? .finalDoNotReject : .continueCollecting)
      let horizon = planned.map { " of \($0)" } ?? ""
      let reason =
        "Look \(look)\(horizon): the always-valid p-value is \(NumberText.pValue(result.runningPValue)) "
        + (result.rejects
          ? "≤ alpha \(alwaysValid.alpha): significant however often the results were viewed."
          : "> alpha \(alwaysValid.alpha): "
            + (final ? "no significant effect at the final look." : "keep collecting."))
        + (beyond ? " (More looks than planned: always-valid results stay valid.)" : "")
      return SequentialDecision(
        look: look, plannedLooks: planned, method: .alwaysValid, action: action, z: current.z, boundary: nil,
        alwaysValid: result, reason: reason, isUnplanned: beyond)
    case nil:
      return try unplanned(
        look: look, plannedLooks: nil, oneSided: false, current: current, result: alwaysValidLook,
        why:
          "No sequential plan was declared, so a naive p-value would be invalid if the results are viewed more than once; this look uses the always-valid p-value instead."
      )
    }
  }

  /// The boundary of look k when the looks happened at `observed` fractions instead of the planned ones.
  static func boundary(
    _ design: GroupSequentialDesign, look: Int, observedFractions observed: [Double]
  ) throws(StatsError) -> (SequentialBoundary, final: Bool) {
    try StatsError.require(
      observed.count == look, "fractions", "must give one observed fraction per look (\(look)), got \(observed.count)")
    let final = look == design.looks || observed[look - 1] >= 1
    // Looks before k as observed; look k itself at its fraction, or at 1 when it is the final analysis;
    // an interim look gets a placeholder final look at 1 (it does not change earlier boundaries).
    var fractions = Array(observed.prefix(look - 1))
    fractions += final ? [1] : [observed[look - 1], 1]
    let adapted = try GroupSequentialDesign(
      looks: fractions.count, fractions: fractions, alpha: design.alpha, alternative: design.alternative,
      spending: design.spending)
    var boundary = try adapted.boundaries()[look - 1]
    boundary.look = look
    return (boundary, final)
  }

  private func unplanned(
    look: Int, plannedLooks: Int?, oneSided: Bool, current: CumulativeEstimate, result: AlwaysValidLook?, why: String
  ) throws(StatsError) -> SequentialDecision {
    guard let result else { preconditionFailure("history is not empty") }
    let rejects = result.rejects && (!oneSided || current.estimate > 0)
    let verdict =
      rejects
      ? " It is \(NumberText.pValue(result.runningPValue)) ≤ alpha \(alwaysValid.alpha): significant."
      : " It is \(NumberText.pValue(result.runningPValue)): not significant; keep collecting or stop without a claim."
    return SequentialDecision(
      look: look, plannedLooks: plannedLooks, method: .alwaysValid,
      action: rejects ? .stopForEfficacy : .continueCollecting, z: current.z, boundary: nil, alwaysValid: result,
      reason: why + verdict, isUnplanned: true)
  }
}
