import StrataAnalysis

extension ReportTables {
  /// Up to this many variants the SRM table is wide (one row per segment, a column per variant); above it,
  /// long (one row per segment × variant), so factorial experiments with many cells stay readable.
  public static let sampleRatioWideLimit = 4

  /// The SRM check: observed vs expected units per variant, overall and per segment.
  ///
  /// Wide for up to `sampleRatioWideLimit` variants, long above (see `sampleRatioLong`).
  public static func sampleRatio(_ check: SampleRatioCheck, plan: AnalysisPlan) -> Table {
    plan.variants.count > sampleRatioWideLimit ? sampleRatioLong(check, plan: plan) : sampleRatioWide(check, plan: plan)
  }

  /// One row per segment (then all segments), two numbers per variant.
  static func sampleRatioWide(_ check: SampleRatioCheck, plan: AnalysisPlan) -> Table {
    let header = ["Segment"] + plan.variants.map { "\($0) (observed / expected)" } + ["χ²", "p", "Holm p", "Mismatch"]
    var rows: [[String]] = []
    var classes: [String] = []
    for row in check.segments + [check.overall] {
      var cells = [row.segment ?? "All segments"]
      for index in plan.variants.indices {
        cells.append("\(NumberText.count(row.observed[index])) / \(NumberText.count(row.expected[index]))")
      }
      cells += testCells(row)
      rows.append(cells)
      classes.append(rowClass(row))
    }
    return Table(header: header, rows: rows, classes: classes)
  }

  /// One row per segment × variant: units observed / expected ("obs / exp"), shares observed / planned
  /// ("obs / plan"), and the Pearson
  /// residual (observed − expected) / √expected that points at the variant off its share (|r| > 3 is
  /// far out for one variant). The segment's χ² test sits on its first row; later rows leave the segment
  /// and test cells empty so each segment reads as a block.
  static func sampleRatioLong(_ check: SampleRatioCheck, plan: AnalysisPlan) -> Table {
    let header = [
      "Segment", "Variant", "Units (obs / exp)", "Share (obs / plan)", "Residual", "χ²", "p",
      "Holm p", "Mismatch",
    ]
    var rows: [[String]] = []
    var classes: [String] = []
    for row in check.segments + [check.overall] {
      let observedTotal = Double(row.observed.reduce(0, +))
      let expectedTotal = row.expected.reduce(0, +)
      for index in plan.variants.indices {
        let observed = Double(row.observed[index])
        let expected = row.expected[index]
        let residual = expected > 0 ? (observed - expected) / expected.squareRoot() : (observed > 0 ? .infinity : 0)
        let first = index == plan.variants.startIndex
        var cells = [first ? (row.segment ?? "All segments") : "", plan.variants[index]]
        cells += [
          "\(NumberText.count(observed)) / \(NumberText.count(expected))",
          "\(share(observed, of: observedTotal)) / \(share(expected, of: expectedTotal))",
          NumberText.number(residual, sign: true),
        ]
        cells += first ? testCells(row) : ["", "", "", ""]
        rows.append(cells)
        classes.append(rowClass(row))
      }
    }
    return Table(header: header, rows: rows, classes: classes)
  }

  private static func share(_ part: Double, of total: Double) -> String {
    total > 0 ? NumberText.percent(part / total, digits: 1) : "n/a"
  }

  private static func testCells(_ row: SampleRatioCheck.Row) -> [String] {
    [
      NumberText.number(row.statistic), NumberText.pValue(row.pValue),
      row.adjustedPValue.map { NumberText.pValue($0) } ?? "—",
      row.mismatch ? "YES" : "no",
    ]
  }

  private static func rowClass(_ row: SampleRatioCheck.Row) -> String {
    (row.segment == nil ? "overall " : "") + (row.mismatch ? "mismatch" : "")
  }
}
