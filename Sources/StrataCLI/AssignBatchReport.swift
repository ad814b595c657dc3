import StrataAnalysis
import StrataAssignment
import StrataReport

/// The count table and JSON summary of `strata assign --input`.
struct AssignBatchReport {
  let experiment: Experiment
  let summary: BatchAssignment.Summary
  let input: String
  let output: String
  let stratified: Bool

  static let exclusionReasons: [AssignmentReason] = [.holdout, .layer, .traffic]

  var assigned: Int { summary.variantCounts.joined().reduce(0, +) }
  var excluded: Int {
    summary.exclusionCounts.flatMap(\.values).reduce(0, +) + summary.unsegmentedCounts.values.reduce(0, +)
  }

  var json: JSONValue {
    let segments: [JSONValue] = experiment.segmentNames.enumerated().map { index, name in
      .object([
        ("segment", .string(name)),
        ("variants", .object(zip(experiment.variants, summary.variantCounts[index]).map { ($0.key, .integer($1)) })),
        (
          "excluded",
          .object(Self.exclusionReasons.map { ($0.rawValue, .integer(summary.exclusionCounts[index][$0] ?? 0)) })
        ),
      ])
    }
    return .object([
      ("experiment", .string(experiment.id)), ("input", .string(input)), ("output", .string(output)),
      ("stratified", .bool(stratified)), ("rows", .integer(summary.rows)), ("assigned", .integer(assigned)),
      ("excluded", .integer(excluded)), ("bad_rows", .integer(summary.badRowCount)),
      (
        "bad_row_lines",
        .array(summary.badRows.map { .object([("line", .integer($0.line)), ("message", .string($0.message))]) })
      ),
      ("segments", .array(segments)),
      (
        "unsegmented",
        .object(
          [AssignmentReason.noConsent, .notEligible].map { ($0.rawValue, .integer(summary.unsegmentedCounts[$0] ?? 0)) }
        )
      ),
      ("missing_columns", .array(summary.missingColumns.map(JSONValue.string))),
    ])
  }

  var humanText: String {
    let reasons = Self.exclusionReasons.filter { reason in summary.exclusionCounts.contains { ($0[reason] ?? 0) > 0 } }
    var rows: [[String]] = [
      ["segment"] + experiment.variants.map(\.key) + reasons.map { "(\($0.rawValue))" } + ["total"]
    ]
    var columnTotals = [Int](repeating: 0, count: experiment.variants.count + reasons.count)
    for (index, name) in experiment.segmentNames.enumerated() {
      let cells = summary.variantCounts[index] + reasons.map { summary.exclusionCounts[index][$0] ?? 0 }
      for (column, value) in cells.enumerated() { columnTotals[column] += value }
      rows.append([name] + cells.map(String.init) + [String(cells.reduce(0, +))])
    }
    rows.append(["total"] + columnTotals.map(String.init) + [String(columnTotals.reduce(0, +))])
    var lines = [
      "\(experiment.id): \(summary.rows) rows, \(assigned) assigned\(stratified ? " (stratified)" : ""), \(excluded) excluded, \(summary.badRowCount) bad",
      "",
      textTable(rows),
    ]
    let unsegmented = [AssignmentReason.noConsent, .notEligible].compactMap { reason -> String? in
      guard let count = summary.unsegmentedCounts[reason], count > 0 else { return nil }
      return "\(reason.rawValue): \(count)"
    }
    if !unsegmented.isEmpty { lines += ["", "excluded before segmentation: " + unsegmented.joined(separator: ", ")] }
    lines += ["", output == "-" ? "wrote the assignments to standard output" : "wrote \(output)"]
    return lines.joined(separator: "\n")
  }
}
