import StrataAnalysis

/// The results as CSV, next to the HTML and Markdown reports: one row per metric × segment × variant
/// (the overall "All segments" rows included, `scope` = `overall`), with the JSON's `results[]` numbers at
/// full precision and each segment's shrunken estimate from `partial_pooling[]`.
///
/// Columns are the JSON keys in the JSON's order (rates and means side by side, empty where they do not
/// apply), the Bayesian summary flattened as `bayesian_*` and a ratio or CUPED metric's adjustment as
/// `adjustment_*` (`adjustment_unadjusted_lift_abs`, ...), `notes` joined by "; ". Text cells are under the
/// spreadsheet formula guard of `strata assign` (a name starting with `=` is written `'=`).
public enum ResultsCSV {
  public static func render(_ analysis: Analysis) -> String {
    var columns: [String] = []
    var known: Set<String> = []
    var rows: [[String: String]] = []
    func add(_ key: String, _ value: String, to row: inout [String: String]) {
      if known.insert(key).inserted { columns.append(key) }
      row[key] = value
    }
    for metric in analysis.metrics {
      let shrunkenBy = metric.shrunkenSegments()
      for comparison in metric.comparisons {
        var row: [String: String] = [:]
        guard
          case .object(let members) = AnalysisJSON.comparison(
            metric, comparison, analysis.plan, zeroFillsKnown: analysis.data.zeroFillsCounted)
        else { continue }
        func flatten(_ key: String, _ value: JSONValue) {
          switch value {
          case .object(let nested):
            for (inner, innerValue) in nested { flatten("\(key)_\(inner)", innerValue) }
          case .null where key == "bayesian" || key == "adjustment":
            return
          default:
            add(key, cell(value), to: &row)
          }
        }
        for (key, value) in members { flatten(key, value) }
        let shrunken = comparison.segment.flatMap { shrunkenBy[comparison.treatment]?[$0] }
        let interval = shrunken.map { $0.estimate.calibratedInterval ?? $0.estimate.interval }
        add("shrunken", number(shrunken?.estimate.estimate), to: &row)
        add("shrunken_ci_low", number(interval?.lower), to: &row)
        add("shrunken_ci_high", number(interval?.upper), to: &row)
        add("ci_level", number(analysis.plan.confidenceLevel), to: &row)
        rows.append(row)
      }
    }
    // Columns met only in later rows (a continuous metric after a binomial one) keep their first position.
    var lines = [columns.map(CSVCell.text).joined(separator: ",")]
    for row in rows { lines.append(columns.map { row[$0] ?? "" }.joined(separator: ",")) }
    return lines.joined(separator: "\n") + "\n"
  }

  private static func number(_ x: Double?) -> String { cell(.finite(x)) }

  /// A JSON value as a CSV cell: numbers as the JSON prints them, null as empty, text guarded.
  private static func cell(_ value: JSONValue) -> String {
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
