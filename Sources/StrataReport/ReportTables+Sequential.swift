import Foundation
import StrataAnalysis
import StrataStats

extension ReportTables {
  /// The sequential decision per comparison of the primary family at this look.
  public static func sequentialDecisions(_ s: SequentialAnalysis, plan: AnalysisPlan) -> Table {
    let binomial = plan.primaryMetricIndex.map { plan.metrics[$0].kind == .binomial } ?? true
    var rows: [[String]] = []
    var classes: [String] = []
    for row in s.rows {
      let d = row.decision
      let evidence: String
      if let boundary = d.boundary {
        evidence = (plan.alternative == .twoSided ? "±" : "") + NumberText.minus(boundary.z, digits: 3)
      } else {
        evidence = "—"
      }
      let avP = d.alwaysValid.map { NumberText.pValue($0.runningPValue) } ?? "—"
      let avCI =
        d.alwaysValid.map {
          NumberText.interval($0.runningInterval.lower, $0.runningInterval.upper, binomial: binomial)
        } ?? "—"
      rows.append([
        row.treatment, row.segment ?? "All segments",
        row.informationFraction.map { NumberText.percent($0, digits: 0) } ?? "—",
        NumberText.minus(d.z, digits: 3), evidence, avP, avCI,
        d.action.rawValue.replacingOccurrences(of: "_", with: " "),
      ])
      classes.append(d.action.rejects ? (d.z > 0 ? "significant-up" : "significant-down") : "")
    }
    return Table(
      header: [
        "variant", "segment", "information", "z", "boundary", "always-valid p",
        "always-valid interval (\(DecisionText.level(1 - s.alphaPerComparison)))", "decision",
      ],
      rows: rows, classes: classes, highlightColumn: 7)
  }

  /// The planned boundaries (group-sequential plans), one row per look, with the largest observed |z|.
  public static func boundaries(_ s: SequentialAnalysis, plan: AnalysisPlan) -> Table {
    let observed = Dictionary(s.log.map { ($0.look, $0) }, uniquingKeysWith: { $1 })
    let rows: [[String]] = s.boundaries.map { b in
      let zs = observed[b.look]?.comparisons.map(\.z) ?? []
      let largest = zs.max { abs($0) < abs($1) }
      return [
        "\(b.look)\(b.look == s.look ? " (this look)" : "")", NumberText.number(b.fraction, digits: 2),
        (plan.alternative == .twoSided ? "±" : "") + NumberText.minus(b.z, digits: 3),
        NumberText.pValue(b.nominalPValue),
        NumberText.pValue(b.alphaSpent), largest.map { NumberText.minus($0, digits: 3) } ?? "—",
      ]
    }
    return Table(
      header: ["look", "planned fraction", "boundary z", "nominal p", "alpha spent", "observed z (largest |z|)"],
      rows: rows, classes: rows.map { _ in "" })
  }

  /// The look log as both reports show it (HTML on screen and in print, Markdown): the looks (when, units,
  /// information, decision), then the z of each comparison, one row per comparison and one column per look (at
  /// most `looksPerTable` a table, the comparison repeated).
  ///
  /// One z column per comparison made the log of a 14-comparison plan wider than an A4 page (Chromium printed
  /// the whole page scaled down to fit it, 5.8 pt text), 1,981 px wide at 1,280 px (the screen's text column
  /// is 1,040 px) and, in Markdown, a 464-character header line; a plan has a few looks and may have many
  /// comparisons, so the comparisons are rows, whatever their number.
  public static func lookLogTables(_ s: SequentialAnalysis, looksPerTable: Int = 10) -> [Table] {
    var tables = [lookLogLooks(s)]
    for start in stride(from: 0, to: s.log.count, by: looksPerTable) {
      let records = s.log[start..<min(start + looksPerTable, s.log.count)]
      let rows = s.rows.map { row in [comparisonLabel(row)] + records.map { loggedZ($0, row) } }
      tables.append(
        Table(
          header: ["z of comparison"] + records.map { "look \($0.look)" }, rows: rows,
          classes: rows.map { _ in "" }))
    }
    return tables
  }

  /// The look log's columns but the z: one row per recorded look.
  static func lookLogLooks(_ s: SequentialAnalysis) -> Table {
    let rows: [[String]] = s.log.map { record in
      let units = record.unitsPerVariant.values.reduce(0, +)
      return [
        "\(record.look)", record.timestamp, NumberText.count(units),
        record.informationFraction.map { NumberText.percent($0, digits: 0) } ?? "—",
        record.action.replacingOccurrences(of: "_", with: " "),
      ]
    }
    return Table(
      header: ["look", "time (UTC)", "units", "information", "decision"], rows: rows, classes: rows.map { _ in "" })
  }

  /// A comparison as the look log names it: "treatment · segment", or the treatment alone.
  static func comparisonLabel(_ row: SequentialAnalysis.Row) -> String {
    row.segment.map { "\(row.treatment) · \($0)" } ?? row.treatment
  }

  /// The comparison's z in the look's record, "—" when the look did not record it.
  static func loggedZ(_ record: LookRecord, _ row: SequentialAnalysis.Row) -> String {
    record.comparisons.first { $0.treatment == row.treatment && $0.segment == row.segment }
      .map { NumberText.minus($0.z, digits: 2) } ?? "—"
  }
}
