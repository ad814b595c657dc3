import Foundation
import StrataAnalysis
import StrataReport
import Testing

/// Honest selection among arms: a verdict that names the best (or leading) of several variants says how many
/// were compared, in the terminal, Markdown, HTML and the JSON (`decision.arms_compared`).
@Suite("How many variants the named one was chosen among")
struct BestArmCountTests {
  @Test("a verdict naming the best of several variants says how many were compared, in every output")
  func bestArmSaysHowManyWereCompared() throws {
    var named = 0
    for (label, analysis) in try DecisionCases.all() {
      let d = analysis.decision
      let compared = d.treatments.filter { $0.effect != nil }.count
      let json = try #require(
        try JSONSerialization.jsonObject(with: Data(AnalysisJSON.value(analysis).serialized().utf8)) as? [String: Any])
      let decision = try #require(json["decision"] as? [String: Any])
      #expect(decision["arms_compared"] as? Int == compared, "\(label): JSON arms_compared")
      let phrase = "best of \(compared) variants compared"
      let names = [Decision.Action.ship, .keepRunning, .stopForFutility, .inconclusive].contains(d.action)
      guard d.effect != nil, names, compared >= 2 else {
        #expect(!DecisionText.headline(analysis).contains("best of"), "\(label): not named as the best")
        if compared < 2 {
          #expect(!DecisionText.headline(analysis).contains("variants compared"), "\(label): one variant")
        }
        continue
      }
      #expect(DecisionText.headline(analysis).localizedCaseInsensitiveContains(phrase), "\(label): headline")
      let headline = DecisionText.headline(analysis)
      #expect(AnalysisText.render(analysis).contains(headline), "\(label): terminal")
      #expect(
        DecisionAgreementTests.unescapeMarkdown(MarkdownReport.render(analysis)).contains(headline),
        "\(label): Markdown")
      #expect(DecisionAgreementTests.unescapeHTML(HTMLReport.render(analysis)).contains(headline), "\(label): HTML")
      #expect((json["verdict"] as? [String: Any])?["headline"] as? String == headline, "\(label): JSON verdict")
      named += 1
      // The named variant's interval is adjusted for every variant compared (simultaneous at α/K), whichever
      // Holm step its p-value falls on, and the JSON says so.
      let effect = try #require(decision["effect"] as? [String: Any])
      #expect(effect["adjusted_for"] as? Int == compared, "\(label): JSON adjusted_for")
      #expect(effect["ci_adjustment"] as? String == "bonferroni", "\(label): JSON ci_adjustment")
      #expect(headline.contains("adjusted for \(compared) variants compared"), "\(label): headline adjustment")
    }
    #expect(named >= 2)
  }
}
