import Foundation
import StrataAnalysis
import StrataReport
import StrataStats
import Testing

/// Issue 18, honest selection with two segments: the best segment quotes its raw interval adjusted for the
/// segments compared (Bonferroni), never the BLUP interval, which covers 77–80% once the segments differ.
@Suite("Best segment: the interval quoted with two segments")
struct BestSegmentIntervalTests {
  /// z at 1 − α/(2K): scipy 1.17.1 `norm.isf(0.05 / 4)`, `norm.isf(0.10 / 4)`, `norm.isf(0.05 / 6)`.
  static let z95TwoSegments = 2.241402727604945
  static let z90TwoSegments = 1.9599639845400545
  static let z95ThreeSegments = 2.3939797998185095

  @Test("rawIntervalsAdjustedForSelection: y ± z(1 − α/2K)·√v at level 1 − α/K, against scipy's z")
  func rawAdjustedIntervalsByHand() throws {
    for (level, estimates, variances, z) in [
      (0.95, [0.03, 0.01], [1e-4, 4e-4], Self.z95TwoSegments),
      (0.90, [-2.5, 7.0], [0.25, 9.0], Self.z90TwoSegments),
      (0.95, [0.03, 0.01, 0.02], [1e-4, 4e-4, 2.5e-5], Self.z95ThreeSegments),
    ] {
      let model = try RandomEffectsModel(estimates: estimates, variances: variances, confidenceLevel: level).result()
      let intervals = try model.rawIntervalsAdjustedForSelection()
      #expect(intervals.count == estimates.count)
      for (interval, (y, v)) in zip(intervals, zip(estimates, variances)) {
        let half = z * v.squareRoot()
        #expect(abs(interval.lower - (y - half)) <= 1e-13 * max(1, abs(y - half)), "\(level) \(y)")
        #expect(abs(interval.upper - (y + half)) <= 1e-13 * max(1, abs(y + half)), "\(level) \(y)")
        #expect(abs(interval.confidenceLevel - (1 - (1 - level) / Double(estimates.count))) < 1e-15)
      }
    }
  }

  @Test("Two segments: decision.best_segment quotes the raw interval adjusted for 2, in every output")
  func twoSegmentsQuoteTheRawAdjustedInterval() throws {
    let analysis = try ReportSnapshotTests.analysis()
    let best = try #require(analysis.decision.bestSegment)
    #expect(best.segmentsCompared == 2)
    #expect(best.segment == "vip<&>")
    #expect(best.intervalKind == .rawAdjusted)
    #expect(best.adjustedLevel == 0.975)
    #expect(best.level == 0.95)
    // By hand from the spring-promo counts: control 300/1200, treatment 345/1180 in vip<&>; the Wald
    // variance p(1 − p)/n per arm (the one pooled), z = scipy's norm.isf(0.0125).
    let control = 300.0 / 1200, treatment = 345.0 / 1180
    let raw = treatment - control
    let half = Self.z95TwoSegments * (control * (1 - control) / 1200 + treatment * (1 - treatment) / 1180).squareRoot()
    #expect(abs(best.raw - raw) < 1e-15)
    #expect(abs(best.lower - (raw - half)) < 1e-14)
    #expect(abs(best.upper - (raw + half)) < 1e-14)
    // The same numbers from scipy (printed with repr): 0.0015583385163942462, 0.08318742419547015.
    #expect(abs(best.lower - 0.0015583385163942462) < 1e-14)
    #expect(abs(best.upper - 0.08318742419547015) < 1e-14)
    // Not the BLUP interval, which is narrower and centred on the shrunken estimate.
    let pooling = try #require(analysis.metrics[0].partialPooling.first)
    let blup = try #require(pooling.segments.first { $0.segment == best.segment }).estimate.interval
    #expect(best.upper - best.lower > blup.upper - blup.lower)
    #expect(best.estimate < best.raw, "the shrunken estimate is pulled toward the other segment")

    let sentence = try #require(DecisionText.details(analysis).first { $0.contains("Works best in") })
    #expect(
      sentence.contains(
        "+3.2 pp shrunken, +4.2 pp raw. 95% interval [+0.2, +8.3] pp around the raw estimate, adjusted for the 2 segments compared (Bonferroni, 97.5% each)"
      ), "\(sentence)")
    #expect(sentence.contains("Expect the shrunken estimate at rollout, not the raw one"))
    #expect(!sentence.contains("empirical-Bayes"))
    for rendering in [MarkdownReport.render(analysis), HTMLReport.render(analysis), AnalysisText.render(analysis)] {
      #expect(rendering.contains("adjusted for the 2 segments compared (Bonferroni, 97.5% each)"))
    }

    // The partial-pooling table's best row gives the same interval to quote beside the BLUP one.
    let table = ReportTables.partialPooling(analysis.metrics[0], plan: analysis.plan)
    let row = try #require(table.rows.first { $0.first == best.segment })
    #expect(row.last == "best of 2 segments (shrunken); quote [+0.2, +8.3] pp (raw, adjusted for the 2 compared)")

    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(AnalysisJSON.value(analysis).serialized().utf8)) as? [String: Any])
    let object = try #require((json["decision"] as? [String: Any])?["best_segment"] as? [String: Any])
    #expect(object["interval"] as? String == "raw_adjusted")
    #expect(object["ci_level"] as? Double == 0.95)
    #expect(object["ci_level_each"] as? Double == 0.975)
    let low = try #require(object["ci_low"] as? Double), high = try #require(object["ci_high"] as? Double)
    #expect(abs(low - best.lower) < 1e-15 && abs(high - best.upper) < 1e-15)
  }

  @Test("Three segments and more: the calibrated interval, centred on a shrunken estimate; no per-segment level")
  func calibratedIntervalsFromThreeSegments() throws {
    var checked = 0
    for (label, analysis) in try DecisionCases.all() {
      guard let best = analysis.decision.bestSegment, best.segmentsCompared >= 3 else { continue }
      #expect(best.intervalKind == (best.segmentsCompared == 3 ? .hierarchicalBayes : .morris), "\(label)")
      #expect(best.adjustedLevel == nil, "\(label)")
      let sentence = try #require(
        DecisionText.details(analysis).first { $0.contains("segments compared") }, "\(label)")
      #expect(!sentence.contains("Bonferroni") && sentence.contains("is not the one to quote"), "\(label)")
      let json = try #require(
        try JSONSerialization.jsonObject(with: Data(AnalysisJSON.value(analysis).serialized().utf8)) as? [String: Any])
      let object = try #require((json["decision"] as? [String: Any])?["best_segment"] as? [String: Any])
      #expect(object["ci_level_each"] is NSNull, "\(label)")
      checked += 1
    }
    #expect(checked >= 1)
  }
}
