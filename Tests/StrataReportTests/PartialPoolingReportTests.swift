import Foundation
import StrataAnalysis
import StrataDefinitions
import StrataReport
import StrataStats
import Testing

/// Issue 18 in the reports: the best segment is chosen by the shrunken estimates and the reports say how
/// many segments were compared; raw and shrunken estimates sit side by side in every rendering.
@Suite("Partial pooling in the reports")
struct PartialPoolingReportTests {
  @Test func bestSegmentIsTheLargestShrunkenEffectAmongThoseCompared() throws {
    var checked = 0
    for (label, analysis) in try DecisionCases.all() {
      let d = analysis.decision
      guard let index = analysis.plan.primaryMetricIndex, let variant = d.variant else { continue }
      let metric = analysis.metrics[index]
      guard let pooling = metric.partialPooling.first(where: { $0.treatment == variant }), pooling.segments.count >= 2
      else {
        #expect(d.bestSegment == nil, "\(label): no best segment without two pooled segments")
        continue
      }
      let shrunken = pooling.segments.map(\.estimate.estimate)
      let top = d.higherIsBetter ? shrunken.max() : shrunken.min()
      if shrunken.filter({ $0 == top }).count > 1 {
        // No segment stands out (τ̂² = 0, or a tie at the top): none is named, and the verdict says so.
        #expect(d.bestSegment == nil, "\(label): no best segment on a tie")
        #expect(d.noSegmentStandsOut?.tied == shrunken.filter { $0 == top }.count, "\(label)")
        #expect(DecisionText.details(analysis).contains { $0.hasPrefix("No segment stands out for \(variant)") })
        checked += 1
        continue
      }
      let best = try #require(d.bestSegment, "\(label): a best segment")
      #expect(best.estimate == top, "\(label): the best shrunken estimate")
      #expect(best.segmentsCompared == pooling.segments.count, "\(label): segments compared")
      let kind: Decision.BestSegment.IntervalKind =
        pooling.segments.count >= 4
        ? .morrisAdjusted : pooling.segments.count == 3 ? .hierarchicalBayesAdjusted : .rawAdjusted
      // The raw adjusted interval (two segments) is centred on the raw estimate, the others on a shrunken one.
      let centre = kind == .rawAdjusted ? best.raw : best.estimate
      #expect(best.lower <= centre && centre <= best.upper, "\(label): interval holds its centre")
      #expect(best.intervalKind == kind, "\(label)")
      // Every rendering says it, with the count of segments compared.
      let pairs =
        best.variantsCompared > 1
        ? "\(best.segmentsCompared) segments × \(best.variantsCompared) variants" : "\(best.segmentsCompared) segments"
      let phrase = "the \(pairs) compared"
      let lead =
        d.action == .keepRunning ? "so far \(best.treatment) leads in \(best.segment)" : "Works best in \(best.segment)"
      #expect(DecisionText.details(analysis).contains { $0.contains(lead) && $0.contains(phrase) })
      #expect(AnalysisText.render(analysis).contains(phrase), "\(label): terminal")
      #expect(MarkdownReport.render(analysis).contains(phrase), "\(label): Markdown")
      #expect(HTMLReport.render(analysis).contains(phrase), "\(label): HTML")
      let json = try #require(
        try JSONSerialization.jsonObject(with: Data(AnalysisJSON.value(analysis).serialized().utf8)) as? [String: Any])
      let decision = try #require(json["decision"] as? [String: Any])
      let object = try #require(decision["best_segment"] as? [String: Any], "\(label): JSON best_segment")
      #expect(object["segment"] as? String == best.segment)
      #expect(object["segments_compared"] as? Int == best.segmentsCompared)
      // Foundation's JSON parser may round the last digit.
      let estimate = try #require(object["estimate"] as? Double)
      #expect(abs(estimate - best.estimate) <= 1e-14 * abs(best.estimate))
      checked += 1
    }
    #expect(checked >= 3)
  }

  @Test func reportsShowRawAndShrunkenSideBySide() throws {
    let analysis = try ReportSnapshotTests.analysis()
    let metric = try #require(analysis.metrics.first { !$0.partialPooling.isEmpty })
    let table = ReportTables.partialPooling(metric, plan: analysis.plan)
    let rows = metric.partialPooling.reduce(0) { $0 + $1.segments.count + $1.segmentsLeftOut.count }
    #expect(table.rows.count == rows)
    let html = HTMLReport.render(analysis)
    #expect(html.contains("Partial pooling across segments"))
    #expect(html.contains("class=\"mark shrunken\""), "the forest plot draws the shrunken marks")
    #expect(MarkdownReport.render(analysis).contains("**Partial pooling across segments**"))
  }

  /// The spring-promo snapshot's data analysed under `pooling`.
  static func analysis(pooling: StatisticalPlan.Pooling) throws -> Analysis {
    var plan = ReportSnapshotTests.plan
    plan.pooling = pooling
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("strata-pooling-\(UUID().uuidString).csv")
    defer { try? FileManager.default.removeItem(at: file) }
    try ReportSnapshotTests.csv.write(to: file, atomically: true, encoding: .utf8)
    return try Analyzer(plan: plan).analyze(try DataReader.read(path: file.path, plan: plan))
  }

  @Test("plan.pooling's estimator and Knapp–Hartung reach the JSON and the reports; the default reads as before")
  func poolingMethodInEveryOutput() throws {
    let reml = try Self.analysis(pooling: .init())
    #expect(MarkdownReport.render(reml).contains(ReportTables.partialPoolingNote))
    #expect(HTMLReport.render(reml).contains("(random effects, REML)"))
    #expect(!HTMLReport.render(reml).contains("<dt>Knapp–Hartung adjustment</dt>"))
    for (method, knappHartung, words) in [
      (StatisticalPlan.Pooling.Method.dl, false, "(random effects, DerSimonian–Laird)"),
      (.dl, true, "(random effects, DerSimonian–Laird, Knapp–Hartung)"),
      (.reml, true, "(random effects, REML, Knapp–Hartung)"),
    ] {
      let analysis = try Self.analysis(pooling: .init(method: method, knappHartung: knappHartung))
      let metric = try #require(analysis.metrics.first { !$0.partialPooling.isEmpty })
      let json = try #require(
        try JSONSerialization.jsonObject(with: Data(AnalysisJSON.value(analysis).serialized().utf8)) as? [String: Any])
      let entries = try #require(json["partial_pooling"] as? [[String: Any]])
      #expect(!entries.isEmpty)
      for entry in entries {
        #expect(entry["method"] as? String == (method == .dl ? "DL" : "REML"))
        #expect(entry["knapp_hartung"] as? Bool == knappHartung)
      }
      for pooling in metric.partialPooling {
        // The fit is the statistics layer's model with that estimator (checked against metafor).
        let raw = pooling.segments.map(\.estimate)
        let direct = try RandomEffectsModel(
          estimates: raw.map(\.raw), variances: raw.map(\.rawVariance),
          method: method == .dl ? .dersimonianLaird : .restrictedMaximumLikelihood, knappHartung: knappHartung,
          confidenceLevel: analysis.plan.confidenceLevel, calibrated: true
        ).result()
        #expect(pooling.model.tauSquared == direct.tauSquared && pooling.model.interval == direct.interval)
        #expect(pooling.model.knappHartung == knappHartung)
      }
      #expect(MarkdownReport.render(analysis).contains(words))
      #expect(HTMLReport.render(analysis).contains(words))
      // What Knapp–Hartung does is in the glossary when the plan uses it.
      #expect(
        HTMLReport.render(analysis).contains("<dt>Knapp–Hartung adjustment</dt>") == knappHartung,
        "\(method), \(knappHartung)")
      let table = ReportTables.randomEffects(metric, plan: analysis.plan)
      let suffix = knappHartung ? ", Knapp–Hartung)" : ")"
      #expect(table.rows.allSatisfy { $0.last?.hasSuffix((method == .dl ? "DL" : "REML") + suffix) == true })
    }
  }

  @Test func trajectoriesFollowEachComparisonAcrossLooks() throws {
    let analysis = try SequentialReportSnapshotTests.analysis()
    let s = try #require(analysis.look.sequential)
    let trajectories = s.trajectories()
    #expect(trajectories.count == s.rows.count)
    #expect(s.trajectoryInterval == .repeatedConfidence)
    for (t, row) in zip(trajectories, s.rows) {
      #expect(t.points.map(\.look) == [1, 2])
      for point in t.points {
        #expect(point.lower < point.estimate && point.estimate < point.upper)
        let c = (point.upper - point.estimate) / point.standardError
        let planned = try #require(s.boundaries.first { $0.look == point.look }).z
        let own = point.look == s.look ? row.decision.boundary?.z : nil
        #expect(abs(c - (own ?? planned)) < 1e-9, "look \(point.look): the interval at that look's boundary")
      }
      #expect(t.points.last?.z == row.decision.z)
    }
    let html = HTMLReport.render(analysis)
    #expect(html.contains("class=\"lift-chart\""))
    #expect(html.contains("information fraction"))
    #expect(MarkdownReport.render(analysis).contains("**Cumulative lift by look**"))
  }
}
