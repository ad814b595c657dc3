import StrataStats

extension SimulatePoolingCommand {
  /// With several variants: " × V variants sharing one control (the first ahead by L pooled standard
  /// errors)"; nothing with one.
  static func variantsText(_ result: PoolingSimulationResult) -> String {
    let s = result.simulation
    guard s.variants > 1 else { return "" }
    let lead =
      s.lead == 0
      ? "all alike" : "the first ahead by \(NumberText.general(s.lead)) pooled standard errors"
    return " × \(s.variants) variants sharing one control (\(lead))"
  }

  /// The heading of the selected segment's table: with several variants, which variant was chosen how often.
  static func selectedText(_ result: PoolingSimulationResult) -> String {
    guard let leader = result.leaderChosen else {
      return "The selected segment (largest shrunken estimate per campaign, as analyze names it):"
    }
    return """
      Every figure above is about the chosen variant's segments: per campaign the credible variant with the \
      largest pooled estimate (Holm over \(result.simulation.variants)), as analyze chooses it; the first \
      variant was chosen in \(NumberText.number(leader.value * 100, digits: 1))% of campaigns \
      (Monte Carlo SE \(NumberText.number(leader.standardError * 100, digits: 1))).

      The selected segment (the chosen variant's largest shrunken estimate per campaign, as analyze names it; \
      its intervals adjusted for the \(result.simulation.segments) segments × \(result.simulation.variants) \
      variants compared, and for the segments only for contrast):
      """
  }

  /// The selected segment's intervals adjusted for its K segments only (not the variants).
  static func segmentsOnlyRows(_ b: PoolingSimulationResult.SelectedSegment, segments: Int) -> [[String]] {
    var rows = [
      [
        "raw, Bonferroni over the \(segments) segments only",
        NumberText.number(b.rawAdjustedSegmentsOnlyCoverage.value, digits: 4),
        NumberText.number(b.rawAdjustedSegmentsOnlyCoverage.standardError, digits: 4),
      ]
    ]
    if let quoted = b.quotedSegmentsOnlyCoverage, let kind = b.quotedInterval {
      rows.append([
        "\(kind) for the \(segments) segments only", NumberText.number(quoted.value, digits: 4),
        NumberText.number(quoted.standardError, digits: 4),
      ])
    }
    return rows
  }
}
