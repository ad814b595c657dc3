import Foundation
import StrataAnalysis
import StrataDefinitions
import StrataReport
import StrataStats
import Testing

/// Issue 18: no "works best in" when no segment stands out.
///
/// With τ̂² = 0 every shrunken estimate is μ̂ exactly, and `analyze` named the first segment in input order
/// (paris, the lowest raw lift below) as where the variant works best; a tie at the top names none either.
@Suite("Best segment: none named when no segment stands out")
struct NoSegmentStandsOutTests {
  /// city-delivery's definition cut to its first `lifts.count` segments, on aggregated cells: 4,000 customers
  /// per arm and city, control at 20% reordered, free delivery at 20% + the city's lift; spend equal in both
  /// arms (no effect anywhere).
  static func analysis(lifts: [Double]) throws -> Analysis {
    let definition = try ExperimentLoader.loadDefinition(
      contentsOf: DecisionCases.repository.appendingPathComponent("experiments/city-delivery.yaml"))
    var plan = AnalysisPlan(definition: definition)
    plan.segments = Array(plan.segments.prefix(lifts.count))
    var csv = "variant,segment,n,reordered_sum,spend_sum,spend_sum_sq\n"
    for (segment, lift) in zip(plan.segments, lifts) {
      let treated = Int((4000 * (0.2 + lift)).rounded())
      csv += "control,\(segment),4000,800,120000,9000000\n"
      csv += "free_delivery,\(segment),4000,\(treated),120000,9000000\n"
    }
    return try DecisionCases.analyze(plan, csv: csv)
  }

  static func json(_ analysis: Analysis) throws -> [String: Any] {
    try #require(
      try JSONSerialization.jsonObject(with: Data(AnalysisJSON.value(analysis).serialized().utf8)) as? [String: Any])
  }

  @Test(
    "τ̂² = 0 with 4 (Morris), 3 (hierarchical Bayes) and 2 (raw adjusted) segments: no best segment, and why",
    arguments: [[0.040, 0.042, 0.044, 0.046], [0.040, 0.042, 0.044], [0.040, 0.044]])
  func tauSquaredZeroNamesNone(lifts: [Double]) throws {
    let analysis = try Self.analysis(lifts: lifts)
    let pooling = try #require(analysis.metrics[0].partialPooling.first)
    let all = lifts.count == 2 ? "both" : "all \(lifts.count)"
    #expect(pooling.model.tauSquared == 0)
    #expect(pooling.best() == nil)
    #expect(pooling.choice() == .tied(lifts.count))
    let decision = analysis.decision
    #expect(decision.variant == "free_delivery")
    #expect(decision.bestSegment == nil)
    let none = try #require(decision.noSegmentStandsOut)
    #expect(none.tied == lifts.count && none.segmentsCompared == lifts.count)
    #expect(none.estimate == pooling.model.mean)
    let details = DecisionText.details(analysis)
    #expect(!details.contains { $0.contains("Works best in") })
    let sentence = try #require(details.first { $0.hasPrefix("No segment stands out") })
    #expect(
      sentence.hasPrefix(
        "No segment stands out for free_delivery: the pooled model estimates the same effect in \(all) segments (τ̂² = 0: +"
      ))
    for (name, rendered) in [
      ("text", AnalysisText.render(analysis)), ("Markdown", MarkdownReport.render(analysis)),
      ("HTML", HTMLReport.render(analysis)),
    ] {
      #expect(rendered.contains("No segment stands out for"), "\(name)")
      #expect(rendered.contains("estimates the same effect in \(all) segments (τ̂² = 0"), "\(name)")
      #expect(!rendered.contains("Works best in"), "\(name)")
    }
    let json = try Self.json(analysis)
    let d = try #require(json["decision"] as? [String: Any])
    #expect(d["best_segment"] is NSNull)
    #expect(d["best_segment_reason"] as? String == "no_segment_stands_out")
    #expect(d["best_segment_tied"] as? Int == lifts.count)
    let pools = try #require(json["partial_pooling"] as? [[String: Any]])
    for pool in pools {
      #expect(pool["best_segment"] is NSNull)
      #expect(pool["best_segment_reason"] as? String == "no_segment_stands_out")
    }
    // The pooling table's note says it on every segment, and names no best.
    let table = ReportTables.partialPooling(analysis.metrics[0], plan: analysis.plan)
    let notes = table.rows.map { $0.last ?? "" }
    #expect(notes.count == lifts.count)
    let note = "no segment stands out for this variant: the same shrunken estimate in \(all) segments (τ̂² = 0)"
    #expect(notes.allSatisfy { $0 == note })
  }

  /// The forty-segment report's noise: a note that every segment shares is said once, above the partial-pooling
  /// table, in the HTML and Markdown reports and on the terminal, and the Note column, then empty, is left out.
  @Test("a note every segment shares is said once above the partial-pooling table (HTML, Markdown, terminal)")
  func sharedNoteSaidOnce() throws {
    let analysis = try Self.analysis(lifts: [0.040, 0.042, 0.044, 0.046])
    let metric = analysis.metrics[0]
    let sentence = "No segment stands out for free_delivery: the same shrunken estimate in all 4 segments (τ̂² = 0)."
    #expect(ReportTables.sharedNotes(metric) == [sentence])
    // Both metrics (reordered, and spend, the same in both arms) tie in every segment.
    let tied = analysis.metrics.filter { ReportTables.sharedNotes($0) == [sentence] }.count
    #expect(tied == 2)
    let perRow = "no segment stands out for this variant"
    let html = HTMLReport.render(analysis)
    let markdown = MarkdownReport.render(analysis)
    #expect(!html.contains(perRow) && !markdown.contains(perRow))
    #expect(html.components(separatedBy: "<p class=\"note\">\(sentence)</p>").count == tied + 1)
    let escaped = sentence.replacingOccurrences(of: "_", with: "\\_")
    #expect(markdown.components(separatedBy: "\n\(escaped)\n").count == tied + 1)
    let table = ReportTables.partialPooling(metric, plan: analysis.plan, sharedNotesApart: true)
    #expect(!table.header.contains("Note") && table.rows.allSatisfy { $0.count == table.header.count })
    let everyRow = ReportTables.partialPooling(metric, plan: analysis.plan).rows
    #expect(table.rows == everyRow.map { Array($0.dropLast()) })
    // The terminal says it once a metric too, on the line above the table, whose Note column is left out.
    let text = AnalysisText.render(analysis)
    #expect(!text.contains(perRow))
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let above = lines.indices.filter { lines[$0] == sentence }
    #expect(above.count == tied)
    for index in above {
      #expect(lines[index - 1] == "Partial pooling across segments (raw and shrunken estimates):")
      #expect(lines[index + 1].hasPrefix("Segment") && lines[index + 1].hasSuffix("Chance to beat control"))
    }
    // A tie of the top two of four stays on their rows: it says which rows tie.
    let topTwo = try Self.analysis(lifts: [0.10, -0.02, 0.10, -0.02])
    #expect(ReportTables.sharedNotes(topTwo.metrics[0]).isEmpty)
    let topTwoTable = ReportTables.partialPooling(topTwo.metrics[0], plan: topTwo.plan, sharedNotesApart: true)
    #expect(topTwoTable.rows == ReportTables.partialPooling(topTwo.metrics[0], plan: topTwo.plan).rows)
  }

  /// On the terminal, the four variants of the factorial example's clicks that tie in both segments are named once.
  ///
  /// Three others have a best segment: the partial-pooling table's Note column keeps only what differs from row to
  /// row (each best segment's interval to quote); the chance to beat control stays right-aligned when the Note
  /// column is left out.
  @Test("terminal: the partial-pooling table's Note column shows only what differs between rows")
  func terminalNotesOnlyWhatDiffers() throws {
    let analysis = try DecisionCases.example("email-factorial", data: "email-factorial")
    let metric = try #require(analysis.metrics.first { $0.metric.name == "clicked" })
    let sentence = try #require(ReportTables.sharedNotes(metric).first)
    #expect(
      sentence
        == "No segment stands out for question.photo.buy, short.none.buy, question.none.buy or short.photo.learn: each has the same shrunken estimate in both segments (τ̂² = 0)."
    )
    let lines = AnalysisText.render(analysis).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let start = try #require(lines.firstIndex(of: "Partial pooling across segments (raw and shrunken estimates):"))
    #expect(lines[start + 1] == sentence)
    #expect(lines[start + 2].hasPrefix("Segment") && lines[start + 2].hasSuffix("Note"))
    let rows = Array(lines[(start + 3)..<(start + 3 + metric.partialPooling.count * 2)])
    #expect(!rows.contains { $0.contains("no segment stands out") })
    // A row of a variant that ties ends at its chance to beat control; a best segment's row at its note.
    let tied = ["question.photo.buy", "short.none.buy", "question.none.buy", "short.photo.learn"]
    for row in rows {
      let variant = row.split(separator: " ", omittingEmptySubsequences: true)[1]
      if tied.contains(String(variant)) {
        #expect(row.hasSuffix("%"), "\(row)")
      }
    }
    #expect(rows.filter { $0.contains("best of 2 segments (shrunken)") }.count == 3)
    // With a tie everywhere, the last column is the chance to beat control: right-aligned under its header.
    let allTied = AnalysisText.render(try Self.analysis(lifts: [0.040, 0.042, 0.044, 0.046]))
      .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let header =
      try #require(allTied.firstIndex { $0.hasPrefix("No segment stands out for free_delivery: the same") }) + 1
    let table = allTied[header...(header + 4)]
    #expect(table.allSatisfy { $0.count == allTied[header].count })
    #expect(allTied[header].hasSuffix("Chance to beat control"))
    #expect(table.dropFirst().allSatisfy { $0.hasSuffix("%") })
  }

  @Test("a tie at the top with τ̂² > 0: no best segment, the top 2 tie")
  func tieWithSpreadNamesNone() throws {
    // Two cities with the same cells at the top, two far below: τ̂² > 0, and the top two shrink alike.
    let analysis = try Self.analysis(lifts: [0.10, -0.02, 0.10, -0.02])
    let pooling = try #require(analysis.metrics[0].partialPooling.first)
    #expect(pooling.model.tauSquared > 0)
    #expect(pooling.choice() == .tied(2))
    #expect(analysis.decision.bestSegment == nil)
    #expect(analysis.decision.noSegmentStandsOut?.tied == 2)
    let sentence = try #require(DecisionText.details(analysis).first { $0.hasPrefix("No segment stands out") })
    #expect(sentence.contains("the top 2 of the 4 segments compared tie on the shrunken estimate"))
    let d = try #require(try Self.json(analysis)["decision"] as? [String: Any])
    #expect(d["best_segment_reason"] as? String == "no_segment_stands_out")
    #expect(d["best_segment_tied"] as? Int == 2)
    let notes = ReportTables.partialPooling(analysis.metrics[0], plan: analysis.plan).rows.map { $0.last ?? "" }
    let tie = "no segment stands out for this variant: the top 2 of 4 segments tie (shrunken)"
    #expect(notes == [tie, "", tie, ""])
  }

  @Test("a clear winner is still named, with the same sentence and keys as before")
  func clearWinnerStillNamed() throws {
    let analysis = try Self.analysis(lifts: [0.00, 0.02, 0.12, 0.04])
    let pooling = try #require(analysis.metrics[0].partialPooling.first)
    #expect(pooling.model.tauSquared > 0)
    #expect(pooling.choice() == .best(2))
    let best = try #require(analysis.decision.bestSegment)
    #expect(best.segment == analysis.plan.segments[2])
    #expect(analysis.decision.noSegmentStandsOut == nil)
    #expect(DecisionText.details(analysis).contains { $0.hasPrefix("Works best in \(best.segment) for free_delivery") })
    let d = try #require(try Self.json(analysis)["decision"] as? [String: Any])
    #expect((d["best_segment"] as? [String: Any])?["segment"] as? String == best.segment)
    #expect(d["best_segment_reason"] is NSNull)
    #expect(d["best_segment_tied"] is NSNull)
  }

  @Test("BestChoice.segmentChoice: a unique top is named, a tied one is not, either direction")
  func segmentChoiceRule() {
    #expect(BestChoice.segmentChoice([0.1, 0.3, 0.2], lowerIsBetter: false) { $0 } == .best(1))
    #expect(BestChoice.segmentChoice([0.1, 0.3, 0.3, 0.2], lowerIsBetter: false) { $0 } == .tied(2))
    #expect(BestChoice.segmentChoice([0.2, 0.2, 0.2], lowerIsBetter: false) { $0 } == .tied(3))
    #expect(BestChoice.segmentChoice([0.1, -0.3, -0.3, 0.3], lowerIsBetter: true) { $0 } == .tied(2))
    #expect(BestChoice.segmentChoice([0.1, -0.3, 0.3], lowerIsBetter: true) { $0 } == .best(1))
    #expect(BestChoice.segmentChoice([0.1], lowerIsBetter: false) { $0 } == .fewerThanTwo)
    #expect(BestChoice.segment([0.1, 0.3, 0.3, 0.2], lowerIsBetter: false) { $0 } == nil)
  }

  @Test("simulate pooling: campaigns with τ̂² = 0 name no segment and are not scored for it")
  func simulationLeavesTiesOut() throws {
    let campaigns = 400
    let result = try PoolingSimulation(segments: 4, tau: 0, campaigns: campaigns, seed: 5, calibrated: true).run()
    let b = result.selected
    // Every τ̂² = 0 campaign ties (all BLUPs are μ̂); with continuous draws no other campaign does.
    #expect(abs(b.noneNamedShare.value - result.tauSquaredZeroShare) < 1e-12)
    #expect(b.noneNamedShare.value > 0.3)
    #expect(b.namedCampaigns == campaigns - Int((b.noneNamedShare.value * Double(campaigns)).rounded()))
    #expect(b.namedCampaigns > 0)
  }
}
