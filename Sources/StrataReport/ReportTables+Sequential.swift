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
        evidence = (plan.alternative == .twoSided ? "±" : "") + NumberText.number(boundary.z, digits: 3)
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
        NumberText.number(d.z, digits: 3), evidence, avP, avCI,
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
        (plan.alternative == .twoSided ? "±" : "") + NumberText.number(b.z, digits: 3),
        NumberText.pValue(b.nominalPValue),
        NumberText.pValue(b.alphaSpent), largest.map { NumberText.number($0, digits: 3) } ?? "—",
      ]
    }
    return Table(
      header: ["look", "planned fraction", "boundary z", "nominal p", "alpha spent", "observed z (largest |z|)"],
      rows: rows, classes: rows.map { _ in "" })
  }

  /// The look log: one row per recorded look, with z per comparison.
  public static func lookLog(_ s: SequentialAnalysis) -> Table {
    let labels = s.rows.map { row in row.segment.map { "z \(row.treatment) · \($0)" } ?? "z \(row.treatment)" }
    let rows: [[String]] = s.log.map { record in
      let zs = s.rows.map { row in
        record.comparisons.first { $0.treatment == row.treatment && $0.segment == row.segment }
          .map { NumberText.number($0.z, digits: 2) } ?? "—"
      }
      let units = record.unitsPerVariant.values.reduce(0, +)
      return [
        "\(record.look)", record.timestamp, NumberText.count(units),
        record.informationFraction.map { NumberText.percent($0, digits: 0) } ?? "—",
        record.action.replacingOccurrences(of: "_", with: " "),
      ] + zs
    }
    return Table(
      header: ["look", "time (UTC)", "units", "information", "decision"] + labels, rows: rows,
      classes: rows.map { _ in "" })
  }
}
