import StrataAnalysis
import StrataStats

extension ReportTables {
  /// Up to this many variants the SRM table is wide (one row per segment, a column per variant); above it,
  /// long (one row per segment × variant), so factorial experiments with many cells stay readable.
  public static let sampleRatioWideLimit = 4

  /// The SRM check: observed vs expected units per variant, overall and per segment.
  ///
  /// Wide for up to `sampleRatioWideLimit` variants, long above (see `sampleRatioLong`).
  /// Only the segments `segments` shows are listed (all by default).
  public static func sampleRatio(_ check: SampleRatioCheck, plan: AnalysisPlan, segments: ReportSegments? = nil)
    -> Table
  {
    var shown = check
    if let segments, segments.isPartial { shown.segments = check.segments.filter { segments.contains($0.segment) } }
    return plan.variants.count > sampleRatioWideLimit
      ? sampleRatioLong(shown, plan: plan) : sampleRatioWide(shown, plan: plan)
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

  /// One row per segment × variant: units observed / expected ("obs / exp"), shares observed / planned ("obs / plan"), and the Pearson residual (observed − expected) / √expected that points at the variant off its share (|r| > 3 is far out for one variant).
  ///
  /// The segment's χ² test sits on its first row; later rows leave the segment and test cells empty and carry the class
  /// "continued", so each segment reads as a block.
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
        classes.append(rowClass(row) + (first ? "" : " continued"))
      }
    }
    return Table(header: header, rows: rows, classes: classes)
  }

  /// The "Planned split" row of the plan-vs-observed table.
  ///
  /// Up to `sampleRatioWideLimit` variants: every variant's planned and observed share. Above it, compact: an equal
  /// split reads "8 equal shares of 12.5%" and the observed shares as their range with the variants at either end (the
  /// SRM table has them all).
  static func plannedSplit(_ analysis: Analysis) -> [String] {
    let plan = analysis.plan
    let weights = plan.segmentWeights.first ?? []
    let total = weights.reduce(0, +)
    let observed = plan.variants.indices.map {
      Double(analysis.data.statistics.units(variant: $0)) / Double(max(1, analysis.data.units))
    }
    guard plan.variants.count > sampleRatioWideLimit else {
      return [
        "Planned split",
        plan.variants.indices.map { "\(plan.variants[$0]) \(NumberText.percent(weights[$0] / total, digits: 0))" }
          .joined(separator: ", "),
        "observed " + observed.map { NumberText.percent($0, digits: 1) }.joined(separator: ", "),
      ]
    }
    let equal = weights.allSatisfy { $0 == weights.first }
    let planned =
      equal
      ? "\(plan.variants.count) equal shares of \(NumberText.percent(1 / Double(plan.variants.count), digits: 1))"
      : plan.variants.indices.map { "\(plan.variants[$0]) \(NumberText.percent(weights[$0] / total, digits: 1))" }
        .joined(separator: ", ")
    let low = observed.indices.min { observed[$0] < observed[$1] } ?? 0
    let high = observed.indices.max { observed[$0] < observed[$1] } ?? 0
    return [
      "Planned split", planned,
      "observed \(NumberText.percent(observed[low], digits: 1)) (\(plan.variants[low])) to \(NumberText.percent(observed[high], digits: 1)) (\(plan.variants[high])); see the sample ratio check",
    ]
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
