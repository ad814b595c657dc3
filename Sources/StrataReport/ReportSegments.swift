import StrataAnalysis
import StrataStats

/// Which segments the reports' per-segment tables and charts show (terminal, Markdown, HTML).
///
/// Up to `limit` segments: all of them, as always. Beyond, a table of 20,000 segments is not something anyone
/// reads, so the reports show `limit` segments and say so: first those with a sample ratio mismatch, then the
/// segment where the decision's variant works best (partial pooling), then segments with a significant result in
/// any metric, then the smallest deciding p-values of the primary metric (adjusted when in the family; ties by the
/// raw p-value) — in the plan's order. The JSON (`strata analyze --json`) and the results CSV next to the reports keep every segment.
public struct ReportSegments: Sendable {
  /// Segment counts up to this show every segment.
  public static let limit = 30

  /// The segments shown; nil: all of them.
  public let shown: Set<String>?
  /// The plan's number of segments.
  public let total: Int

  /// Every segment.
  public static func all(of plan: AnalysisPlan) -> ReportSegments {
    ReportSegments(shown: nil, total: plan.segments.count)
  }

  private init(shown: Set<String>?, total: Int) {
    self.shown = shown
    self.total = total
  }

  public init(_ analysis: Analysis) {
    let plan = analysis.plan
    total = plan.segments.count
    guard total > Self.limit else {
      shown = nil
      return
    }
    // Rank: mismatch, best segment, significant anywhere, smallest primary p; ties by plan order.
    var mismatch: Set<String> = []
    for row in analysis.sampleRatio.segments where row.mismatch { if let s = row.segment { mismatch.insert(s) } }
    let best = analysis.decision.bestSegment?.segment
    var significant: Set<String> = []
    var primaryP: [String: (deciding: Double, raw: Double)] = [:]
    let primary = plan.primaryMetricIndex
    for (index, metric) in analysis.metrics.enumerated() {
      for c in metric.comparisons {
        guard let segment = c.segment else { continue }
        if c.significant { significant.insert(segment) }
        if index == primary, let p = c.decidingPValue, let raw = c.pValue,
          (p, raw) < (primaryP[segment] ?? (.infinity, .infinity))
        {
          primaryP[segment] = (p, raw)
        }
      }
    }
    let keys = plan.segments.enumerated().map { i, s in
      let p = primaryP[s] ?? (.infinity, .infinity)
      return (mismatch.contains(s) ? 0 : 1, s == best ? 0 : 1, significant.contains(s) ? 0 : 1, p.deciding, p.raw, i)
    }
    let ranked = plan.segments.indices.sorted { keys[$0] < keys[$1] }
    shown = Set(ranked.prefix(Self.limit).map { plan.segments[$0] })
  }

  /// Whether `segment`'s rows are shown (nil, the all-segments rows, always are).
  public func contains(_ segment: String?) -> Bool {
    guard let shown, let segment else { return true }
    return shown.contains(segment)
  }

  /// Whether some segments are left out of the tables.
  public var isPartial: Bool { shown != nil }

  /// The sentence that says which segments are shown and where the others are; nil when all are shown.
  ///
  /// `resultsFile` names the results CSV when the reports write one.
  public func note(resultsFile: String?) -> String? {
    guard let shown else { return nil }
    let elsewhere =
      resultsFile.map { "in the results CSV (\($0)) and in `strata analyze --json`" }
      ?? "in `strata analyze --json` and in the results CSV that `--report DIR` writes"
    return
      "This experiment has \(NumberText.count(total)) segments; the per-segment tables show \(shown.count) of them: sample ratio mismatches first, then the best segment, segments with a significant result, and the smallest p-values of the primary metric. Every segment's results are \(elsewhere)."
  }

  /// `names` joined by ", " when they fit in a sentence, else the first few (within `NumberText.namesBudget`
  /// characters, at most `limit`) and how many more.
  public static func list(_ names: [String]) -> String { NumberText.names(names, limit: limit) }

  /// Whether `list(_:)` names every one of `names`.
  public static func listsAll(_ names: [String]) -> Bool {
    NumberText.listedNames(names, limit: limit) == names.count
  }
}
