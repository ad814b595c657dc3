import StrataStats

/// Writes the headline verdict in plain words from a finished analysis.
///
/// Order of concerns: a sample ratio mismatch overrides everything (the data cannot be trusted); then the
/// primary metric's pooled estimate per treatment (Holm-adjusted across treatments), then per-segment
/// results from the corrected family, heterogeneity, underpowered segments and guardrails.
struct VerdictWriter {
  let analysis: Analysis

  /// What a sample ratio mismatch puts before any headline.
  static let mismatchPrefix =
    "Do not act on these results yet: the split of units between variants does not match the plan (sample ratio mismatch). "

  func verdict() -> Verdict {
    var details: [String] = []
    let plan = analysis.plan
    if analysis.sampleRatio.mismatch {
      let segments = analysis.sampleRatio.segments.filter(\.mismatch).compactMap(\.segment)
      let where_ = segments.isEmpty ? "overall" : "in " + segments.joined(separator: ", ")
      details.append(
        "Sample ratio mismatch \(where_): the observed split of units does not match the plan (SRM p = \(NumberText.pValue(analysis.sampleRatio.overall.pValue)) overall). Find the cause (assignment bug, tracking loss, bot filtering) before acting on any result."
      )
    }
    guard let primaryIndex = plan.primaryMetricIndex else {
      return Verdict(
        tone: analysis.sampleRatio.mismatch ? .untrustworthy : .inconclusive, headline: "No metric to judge.",
        details: details)
    }
    let primary = analysis.metrics[primaryIndex]
    let binomial = primary.metric.kind == .binomial
    let name = primary.metric.name
    // One headline estimate per treatment: pooled across segments when there are several, else overall.
    struct Headline {
      var treatment: String; var estimate: Double; var lower: Double; var upper: Double; var pValue: Double
    }
    var headlines: [Headline] = primary.pooled.map {
      Headline(
        treatment: $0.treatment, estimate: $0.estimate, lower: $0.interval.lower, upper: $0.interval.upper,
        pValue: $0.pValue)
    }
    if headlines.isEmpty {
      headlines = primary.comparisons(segment: nil).compactMap { c in
        guard let p = c.pValue, let interval = c.absoluteInterval else { return nil }
        return Headline(
          treatment: c.treatment, estimate: c.absoluteLift, lower: interval.lower, upper: interval.upper, pValue: p)
      }
    }
    let adjusted = (try? MultipleTestingCorrection.holm.adjust(headlines.map(\.pValue))) ?? headlines.map(\.pValue)
    let level = "\(Int((plan.confidenceLevel * 100).rounded()))%"
    let scope = plan.segments.count > 1 ? " across segments" : ""
    let winners = headlines.indices.filter { adjusted[$0] < plan.alpha && headlines[$0].estimate > 0 }.sorted {
      headlines[$0].estimate > headlines[$1].estimate
    }
    let losers = headlines.indices.filter { adjusted[$0] < plan.alpha && headlines[$0].estimate < 0 }
    var tone: Verdict.Tone
    var headline: String
    if let best = winners.first {
      let h = headlines[best]
      tone = .positive
      headline =
        "\(h.treatment) raised \(name) by \(NumberText.effect(h.estimate, binomial: binomial))\(scope) (\(level) CI \(NumberText.interval(h.lower, h.upper, binomial: binomial))\(binomial ? " pp" : "")) compared with \(plan.control)."
    } else if let worst = losers.first {
      let h = headlines[worst]
      tone = .negative
      headline =
        "\(h.treatment) lowered \(name) by \(NumberText.effect(-h.estimate, binomial: binomial).dropFirst())\(scope) (\(level) CI \(NumberText.interval(h.lower, h.upper, binomial: binomial))\(binomial ? " pp" : "")) compared with \(plan.control)."
    } else {
      tone = .inconclusive
      if let best = headlines.indices.max(by: { headlines[$0].estimate < headlines[$1].estimate }) {
        let h = headlines[best]
        headline =
          "No variant changed \(name) detectably\(scope): the best, \(h.treatment), is \(NumberText.effect(h.estimate, binomial: binomial)) (\(level) CI \(NumberText.interval(h.lower, h.upper, binomial: binomial))\(binomial ? " pp" : "")), which cannot be told apart from no effect."
      } else {
        headline = "No test of \(name) could be run on this data."
      }
    }
    if headlines.count > 1 {
      details.append(
        "Treatments are compared with \(plan.control); their pooled p-values are Holm-adjusted across the \(headlines.count) treatments for this headline."
      )
    }
    for index in winners.dropFirst() + losers.dropFirst() {
      let h = headlines[index]
      details.append(
        "\(h.treatment): \(NumberText.effect(h.estimate, binomial: binomial)) (adjusted p = \(NumberText.pValue(adjusted[index])))."
      )
    }
    let segmentWins = primary.comparisons.filter { $0.segment != nil && $0.significant }
    for c in segmentWins {
      details.append(
        "In segment \(c.segment ?? ""), \(c.treatment) is \(NumberText.effect(c.absoluteLift, binomial: binomial)) (\(plan.correction.rawValue)-adjusted p = \(NumberText.pValue(c.adjustedPValue ?? c.pValue)))."
      )
    }
    for pooled in primary.pooled {
      if let p = pooled.heterogeneity.pValue, p < 0.05 {
        let i2 = pooled.heterogeneity.iSquared.map { ", I² = \(NumberText.percent($0, digits: 0))" } ?? ""
        details.append(
          "The effect of \(pooled.treatment) differs between segments (Cochran's Q p = \(NumberText.pValue(p))\(i2)): read the per-segment results, not only the pooled number."
        )
      }
    }
    let underpowered = Set(primary.comparisons.filter(\.underpowered).compactMap(\.segment))
    if !underpowered.isEmpty {
      details.append(
        "Underpowered segments (fewer units than planned): \(plan.segments.filter { underpowered.contains($0) }.joined(separator: ", "))."
      )
    }
    for guardrail in analysis.metrics(role: .guardrail) {
      for c in guardrail.comparisons(segment: nil) where c.significant {
        let direction = c.absoluteLift > 0 ? "rose" : "fell"
        details.append(
          "Guardrail \(guardrail.metric.name) \(direction) under \(c.treatment): \(NumberText.effect(c.absoluteLift, binomial: guardrail.metric.kind == .binomial)) (p = \(NumberText.pValue(c.pValue))); check that this direction is acceptable."
        )
      }
    }
    if analysis.sampleRatio.mismatch {
      tone = .untrustworthy
      headline = Self.mismatchPrefix + headline
    }
    return Verdict(tone: tone, headline: headline, details: details)
  }
}
