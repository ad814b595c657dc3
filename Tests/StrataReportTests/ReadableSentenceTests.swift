import Foundation
import StrataStats
import Testing

@testable import StrataAnalysis
@testable import StrataReport

/// Sentences a stakeholder reads in one go: the best segment's bullet, the forest plot's caption and description,
/// and the notes over the per-segment tables.
///
/// Until 2026-12-07 the "Works best in …" bullet was 460–600 characters in every bundled example (city-delivery:
/// 548, one sentence of 447), the forest plot's caption 437, the partial-pooling note 645 (one sentence of 339), and
/// the forest plot's description read out every row: 7,945 characters at 40 segments of 73-character names.
@Suite("Readable sentences")
struct ReadableSentenceTests {
  /// The sentences of a text, cut after each period and space (a number's point has no space after it).
  static func sentences(_ text: String) -> [String] {
    text.components(separatedBy: ". ").map { $0.hasSuffix(".") ? $0 : $0 + "." }
  }

  /// Every example and case that names a best segment: a lead with every fact to quote, then one short qualifier.
  ///
  /// The lead sentence says where, the shrunken estimate and
  /// the adjusted interval with how many segments (times variants) it is adjusted for, each level and the chance
  /// to beat control; the one sentence after it that the raw estimate is partly luck and where the interval is
  /// centred when that is not the shrunken estimate. The lead is at most 250 characters, the rest 160.
  @Test func theBestSegmentLeadsWithTheNumberToQuoteAndKeepsEveryFact() throws {
    var checked = 0
    for (label, analysis) in try DecisionCases.all() {
      guard let best = analysis.decision.bestSegment, let index = analysis.plan.primaryMetricIndex else { continue }
      let binomial = analysis.metrics[index].metric.kind == .binomial
      let interim = analysis.decision.action == .keepRunning
      let bullet = try #require(
        DecisionText.details(analysis).first { $0.contains(interim ? "leads in" : "Works best in") }, "\(label)")
      #expect(bullet == DecisionText.bestSegment(best, binomial: binomial, interim: interim), "\(label)")
      let sentences = Self.sentences(bullet)
      #expect(sentences.count == 2, "\(label): a lead and one qualifier: \(bullet)")
      let lead = sentences[0]
      let rest = sentences.dropFirst().joined(separator: " ")
      #expect(lead.count <= 250 && rest.count <= 160, "\(label): \(lead.count) + \(rest.count): \(bullet)")
      let shrunken = NumberText.effect(best.estimate, binomial: binomial)
      let interval = NumberText.interval(best.lower, best.upper, binomial: binomial) + (binomial ? " pp" : "")
      let pairs =
        best.variantsCompared > 1
        ? "\(best.segmentsCompared) segments × \(best.variantsCompared) variants" : "\(best.segmentsCompared) segments"
      for fact in [
        best.segment, best.treatment, "\(shrunken) (shrunken estimate)",
        "\(DecisionText.level(best.level)) interval \(interval) adjusted for the \(pairs) compared",
        "(Bonferroni, \(DecisionText.eachLevel(best.adjustedLevel)) each",
        "chance to beat control \(NumberText.chance(best.chanceToWin))",
      ] {
        #expect(lead.contains(fact), "\(label): the lead says \(fact): \(lead)")
      }
      let raw = NumberText.effect(best.raw, binomial: binomial)
      #expect(rest.contains(raw) && rest.contains("partly luck"), "\(label): \(rest)")
      if best.intervalKind == .rawAdjusted {
        #expect(rest.contains("The interval is centred on the raw \(raw)"), "\(label): \(rest)")
      } else if let centre = best.intervalCentre.map({ NumberText.effect($0, binomial: binomial) }), centre != shrunken
      {
        #expect(rest.contains("the interval is centred on the calibrated estimate, \(centre)."), "\(label): \(rest)")
      } else {
        #expect(!rest.contains("centred"), "\(label): \(rest)")
      }
      // The same words in the terminal text, the Markdown and the HTML, and the JSON's verdict.details.
      #expect(AnalysisText.render(analysis).contains(best.segment), "\(label)")
      #expect(MarkdownReport.render(analysis).contains(MarkdownReport.escape(bullet)), "\(label)")
      #expect(HTMLReport.render(analysis).contains(HTML.escape(bullet)), "\(label)")
      let json = try #require(
        try JSONSerialization.jsonObject(with: Data(AnalysisJSON.value(analysis).serialized().utf8)) as? [String: Any])
      let details = try #require((json["verdict"] as? [String: Any])?["details"] as? [String])
      #expect(details.contains(bullet), "\(label)")
      checked += 1
    }
    #expect(checked >= 5)
  }

  /// Long names (a 73-character segment, an 84-character variant) lengthen the bullet by their own length only:
  /// without them the lead stays within 250 characters and the rest within 160, final and interim, calibrated and raw.
  @Test func theBestSegmentStaysShortWithLongNames() throws {
    let segment = SegmentListSentenceTests.longNames[0]
    let variant = LongNameReportTests.longVariant
    var checked = 0
    for (label, analysis) in try DecisionCases.all() {
      guard var best = analysis.decision.bestSegment else { continue }
      best.segment = segment
      best.treatment = variant
      for interim in [false, true] {
        let bullet = DecisionText.bestSegment(best, binomial: true, interim: interim)
        let sentences = Self.sentences(bullet)
        let lead = sentences[0]
        let rest = sentences.dropFirst().joined(separator: " ")
        #expect(lead.contains(segment) && lead.contains(variant), "\(label)")
        #expect(
          lead.count - segment.count - variant.count <= 250 && rest.count <= 160,
          "\(label), interim \(interim): \(lead.count) + \(rest.count): \(bullet)")
        checked += 1
      }
    }
    #expect(checked >= 10)
  }

  /// Forty segments of 73-character names × two variants (check-reports' forty-long-names case): the forest plot's
  /// description summarises (how many, how many significant, the range, the two highest and the lowest, the
  /// pooled rows) and points at the table, in every chart: the whole, the phone's and each printed block.
  @Test func aForestPlotDescriptionSummarisesManyRows() throws {
    let names = SegmentListSentenceTests.longNames
    let analysis = try PostStratifiedWeightsTests.analysis(
      PostStratifiedWeightsTests.plan(id: "forty-long-names", name: "Forty long names", segments: names))
    let metric = analysis.metrics[0]
    let charts = try #require(ForestPlot.charts(metric, plan: analysis.plan, segments: ReportSegments(analysis)))
    let descriptions = ([charts.whole, charts.phone] + charts.printBlocks).map { chart in
      String(
        chart.split(separator: "<desc", maxSplits: 1)[1].split(separator: "</desc>")[0].drop { $0 != ">" }.dropFirst())
    }
    #expect(descriptions.count >= 3 && descriptions.allSatisfy { $0.count < 700 })
    #expect(descriptions.filter { $0.contains(" segment results, ") }.count >= 3)
    // A printed block of `describedInFull` rows or fewer reads them out.
    for description in descriptions where description.contains(" segment results, ") {
      #expect(description.count < 700, "\(description.count): \(description)")
      #expect(description.hasSuffix(". The results table below lists every row."))
      #expect(description.contains("Highest: ") && description.contains("Lowest: "))
      #expect(Self.sentences(description).allSatisfy { $0.count <= 250 }, "\(description)")
    }
    let shown = ReportTables.shownComparisons(metric, plan: analysis.plan, segments: ReportSegments(analysis))
      .filter { $0.segment != nil }
    #expect(shown.count == 2 * ReportSegments.limit)
    #expect(
      descriptions[0].hasPrefix(
        "\(shown.count) segment results, \(shown.filter(\.significant).count) significant. Highest"))
    // The highest row by its raw lift, named in full.
    let highest = try #require(shown.max { $0.absoluteLift < $1.absoluteLift })
    #expect(descriptions[0].contains(": \(highest.segment ?? "") \(highest.treatment) "))
    let pooled = try #require(Self.sentences(descriptions[0]).first { $0.hasPrefix("Pooled") })
    #expect(pooled.contains(": a ") && pooled.contains("; b "), "\(pooled)")
  }

  /// A chart of few rows still reads out every one of them.
  @Test func aFewRowsAreReadOutInFull() throws {
    let analysis = try ReportSnapshotTests.analysis()
    let charts = try #require(ForestPlot.charts(analysis.metrics[0], plan: analysis.plan))
    #expect(charts.whole.contains("<desc id=\"forest-converted-desc\">vip&lt;&amp;&gt; treat&quot;ment&#39;: "))
    #expect(!charts.whole.contains("The results table below"))
  }

  /// The caption under a forest plot, the notes over the per-segment tables and the post-stratified estimand:
  /// each at most 250 characters, or in sentences of at most 250 (the partial-pooling note in two parts).
  @Test func captionsAndNotesAreShort() throws {
    let analysis = try DecisionCases.example("city-delivery", data: "city-delivery")
    let metric = analysis.metrics[0]
    #expect(!metric.partialPooling.isEmpty)
    let captions = HTMLReport.render(analysis).components(separatedBy: "<figcaption>").dropFirst().map {
      $0.components(separatedBy: "</figcaption>")[0]
    }
    #expect(captions.count >= 2)
    for caption in captions { #expect(caption.count <= 250 + 20, "\(caption.count): \(caption)") }
    #expect(ReportTables.quoteThePooledEstimate.count <= 250)
    let note = ReportTables.partialPoolingNote(plan: analysis.plan)
    #expect(note.count <= 260 && Self.sentences(note).allSatisfy { $0.count <= 160 }, "\(note)")
    #expect(note.contains("allow for the spread τ being estimated, so need not centre on the shrunken estimate"))
    #expect(Self.sentences(PostStratifiedComparison.estimand).allSatisfy { $0.count <= 160 })
    let bayesian = try #require(ReportTables.bayesianNote(metric, plan: analysis.plan))
    #expect(Self.sentences(bayesian).allSatisfy { $0.count <= 250 }, "\(bayesian)")
    let glossary = ReportTables.glossary(for: analysis)
    let terms = ["Partial pooling, shrunken estimate", "Interval of the best segment"]
    for term in terms {
      let text = try #require(glossary.first { $0.0 == term }?.1, "\(term)")
      #expect(text.count <= 250, "\(term): \(text.count)")
    }
  }

  /// Fourteen comparisons (check-reports' email-factorial as a 3-look plan): the boundary chart's description says
  /// how many crossed and reads out the three with the largest |z|, the lift chart's the highest two and the lowest
  /// at the latest look, each pointing at the table that lists every comparison (1,267 and 1,209 characters before).
  @Test func sequentialChartDescriptionsSummariseManyComparisons() throws {
    let trajectories = (0..<14).map { index in
      let z = Double(index) * 0.4
      return SequentialAnalysis.Trajectory(
        metric: "clicked", treatment: "variant_\(index / 2)", segment: index % 2 == 0 ? "new" : "loyal",
        points: [
          .init(
            look: 1, fraction: 0.26, z: z, estimate: z / 100, standardError: 0.01, lower: z / 100 - 0.03,
            upper: z / 100 + 0.03)
        ], boundary: 3.64, crossed: z > 3.64)
    }
    let lines = trajectories.enumerated().map { "\($0.offset + 1) \(BoundaryChart.label($0.element)): z line" }
    let boundary = BoundaryChart.description(lines, trajectories: trajectories)
    #expect(boundary.hasPrefix("14 comparisons, 4 crossed their boundary. Largest |z|: 14 "), "\(boundary)")
    #expect(boundary.hasSuffix(" The table above lists each comparison's information, z and boundary."))
    #expect(lines.filter { boundary.contains($0) } == Array(lines.suffix(3)), "\(boundary)")
    #expect(boundary.count < 400)
    let lift = LiftChart.description(lines, trajectories: trajectories, binomial: true)
    #expect(
      lift.hasPrefix("14 comparisons, 6 with an interval excluding 0 at their latest look. Highest: 14 "), "\(lift)")
    #expect(lift.contains(". Lowest: 1 variant_0 · new 0.0 pp [−3.0, +3.0]."), "\(lift)")
    // The lifts are in the results table; the look log lists z, not lifts.
    #expect(
      lift.hasSuffix(
        ". The primary metric's results table below lists each comparison's current lift; the look log, its z at every look."
      ))
    #expect(lift.count < 400)
    // Four comparisons or fewer: every line, as before.
    let few = Array(lines.prefix(4))
    #expect(BoundaryChart.description(few, trajectories: Array(trajectories.prefix(4))) == few.joined(separator: "; "))
    #expect(
      LiftChart.description(few, trajectories: Array(trajectories.prefix(4)), binomial: true)
        == few.joined(separator: "; "))
  }

  /// The boundary chart's caption: in sentences of at most 160 characters, 500 in all (595 before, one of 328).
  @Test func theBoundaryChartCaptionIsShort() throws {
    let analysis = try SequentialReportSnapshotTests.analysis()
    let s = try #require(analysis.look.sequential)
    #expect(!s.boundaries.isEmpty)
    let caption = ReportTables.boundaryChartCaption(s)
    #expect(caption.count <= 500 && Self.sentences(caption).allSatisfy { $0.count <= 160 }, "\(caption)")
  }

  /// Several credible variants sharing an interval kind: the kind said once, each variant with its estimate and
  /// bounds, the others in a sentence of their own (email-factorial: 470 characters before, the kind four times).
  @Test func otherCredibleVariantsNameTheirIntervalOnce() throws {
    let analysis = try DecisionCases.example("email-factorial", data: "email-factorial")
    let d = analysis.decision
    let credible = d.treatments.filter { $0.treatment != d.variant }.compactMap(\.effect).filter(\.credible)
    #expect(credible.count >= 2)
    let bullet = try #require(DecisionText.details(analysis).first { $0.hasPrefix("Also credible") })
    let kind = DecisionText.intervalName(credible[0])
    #expect(bullet.hasPrefix("Also credible across segments (each \(kind)): "), "\(bullet)")
    #expect(bullet.components(separatedBy: "adjusted for").count == 2, "the kind once: \(bullet)")
    for effect in credible {
      let bounds = NumberText.interval(effect.lower, effect.upper, binomial: true)
      #expect(bullet.contains("\(effect.treatment) \(NumberText.effect(effect.estimate, binomial: true)) \(bounds)"))
    }
    #expect(bullet.contains(". Not distinguishable from no effect: "))
    #expect(bullet.count < 350 && Self.sentences(bullet).allSatisfy { $0.count <= 250 }, "\(bullet.count)")
  }

  /// The folded rule sentence and the glossary's Bayesian and adjusted-interval terms, in sentences of at most 160
  /// characters (email-factorial: 333 in one sentence, 304 and 241 before).
  @Test func theRuleAndTheGlossaryReadInShortSentences() throws {
    let analysis = try DecisionCases.example("email-factorial", data: "email-factorial")
    let rule = try #require(DecisionText.details(analysis).first { $0.hasPrefix("The headline estimate is") })
    #expect(Self.sentences(rule).allSatisfy { $0.count <= 160 }, "\(rule)")
    #expect(rule.contains("simultaneous over the 7 variants compared (Bonferroni, each at α/7 with α = 0.05)"))
    let glossary = ReportTables.glossary(for: analysis)
    for term in ["Chance to win, risk", "Adjusted interval"] {
      let text = try #require(glossary.first { $0.0 == term }?.1, "\(term)")
      #expect(Self.sentences(text).allSatisfy { $0.count <= 160 }, "\(term): \(text)")
    }
  }

  /// The notes a reader meets beside the tables and the forest plot's summary with pooled rows: each about 250
  /// characters at most, in short sentences, with its facts, and what moved out of a note in the glossary.
  ///
  /// Before 2026-12-07: the partial-pooling note 499 characters (city-delivery), the chance-to-win note up to 358
  /// (a normal prior), the CUPED note 399, the many-segments note 319, the glossary's "Adjusted interval" 392
  /// (email-factorial), gym-renewal's forest description 446 (347 besides its names).
  @Test func theNotesBesideTheTablesAreShort() throws {
    let short = { (text: String, limit: Int) -> Bool in
      text.count <= limit && Self.sentences(text).allSatisfy { $0.count <= 160 }
    }
    // Partial pooling, eight segments (calibrated intervals): the model, what to quote, why the interval may sit
    // elsewhere; the rest in the glossary.
    let city = try DecisionCases.example("city-delivery", data: "city-delivery")
    let pooling = ReportTables.partialPoolingNote(plan: city.plan)
    #expect(short(pooling, 260), "\(pooling.count): \(pooling)")
    for fact in [
      "(random effects, REML)", "Quote this shrunken estimate when choosing a segment",
      "the largest raw lift is partly luck",
      "The intervals allow for the spread τ being estimated, so need not centre on the shrunken estimate",
    ] {
      #expect(pooling.contains(fact), "\(fact)")
    }
    let cityGlossary = Dictionary(ReportTables.glossary(for: city)) { first, _ in first }
    #expect(cityGlossary["Partial pooling, shrunken estimate"]?.contains("more where its data say less") == true)
    let calibrated = try #require(cityGlossary["Calibrated interval"])
    #expect(short(calibrated, 260), "\(calibrated)")
    #expect(calibrated.contains("Morris's interval, or hierarchical Bayes with three segments"))
    #expect(calibrated.contains("centre on that model's estimate, not always on the shrunken one"))
    #expect(HTMLReport.render(city).contains("<dt>Calibrated interval</dt>"))
    // Two segments: no calibrated interval, so neither its sentence nor its term.
    let basket = try DecisionCases.example("basket-bundle", data: "basket-bundle")
    #expect(!ReportTables.partialPoolingNote(plan: basket.plan).contains("τ"))
    #expect(!ReportTables.glossary(for: basket).contains { $0.0 == "Calibrated interval" })

    // Chance to win with the longest label (a normal prior) and partial pooling: the prior in the summary's title.
    let prior = try BayesianReportTests.analysis(prior: 0.1)
    let metric = try #require(prior.metrics.first { !$0.partialPooling.isEmpty })
    let chance = try #require(ReportTables.bayesianNote(metric, plan: prior.plan))
    #expect(short(chance, 250), "\(chance.count): \(chance)")
    for fact in [
      "the probability that the variant beats control in the metric's good direction", "from that row's data alone",
      "Gaussian approximation", "partial pooling, below", "the Bayesian summary",
    ] {
      #expect(chance.contains(fact), "\(fact)")
    }
    #expect(ReportTables.bayesianSummaryTitle(metric, plan: prior.plan).contains("normal prior N(0, σ²)"))

    // CUPED: the adjustment and why the treatment cannot move θ; the two columns in the glossary.
    #expect(short(ReportTables.adjustmentNote, 250), "\(ReportTables.adjustmentNote.count)")
    for fact in ["CUPED-adjusted", "θ × (its pre-experiment value − the average)", "the treatment cannot move it"] {
      #expect(ReportTables.adjustmentNote.contains(fact), "\(fact)")
    }
    let extra = try #require(ReportTables.glossary(for: basket).first { $0.0.hasPrefix("Variance reduction") }?.1)
    #expect(extra.contains("1 − adjusted / unadjusted") && extra.contains("how many more units"))

    // Several variants: the adjusted interval and Holm's test.
    let factorial = try DecisionCases.example("email-factorial", data: "email-factorial")
    let adjusted = try #require(ReportTables.glossary(for: factorial).first { $0.0 == "Adjusted interval" }?.1)
    #expect(short(adjusted, 260), "\(adjusted.count): \(adjusted)")
    for fact in [
      "Each interval is at α/K", "K variants compared", "Bonferroni", "wider", "the plan's level", "Holm's test",
      "touches 0",
    ] {
      #expect(adjusted.contains(fact), "\(fact)")
    }

    // 200 segments: how many, which are shown, where the rest are.
    let many = try ManySegmentReportTests.analysis(segments: 200)
    let file = "many-segments-results.csv"
    let shownNote = try #require(ReportSegments(many).note(resultsFile: file))
    #expect(short(shownNote, 250), "\(shownNote.count): \(shownNote)")
    for fact in [
      "200 segments", "The tables show 30", "sample ratio mismatches", "the best segment", "significant results",
      "primary metric's smallest p-values", "results CSV (\(file))", "`strata analyze --json`",
    ] {
      #expect(shownNote.contains(fact), "\(fact)")
    }

    // gym-renewal's forest plot (6 segment results, 2 pooled rows): at most 200 characters besides the names.
    let gym = try DecisionCases.example("gym-renewal", data: "gym-renewal")
    let primary = gym.metrics[0]
    let charts = try #require(ForestPlot.charts(primary, plan: gym.plan, segments: ReportSegments(gym)))
    let description = String(
      charts.whole.split(separator: "<desc", maxSplits: 1)[1].split(separator: "</desc>")[0].drop { $0 != ">" }
        .dropFirst())
    let names = (gym.plan.segments + primary.comparisons.map(\.treatment)).sorted { $0.count > $1.count }
    let words = names.reduce(description) { $0.replacingOccurrences(of: $1, with: "") }
    #expect(words.count <= 200, "\(description.count), \(words.count) besides the names: \(description)")
    #expect(Self.sentences(description).allSatisfy { $0.count <= 160 }, "\(description)")
    let segments = primary.comparisons.filter { $0.segment != nil }
    let highest = try #require(segments.max { $0.absoluteLift < $1.absoluteLift })
    let lowest = try #require(segments.min { $0.absoluteLift < $1.absoluteLift })
    #expect(description.hasPrefix("6 segment results, \(segments.filter(\.significant).count) significant. Highest"))
    for c in [highest, lowest] {
      #expect(
        description.contains("\(c.segment ?? "") \(c.treatment) \(NumberText.effect(c.absoluteLift, binomial: true))"))
    }
    let pooledSentence = try #require(Self.sentences(description).first { $0.hasPrefix("Pooled") })
    #expect(pooledSentence.contains("significant"))
    for treatment in Set(segments.map(\.treatment)) { #expect(pooledSentence.contains("\(treatment) +")) }
    #expect(description.hasSuffix(". The results table below lists every row."))
  }

  /// Lin's regression note: short sentences with the fit, the errors and the unadjusted test, and the variance
  /// reduction and extra units left to the glossary, as in the CUPED note beside it (one sentence of 330 before).
  @Test func theRegressionNoteReadsInShortSentences() {
    var metric = ReportSnapshotTests.plan.metrics[0]
    metric.regression = .init(columns: ["visits_before", "spend_before"], errors: .hc3)
    let note = ReportTables.adjustmentExplanation(metric)
    #expect(Self.sentences(note).allSatisfy { $0.count <= 160 }, "\(note)")
    for fact in [
      "regression-adjusted (Lin 2013)", "(visits_before, spend_before)", "every arm × covariate interaction",
      "at the covariates' mean", "(HC3)", "Welch's", "θ is CUPED's and does not apply",
      "Variance reduction and extra units: see the glossary.",
    ] {
      #expect(note.contains(fact), "\(fact)")
    }
    #expect(!note.contains("1 − adjusted variance"))
  }
}
