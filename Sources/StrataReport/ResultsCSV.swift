import StrataAnalysis
import StrataStats

/// The results as CSV, next to the HTML and Markdown reports: one row per metric × segment × variant
/// (the overall "All segments" rows included, `scope` = `overall`), with the JSON's `results[]` numbers at
/// full precision and each segment's shrunken estimate from `partial_pooling[]`.
///
/// Columns are the JSON keys in the JSON's order (rates and means side by side, empty where they do not
/// apply), the Bayesian summary flattened as `bayesian_*` and a ratio or CUPED metric's adjustment as
/// `adjustment_*` (`adjustment_unadjusted_lift_abs`, ...), `notes` joined by "; ". Text cells are under the
/// spreadsheet formula guard of `strata assign` (a name starting with `=` is written `'=`).
///
/// Each row's members are added by the function that adds a `results[]` entry's (`AnalysisJSON.comparison`) to a
/// `ResultsCSVRow`, which writes each cell's bytes as it comes (numbers as the JSON spells them) and finds its
/// column by where it came in the row before: no tree of values, no dictionary of cells and no key string per
/// row. (Built as a tree per row, flattened into a `[String: String]` and joined, the file took 2.0 G of the
/// 3.25 G instructions of `analyze --report` at 2,000 segments × 3 variants and 100,000 rows.)
public enum ResultsCSV {
  public static func render(_ analysis: Analysis) -> String {
    let table = ResultsCSVTable()
    let plan = analysis.plan
    let zeroFillsKnown = analysis.data.zeroFillsCounted
    for metric in analysis.metrics {
      var shrunkenBy = ShrunkenSegments(metric)
      for comparison in metric.comparisons {
        var row = ResultsCSVRow(table: table)
        AnalysisJSON.comparison(metric, comparison, plan, zeroFillsKnown: zeroFillsKnown, to: &row)
        let shrunken = comparison.segment.flatMap { shrunkenBy.estimate(of: $0, treatment: comparison.treatment) }
        let interval = shrunken.map { $0.calibratedInterval ?? $0.interval }
        row.add("shrunken", finite: shrunken?.estimate)
        row.add("shrunken_ci_low", finite: interval?.lower)
        row.add("shrunken_ci_high", finite: interval?.upper)
        row.add("ci_level", finite: plan.confidenceLevel)
        table.endRow()
      }
    }
    // Columns met only in later rows (a continuous metric after a binomial one) keep their first position.
    return table.text()
  }

  /// A JSON value as a CSV cell: numbers as the JSON prints them, null as empty, text guarded.
  static func cell(_ value: JSONValue) -> String {
    switch value {
    case .null: return ""
    case .string(let text): return CSVCell.text(text)
    case .array(let items):
      return CSVCell.text(
        items.map { item in
          if case .string(let text) = item { return text }
          return item.serialized(pretty: false)
        }.joined(separator: "; "))
    default: return value.serialized(pretty: false)
    }
  }
}

/// Each treatment's partially pooled segments (its first pooling, as `MetricAnalysis.shrunkenSegments`), looked up
/// by comparison: a treatment among the few by its name, a segment by its position (`OrderedLookup`: the comparisons
/// come segment by segment in the pooling's order as a rule).
struct ShrunkenSegments {
  struct Treatment {
    let name: String
    let segments: [SegmentPooling.Segment]
    var lookup: OrderedLookup
  }
  private(set) var treatments: [Treatment] = []

  init(_ metric: MetricAnalysis) {
    for pooling in metric.partialPooling where !treatments.contains(where: { $0.name == pooling.treatment }) {
      treatments.append(
        Treatment(
          name: pooling.treatment, segments: pooling.segments, lookup: OrderedLookup(pooling.segments.map(\.segment))))
    }
  }

  /// The shrunken estimate of `segment` for `treatment`; nil when the treatment was not pooled or the segment is not
  /// among its pooled segments.
  mutating func estimate(of segment: String, treatment: String) -> ShrunkenEstimate? {
    guard let t = treatments.firstIndex(where: { $0.name == treatment }),
      let index = treatments[t].lookup.index(of: segment)
    else { return nil }
    return treatments[t].segments[index].estimate
  }
}
