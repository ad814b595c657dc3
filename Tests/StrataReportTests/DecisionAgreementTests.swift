import Foundation
import StrataAnalysis
import StrataReport
import StrataStats
import Testing

/// The typed decision names the variant with the largest credible effect (checked against the pooled
/// results), and the terminal text, Markdown, HTML and JSON all say the same thing.
@Suite("Decision agreement")
struct DecisionAgreementTests {
  /// Reverses the escaping of the HTML report (only XML's predefined entities are used).
  static func unescapeHTML(_ text: String) -> String {
    text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
      .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
      .replacingOccurrences(of: "&amp;", with: "&")
  }

  /// Reverses the Markdown escaping (backslash escapes and the entities of `<`, `>`, `&`).
  static func unescapeMarkdown(_ text: String) -> String {
    var out = ""
    var escaped = false
    for character in text {
      if character == "\\" && !escaped {
        escaped = true
        continue
      }
      escaped = false
      out.append(character)
    }
    return unescapeHTML(out)
  }

  /// The headline estimate per treatment, computed here from the analysis' pooled (else overall) results.
  static func pooledEstimates(_ analysis: Analysis) -> [String: (estimate: Double, pValue: Double?)] {
    guard let index = analysis.plan.primaryMetricIndex else { return [:] }
    let metric = analysis.metrics[index]
    var out: [String: (Double, Double?)] = [:]
    for c in metric.comparisons(segment: nil) { out[c.treatment] = (c.absoluteLift, c.pValue) }
    for p in metric.pooled { out[p.treatment] = (p.estimate, p.pValue.isFinite ? p.pValue : nil) }
    return out
  }

  @Test func headlineNamesTheLargestCredibleEffect() throws {
    for (label, analysis) in try DecisionCases.all() {
      let d = analysis.decision
      let pooled = Self.pooledEstimates(analysis)
      #expect(d.treatments.count == pooled.count, "\(label): one decision per treatment")
      for t in d.treatments {
        let effect = try #require(t.effect, "\(label): \(t.treatment) has an effect")
        let reference = try #require(pooled[t.treatment])
        #expect(effect.estimate == reference.estimate, "\(label): \(t.treatment)'s effect is its pooled estimate")
        #expect(effect.lower <= effect.estimate && effect.estimate <= effect.upper, "\(label): interval holds it")
        // Repeated and always-valid: credible exactly when the interval of the rule excludes 0. Fixed horizon:
        // the simultaneous (Bonferroni, α/K) interval excluding 0 implies Holm calls it credible (Holm-adjusted
        // p ≤ K·p < α), while Holm's later steps can call credible a variant whose interval reaches 0.
        let excludes = effect.lower > 0 || effect.upper < 0
        if effect.intervalKind == .confidence {
          if excludes { #expect(effect.credible, "\(label): \(t.treatment) credibility") }
        } else {
          #expect(effect.credible == excludes, "\(label): \(t.treatment) credibility")
        }
      }
      let effects = d.treatments.compactMap(\.effect)
      let credibleUp = effects.filter { $0.credible && $0.estimate > 0 }
      let expected =
        credibleUp.max { $0.estimate < $1.estimate }?.treatment
        ?? effects.filter(\.credible).max { abs($0.estimate) < abs($1.estimate) }?.treatment
        ?? effects.max { $0.estimate < $1.estimate }?.treatment
      #expect(d.variant == expected, "\(label): decision names \(d.variant ?? "nil"), expected \(expected ?? "nil")")
      if d.action == .ship {
        #expect(credibleUp.contains { $0.treatment == d.variant }, "\(label): ships a credible gain")
      }
      if analysis.sampleRatio.mismatch { #expect(d.action == .doNotTrust, "\(label): SRM overrides") }
    }
  }

  @Test func fixedHorizonCredibilityIsHolmAcrossTreatments() throws {
    for (label, analysis) in try DecisionCases.all() where analysis.look.sequential == nil {
      let pooled = Self.pooledEstimates(analysis)
      let names = analysis.decision.treatments.map(\.treatment)
      let adjusted = try MultipleTestingCorrection.holm.adjust(names.map { pooled[$0]?.pValue ?? 1 })
      for (index, t) in analysis.decision.treatments.enumerated() {
        #expect(t.effect?.credible == (adjusted[index] < analysis.plan.alpha), "\(label): \(t.treatment)")
      }
    }
  }

  @Test func everyRenderingSaysTheSame() throws {
    for (label, analysis) in try DecisionCases.all() {
      let headline = DecisionText.headline(analysis)
      let decisionLabel = DecisionText.label(analysis.decision)
      let nextStep = DecisionText.nextStep(analysis)
      let text = AnalysisText.render(analysis)
      let markdown = Self.unescapeMarkdown(MarkdownReport.render(analysis))
      let html = Self.unescapeHTML(HTMLReport.render(analysis))
      let json = try #require(
        try JSONSerialization.jsonObject(with: Data(AnalysisJSON.value(analysis).serialized().utf8)) as? [String: Any])
      let verdict = try #require(json["verdict"] as? [String: Any])
      let decision = try #require(json["decision"] as? [String: Any])
      #expect(verdict["headline"] as? String == headline, "\(label): JSON headline")
      #expect(verdict["action"] as? String == analysis.decision.action.rawValue, "\(label): JSON action")
      #expect(decision["action"] as? String == analysis.decision.action.rawValue, "\(label): JSON decision")
      #expect((decision["variant"] as? String) == analysis.decision.variant, "\(label): JSON variant")
      for (medium, rendered) in [("text", text), ("markdown", markdown), ("html", html)] {
        #expect(rendered.contains(headline), "\(label): \(medium) carries the headline")
        #expect(rendered.contains(decisionLabel), "\(label): \(medium) carries the label")
        #expect(rendered.contains(nextStep), "\(label): \(medium) carries the next step")
        #expect(rendered.components(separatedBy: headline).count == 2, "\(label): \(medium) says it once")
        #expect(!rendered.contains("Winner"), "\(label): \(medium) never says Winner")
      }
      if let variant = analysis.decision.variant, analysis.decision.effect != nil {
        let description = analysis.plan.variantDescriptions[variant]
        #expect(headline.contains(description ?? variant), "\(label): the headline names \(variant)")
      }
      if let key = analysis.decision.metric,
        let ratio = analysis.plan.metrics.first(where: { $0.name == key })?.ratioLabel
      {
        #expect(headline.contains("\(ratio) (\(key))"), "\(label): a ratio metric is named as a ratio")
      }
      #expect(DecisionText.bullets(analysis).count <= 3, "\(label): at most three bullets")
    }
  }

  @Test func casesCoverEveryAction() throws {
    let actions = Set(try DecisionCases.all().map(\.1.decision.action))
    for action in [Decision.Action.ship, .keepRunning, .inconclusive, .stopForFutility, .doNotTrust] {
      #expect(actions.contains(action), "no case decides \(action)")
    }
    let cases = Dictionary(uniqueKeysWithValues: try DecisionCases.all().map { ($0.0, $0.1.decision) })
    #expect(cases["sequential continue"]?.action == .keepRunning)
    #expect(cases["sequential efficacy"]?.action == .ship)
    #expect(cases["sequential efficacy"]?.variant == "c")
    #expect(cases["unplanned look"]?.unplannedLook == true)
    #expect(cases["unplanned look"]?.effect?.intervalKind == .alwaysValid)
    #expect(cases["SRM"]?.action == .doNotTrust)
    #expect(cases["fixed horizon"]?.variant == "c")
    #expect(cases["example gym-renewal"]?.variant == "reminder_social")
    #expect(cases["example basket-bundle"]?.metric == "revenue_per_order")
    #expect(cases["below planned sample"]?.action == .keepRunning)
    #expect(cases["below planned sample"]?.nextStep.moreUnitsPerArm == 2500)
    #expect(cases["below planned sample"]?.nextStep.days == 8)
  }
}
