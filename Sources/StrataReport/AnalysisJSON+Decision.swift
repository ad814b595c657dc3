import StrataAnalysis

extension AnalysisJSON {
  /// `verdict`: the legacy keys (`tone`, `headline`, `details`) worded by `DecisionText`, plus the typed
  /// decision's `action`, `variant` and `reason`, the short `label`, the `bullets` and the `next_step`.
  static func verdict(_ analysis: Analysis) -> JSONValue {
    let d = analysis.decision
    let details = DecisionText.allDetails(analysis)
    return .object([
      ("tone", .string(DecisionText.tone(d).rawValue)),
      ("headline", .string(DecisionText.headline(analysis))),
      ("details", .array((details.key + details.more).map(JSONValue.string))),
      ("label", .string(DecisionText.label(d))),
      ("action", .string(d.action.rawValue)),
      ("variant", d.variant.map(JSONValue.string) ?? .null),
      ("reason", .string(d.reason.rawValue)),
      ("bullets", .array(details.key.prefix(3).map(JSONValue.string))),
      ("next_step", .string(DecisionText.nextStep(analysis))),
    ])
  }

  /// `decision`: the typed decision (docs/analyze.md, "The decision").
  static func decision(_ analysis: Analysis) -> JSONValue {
    let d = analysis.decision
    let step = d.nextStep
    let tied: JSONValue = d.noSegmentStandsOut.map { JSONValue.integer($0.tied) } ?? .null
    let head: [(String, JSONValue)] = [
      ("action", .string(d.action.rawValue)),
      ("reason", .string(d.reason.rawValue)),
      ("metric", d.metric.map(JSONValue.string) ?? .null),
      ("variant", d.variant.map(JSONValue.string) ?? .null),
      (
        "variant_description",
        d.variant.flatMap { analysis.plan.variantDescriptions[$0] }.map(JSONValue.string) ?? .null
      ),
      ("higher_is_better", .bool(d.higherIsBetter)),
      ("sequential", .bool(d.sequential)),
      ("unplanned_look", .bool(d.unplannedLook)),
      ("effect", d.effect.map(effect) ?? .null),
      ("best_segment", d.bestSegment.map(bestSegment) ?? .null),
      ("best_segment_reason", bestSegmentReason(d)),
      ("best_segment_tied", tied),
      ("arms_compared", .integer(d.armsCompared)),
    ]
    let treatments: JSONValue = .array(
      d.treatments.map { t in
        .object([
          ("variant", .string(t.treatment)), ("action", .string(t.action.rawValue)),
          ("reason", .string(t.reason.rawValue)), ("effect", t.effect.map(effect) ?? .null),
        ])
      })
    let next: JSONValue = .object([
      ("more_units_per_arm", step.moreUnitsPerArm.map(JSONValue.integer) ?? .null),
      ("days", step.days.map(JSONValue.integer) ?? .null),
      ("daily_units", step.dailyUnits.map(JSONValue.integer) ?? .null),
      ("next_look", step.nextLook.map(JSONValue.integer) ?? .null),
      ("achieved_mde", .finite(step.achievedMinimumEffect)),
      ("planned_mde", .finite(step.plannedMinimumEffect)),
    ])
    return .object(head + [("treatments", treatments), ("next_step", next)])
  }

  /// Why `best_segment` is null: `no_segment_stands_out` when two segments or more were pooled but the
  /// largest shrunken estimate is shared (all of them when τ̂² = 0; `best_segment_tied` says how many),
  /// `not_pooled` when fewer than two segments were pooled for the decision's variant (or there is none);
  /// null when a best segment is named.
  private static func bestSegmentReason(_ d: Decision) -> JSONValue {
    if d.bestSegment != nil { return .null }
    return .string(d.noSegmentStandsOut == nil ? "not_pooled" : "no_segment_stands_out")
  }

  /// `decision.best_segment`, and `partial_pooling[].best_segment_quoted` for every treatment.
  static func bestSegment(_ b: Decision.BestSegment) -> JSONValue {
    .object([
      ("variant", .string(b.treatment)), ("segment", .string(b.segment)), ("estimate", .finite(b.estimate)),
      ("raw", .finite(b.raw)), ("ci_low", .finite(b.lower)), ("ci_high", .finite(b.upper)),
      ("ci_level", .finite(b.level)), ("interval", .string(b.intervalKind.rawValue)),
      ("ci_level_each", .finite(b.adjustedLevel)),
      ("segments_compared", .integer(b.segmentsCompared)), ("variants_compared", .integer(b.variantsCompared)),
      ("adjusted_for", .integer(b.adjustedFor)),
      ("segments_left_out", .array(b.segmentsLeftOut.map(JSONValue.string))),
      ("chance_to_win", .finite(b.chanceToWin)),
      ("interval_centre", .finite(b.intervalCentre)),
    ])
  }

  private static func effect(_ e: Decision.Effect) -> JSONValue {
    .object([
      ("variant", .string(e.treatment)), ("metric", .string(e.metric)), ("scope", .string(e.scope.rawValue)),
      ("segment", e.segment.map(JSONValue.string) ?? .null), ("estimate", .finite(e.estimate)),
      ("se", .finite(e.standardError)), ("ci_low", .finite(e.lower)), ("ci_high", .finite(e.upper)),
      ("ci_level", .finite(e.level)), ("interval", .string(e.intervalKind.rawValue)),
      ("adjusted_for", .integer(e.adjustedFor)), ("ci_adjustment", .string(e.intervalAdjustment)),
      ("lift_rel", .finite(e.relative)),
      ("control_level", .finite(e.controlLevel)), ("p_value", .finite(e.pValue)), ("credible", .bool(e.credible)),
    ])
  }
}
