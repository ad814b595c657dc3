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
  /// The plan's segments that are shown, in plan order (nil: all of them), for the tables that list them.
  let order: [String]?
  /// The plan's number of segments.
  public let total: Int

  /// Every segment.
  public static func all(of plan: AnalysisPlan) -> ReportSegments {
    ReportSegments(shown: nil, total: plan.segments.count)
  }

  private init(shown: Set<String>?, total: Int) {
    self.shown = shown
    order = nil
    self.total = total
  }

  public init(_ analysis: Analysis) {
    let plan = analysis.plan
    total = plan.segments.count
    guard total > Self.limit else {
      shown = nil
      order = nil
      return
    }
    // Rank: mismatch, best segment, significant anywhere, smallest primary p; ties by plan order.
    // Kept by the segment's position in the plan (segment names are unique), each comparison read in place: sets
    // and a dictionary of names, and a copy of every comparison, cost about 12 M instructions at 2,000 segments
    // for each of the three reports that rank them.
    var lookup = OrderedLookup(plan.segments)
    var mismatch = [Bool](repeating: false, count: total)
    for row in analysis.sampleRatio.segments where row.mismatch {
      if let s = row.segment, let index = lookup.index(of: s) { mismatch[index] = true }
    }
    let best = analysis.decision.bestSegment?.segment
    var significant = [Bool](repeating: false, count: total)
    var primaryP = [(deciding: Double, raw: Double)](repeating: (.infinity, .infinity), count: total)
    let primary = plan.primaryMetricIndex
    for (metricIndex, metric) in analysis.metrics.enumerated() {
      metric.comparisons.withUnsafeBufferPointer { comparisons in
        for c in comparisons.indices {
          guard let segment = comparisons[c].segment, let index = lookup.index(of: segment) else { continue }
          if comparisons[c].significant { significant[index] = true }
          if metricIndex == primary, let p = comparisons[c].decidingPValue, let raw = comparisons[c].pValue,
            (p, raw) < primaryP[index]
          {
            primaryP[index] = (p, raw)
          }
        }
      }
    }
    let keys = plan.segments.enumerated().map { i, s in
      // The first position of the name (a plan repeating a name would share its flags, as by name).
      let first = lookup.unique ? i : lookup.position[s] ?? i
      let p = primaryP[first]
      return (mismatch[first] ? 0 : 1, s == best ? 0 : 1, significant[first] ? 0 : 1, p.deciding, p.raw, i)
    }
    let ranked = plan.segments.indices.sorted { keys[$0] < keys[$1] }
    let kept = ranked.prefix(Self.limit)
    let shown = Set(kept.map { plan.segments[$0] })
    self.shown = shown
    // With unique names, the kept positions in plan order are the plan's shown segments, without a lookup of
    // each of the plan's names.
    order = lookup.unique ? kept.sorted().map { plan.segments[$0] } : plan.segments.filter { shown.contains($0) }
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
  /// `resultsFile` names the results CSV when the reports write one. (321 characters before 2026-12-07.)
  public func note(resultsFile: String?) -> String? {
    guard let shown else { return nil }
    let elsewhere =
      resultsFile.map { "the results CSV (\($0)) and `strata analyze --json`" }
      ?? "`strata analyze --json` and the results CSV that `--report DIR` writes"
    return
      "This experiment has \(NumberText.count(total)) segments. The tables show \(shown.count): sample ratio mismatches, the best segment, significant results, then the primary metric's smallest p-values. All are in \(elsewhere)."
  }

  /// `names` joined by ", " when they fit in a sentence, else the first few (within `NumberText.namesBudget`
  /// characters, at most `limit`) and how many more.
  public static func list(_ names: [String]) -> String { NumberText.names(names, limit: limit) }

  /// Whether `list(_:)` names every one of `names`.
  public static func listsAll(_ names: [String]) -> Bool {
    NumberText.listedNames(names, limit: limit) == names.count
  }
}
