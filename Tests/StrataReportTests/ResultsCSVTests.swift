import StrataAnalysis
@testable import StrataReport
import StrataTestSupport
import Testing

/// The results CSV: one row per metric × segment × variant, and names that cannot run in a spreadsheet.
@Suite("Results CSV")
struct ResultsCSVTests {
  @Test func oneRowPerComparisonWithGuardedNames() throws {
    var plan = ReportSnapshotTests.plan
    plan.segments = ["=HYPERLINK(\"x\")", "regular"]
    let csv = ReportSnapshotTests.csv.replacingOccurrences(of: "\"vip<&>\"", with: "\"=HYPERLINK(\"\"x\"\")\"")
    let analysis = try DecisionCases.analyze(plan, csv: csv)
    let text = ResultsCSV.render(analysis)
    let lines = text.split(separator: "\n")
    #expect(lines.count == 1 + analysis.metrics.reduce(0) { $0 + $1.comparisons.count })
    #expect(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "the formula is written as text")
    #expect(!text.contains(",=HYPERLINK"))
    #expect(text.contains("\"treat\"\"ment'\""), "quotes are doubled inside a quoted cell")
    let header = lines[0].split(separator: ",").map(String.init)
    #expect(header.starts(with: ["metric", "kind", "role", "variant", "control", "scope", "segment"]))
    #expect(header.contains("shrunken") && header.contains("bayesian_chance_to_win"))
  }
}

/// The results CSV written cell by cell (`ResultsCSVRow`) against the rows it replaced: each `results[]` entry
/// built as a tree, flattened into a dictionary of cells and joined (`reference`, kept here as the oracle).
@Suite("Results CSV, cell by cell")
struct ResultsCSVRowTests {
  /// The former `ResultsCSV.render`.
  static func reference(_ analysis: Analysis) -> String {
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
            add(key, ResultsCSV.cell(value), to: &row)
          }
        }
        for (key, value) in members { flatten(key, value) }
        let shrunken = comparison.segment.flatMap { shrunkenBy[comparison.treatment]?[$0] }
        let interval = shrunken.map { $0.estimate.calibratedInterval ?? $0.estimate.interval }
        add("shrunken", ResultsCSV.cell(.finite(shrunken?.estimate.estimate)), to: &row)
        add("shrunken_ci_low", ResultsCSV.cell(.finite(interval?.lower)), to: &row)
        add("shrunken_ci_high", ResultsCSV.cell(.finite(interval?.upper)), to: &row)
        add("ci_level", ResultsCSV.cell(.finite(analysis.plan.confidenceLevel)), to: &row)
        rows.append(row)
      }
    }
    var lines = [columns.map(CSVCell.text).joined(separator: ",")]
    for row in rows { lines.append(columns.map { row[$0] ?? "" }.joined(separator: ",")) }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Binomial, continuous and guardrail metrics with hostile names; 40 segments with a mismatch and a
  /// significant one; a ratio and a CUPED metric (`adjustment_*`, nested two deep) after a binomial one; and the
  /// same with the ratio metric last, so that later rows bring columns the first rows lack; the 40 segments' rows
  /// reversed and shuffled.
  @Test func sameBytesAsTheFlattenedTree() throws {
    var analyses = [
      try ReportSnapshotTests.analysis(), try ManySegmentReportTests.analysis(segments: 40),
      try DecisionCases.example("basket-bundle", data: "basket-bundle"),
      try DecisionCases.example("gym-renewal", data: "gym-renewal"),
    ]
    var reordered = analyses[2]
    reordered.metrics.reverse()
    analyses.append(reordered)
    // The shrunken estimates found by position (the pooling's next segment) and by name: comparisons reversed and
    // shuffled.
    var reversed = analyses[1]
    reversed.metrics[0].comparisons.reverse()
    var shuffled = analyses[1]
    var random = SplitMix64(seed: 3)
    shuffled.metrics[0].comparisons.shuffle(using: &random)
    analyses += [reversed, shuffled]
    #expect(!analyses[1].metrics[0].partialPooling.isEmpty)
    for analysis in analyses {
      let csv = ResultsCSV.render(analysis)
      #expect(csv == Self.reference(analysis))
    }
    #expect(ResultsCSV.render(analyses[2]).contains("adjustment_unadjusted_lift_abs"))
  }
}

/// Text cells written as bytes and guarded in place (`ResultsCSVRow.guardText`) against `CSVCell.text`.
@Suite("Results CSV, text cells")
struct ResultsCSVTextCellTests {
  /// Every ASCII character first (the formula guard's and the others) and inside, quotes between ASCII bytes and
  /// next to non-ASCII ones (a combining mark after, a prepended mark before: a quote byte is doubled all the
  /// same), and the empty text.
  @Test func sameBytesAsCSVCellText() {
    var texts = (0..<128).map { String(UnicodeScalar(UInt8($0))) + "x" }
    texts += (0..<128).map { "x" + String(UnicodeScalar(UInt8($0))) + "y" }
    texts += [
      "", "plain", "a,b", "say \"hi\"", "line\nbreak", "cr\rhere", "=1+1", "-3", "'quoted'", "\"\u{301}x",
      "=\"\u{301}\"", "größe, \"ü\"", "größe, \"u\" ü", "\u{600}\"x", "x\"\u{301}", "🙂=", "+\"", "\t", "@", "a; b; c",
      "\"\"",
      "-\"a, b\"", "é,\"\"",
    ]
    let cells = JSONByteWriter()
    for text in texts {
      var writer = cells
      writer.append("prefix,")
      let start = cells.buffer.count
      writer.append(text)
      ResultsCSVRow.guardText(cells, from: start)
      #expect(cells.text == "prefix," + CSVCell.text(text), "\(text.debugDescription)")
      cells.buffer.count = 0
    }
  }
}
