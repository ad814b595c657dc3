/// What `SequentialMonitor` says at one look.
public struct SequentialDecision: Sendable, Hashable {
  /// What to do now.
  public enum Action: String, Sendable, Hashable, Codable {
    /// Not significant yet: keep collecting until the next look.
    case continueCollecting = "continue"
    /// Significant at an interim look (or at an unplanned look, always-valid): stop and report.
    case stopForEfficacy = "stop_for_efficacy"
    /// The last planned look, significant.
    case finalReject = "final_reject"
    /// The last planned look, not significant.
    case finalDoNotReject = "final_do_not_reject"

    /// Whether H₀ is rejected at this look.
    public var rejects: Bool { self == .stopForEfficacy || self == .finalReject }
  }

  /// Which evidence the decision rests on.
  public enum Method: String, Sendable, Hashable, Codable {
    /// The planned look's group-sequential boundary.
    case groupSequential = "group_sequential"
    /// The always-valid (mixture SPRT) running p-value.
    case alwaysValid = "always_valid"
  }

  /// 1-based look number.
  public var look: Int
  /// K from the plan, nil without a plan (or an always-valid plan without a horizon).
  public var plannedLooks: Int?
  public var method: Method
  public var action: Action
  /// This look's z = θ̂/√v, treatment − control.
  public var z: Double
  /// The boundary compared with z (planned group-sequential looks only).
  public var boundary: SequentialBoundary?
  /// The always-valid result at this look (always filled in; the evidence when `method == .alwaysValid`).
  public var alwaysValid: AlwaysValidLook?
  /// One plain sentence for people: what was compared with what and what it means (for unplanned
  /// looks, why the naive p-value is not shown).
  public var reason: String

  /// True for a look beyond the plan, or without a plan: show the always-valid result, not a naive p.
  public var isUnplanned: Bool
}
