import Foundation
import StrataAnalysis
import StrataStats

/// An inline SVG forest plot of one metric's lifts.
///
/// A row per segment × variant with its confidence interval, then the pooled estimate as a diamond, against a zero
/// line. No scripts, no external fonts.
enum ForestPlot {
  struct Row {
    var label: String
    var sublabel: String
    var estimate: Double
    var lower: Double
    var upper: Double
    var significant: Bool
    var underpowered: Bool
    var pooled: Bool
    /// The segment's shrunken (partially pooled) estimate and interval, drawn under the raw one.
    var shrunken: (estimate: Double, lower: Double, upper: Double)? = nil
  }

  static let width = 760.0
  static let plainRowHeight = 28.0
  static let pairedRowHeight = 42.0
  static let labelWidth = 210.0
  static let valueWidth = 190.0
  /// What the segment's label column leaves the variant's of the chart's left half (`charts`).
  static let segmentColumnSpare = 100.0

  /// The whole chart, the same rows laid out for a phone (`phone`, `renderPhone`), and when the whole is taller
  /// than `printBlockHeight` the same rows cut into blocks for print
  /// (`printBlocks`, empty otherwise): each block a complete chart with the axis titles and ticks, on the
  /// whole chart's x scale, cut between segments where it can (`blocks`), so that printed the chart breaks
  /// between rows and its text keeps its size instead of the whole being scaled down to fit a page.
  ///
  /// Each block is a `.print-block` led by a printed line naming the metric as the report's heading of its
  /// section does (`heading`, "Secondary metric: revenue"; the metric's name when nil) and the block
  /// ("Secondary metric: revenue, continued (2 of 3)"), so that a block at the top of a page says whose chart
  /// it is (the caption comes after the last).
  static func charts(
    _ metric: MetricAnalysis, plan: AnalysisPlan, segments: ReportSegments? = nil, heading: String? = nil
  ) -> (whole: String, phone: String, printBlocks: [String])? {
    let id =
      "forest-"
      + String(
        metric.metric.name.unicodeScalars.map {
          $0.properties.isAlphabetic || ("0"..."9").contains($0) ? Character($0) : "-"
        })
    let binomial = metric.metric.kind == .binomial
    var rows: [Row] = []
    let shrunkenBy = metric.shrunkenSegments()
    for c in ReportTables.shownComparisons(metric, plan: plan, segments: segments) {
      guard let segment = c.segment, let interval = c.absoluteInterval, interval.lower.isFinite,
        interval.upper.isFinite
      else { continue }
      let shrunken = shrunkenBy[c.treatment]?[segment]
        .map { s in
          let interval = s.estimate.calibratedInterval ?? s.estimate.interval
          return (estimate: s.estimate.estimate, lower: interval.lower, upper: interval.upper)
        }
      rows.append(
        Row(
          label: segment, sublabel: c.treatment, estimate: c.absoluteLift, lower: interval.lower,
          upper: interval.upper,
          significant: c.significant, underpowered: c.underpowered, pooled: false,
          shrunken: shrunken.flatMap { $0.lower.isFinite && $0.upper.isFinite ? $0 : nil }))
    }
    for p in metric.pooled where p.interval.lower.isFinite && p.interval.upper.isFinite {
      rows.append(
        Row(
          label: "Pooled", sublabel: p.treatment, estimate: p.estimate, lower: p.interval.lower,
          upper: p.interval.upper,
          significant: p.pValue < plan.alpha, underpowered: false, pooled: true))
    }
    if metric.pooled.isEmpty {
      for c in metric.comparisons(segment: nil) {
        guard let interval = c.absoluteInterval, interval.lower.isFinite, interval.upper.isFinite else { continue }
        rows.append(
          Row(
            label: "All segments", sublabel: c.treatment, estimate: c.absoluteLift, lower: interval.lower,
            upper: interval.upper,
            significant: c.significant, underpowered: false, pooled: true))
      }
    }
    guard !rows.isEmpty else { return nil }
    let paired = rows.contains { $0.shrunken != nil }
    let rowHeight = paired ? pairedRowHeight : plainRowHeight
    let scale = binomial ? 100.0 : 1.0
    let (low, high, step) = ChartScale.axis(
      low: min(0, (rows.map(\.lower) + rows.compactMap { $0.shrunken?.lower }).min() ?? 0) * scale,
      high: max(0, (rows.map(\.upper) + rows.compactMap { $0.shrunken?.upper }).max() ?? 0) * scale, divisions: 6)
    // Label columns sized to the longest segment and variant names (`segmentLabelWidth`, `variantLabelWidth`).
    // The plot starts at half the chart's width at most, and the segment's column leaves the variant's 100
    // units of it at least (about 12 characters as drawn): a segment's name wider than its column's 248 units
    // (a 90-character name ran under the variants and the intervals) is shortened in its middle with "…"
    // (`shortened`; the tables keep it whole).
    let segmentColumn = min(
      max(70, (rows.map { segmentLabelWidth($0.label) }.max() ?? 0) + 22), width * 0.5 - 10 - segmentColumnSpare)
    let variantColumn = max(60, (rows.map { variantLabelWidth($0.sublabel) }.max() ?? 0) + 16)
    let sublabelX = 10 + segmentColumn
    var layout = Layout(
      metricName: metric.metric.name, axisTitle: axisTitle(metric.metric),
      levelTitle: "estimate [\(Int((plan.confidenceLevel * 100).rounded()))% CI]", binomial: binomial,
      higherIsBetter: metric.metric.higherIsBetter, rowHeight: rowHeight, scale: scale, low: low, high: high,
      step: step, plotLeft: min(max(labelWidth, sublabelX + variantColumn), width * 0.5),
      plotRight: width - valueWidth, sublabelX: sublabelX, segmentRoom: segmentColumn - 22)
    // Names that read alike once cut keep what tells them apart (`distinctFocus`), segments and variants alike,
    // over the whole chart's rows, so that a name is cut alike in the whole chart and in each printed block.
    layout.segmentFocus = distinctFocus(rows.map(\.label)) {
      shortened($0, room: layout.segmentRoom, width: segmentLabelWidth, focus: $1)
    }
    layout.variantFocus = distinctFocus(rows.map(\.sublabel)) {
      shortened($0, room: layout.variantRoom, width: variantLabelWidth, focus: $1)
    }
    let whole = render(rows, layout: layout, id: id, part: nil)
    let phone = renderPhone(rows, layout: layout, id: "\(id)-phone")
    guard chartHeight(rows, rowHeight: rowHeight) > printBlockHeight else { return (whole, phone, []) }
    let cap = Int(((printBlockHeight - chartHeight([], rowHeight: rowHeight) - 10) / rowHeight).rounded(.down))
    let parts = blocks(rows, cap: max(1, cap))
    let printed = parts.enumerated().map { index, block in
      let title = "\(heading ?? layout.metricName)\(index == 0 ? "" : ", continued") (\(index + 1) of \(parts.count))"
      return "<div class=\"print-block\"><p class=\"print-block-title\">\(HTML.escape(title))</p>"
        + render(block, layout: layout, id: "\(id)-part\(index + 1)", part: (index + 1, parts.count)) + "</div>"
    }
    return (whole, phone, printed)
  }

  /// The whole chart (`charts`' first part).
  static func svg(_ metric: MetricAnalysis, plan: AnalysisPlan, segments: ReportSegments? = nil) -> String? {
    charts(metric, plan: plan, segments: segments)?.whole
  }

  /// What every block of a chart shares: the axis (one x scale), the label columns and the row height.
  struct Layout {
    var metricName: String
    var axisTitle: String
    var levelTitle: String
    var binomial: Bool
    var higherIsBetter: Bool
    var rowHeight: Double
    var scale: Double
    var low: Double
    var high: Double
    var step: Double
    var plotLeft: Double
    var plotRight: Double
    var sublabelX: Double
    /// The width a segment's name may take (`segmentLabelWidth`): a wider one is drawn shortened.
    var segmentRoom = Double.infinity
    /// The spans of the segments' names that tell them apart where their cuts read alike (`distinctFocus`).
    var segmentFocus: [String: [Range<Int>]] = [:]
    /// The spans of the variants' names that tell them apart where their cuts read alike (`distinctFocus`).
    var variantFocus: [String: [Range<Int>]] = [:]
    /// The width a variant's name may take (`variantLabelWidth`): a wider one is drawn shortened.
    ///
    /// The variant's column ends where the plot starts, at half the chart at most: an 84-character variant name
    /// ran under the intervals and their marks.
    var variantRoom: Double { plotLeft - sublabelX - 6 }

    func x(_ value: Double) -> Double {
      plotLeft + (value * scale - low) / (high - low) * (plotRight - plotLeft)
    }
  }

  /// The tallest printed block, in the chart's units (760 wide): about 103 mm at the 200 mm the print style
  /// gives a chart (12-unit text at 9 pt), so that a heading, its note and a chart's first block fit on the
  /// rest of a page that is half full, and a block never has to be scaled down to fit a page.
  static let printBlockHeight = 390.0

  /// The chart's height for these rows: the axis title above, the ticks below, a gap before pooled rows.
  static func chartHeight(_ rows: [Row], rowHeight: Double) -> Double {
    34 + Double(rows.count) * rowHeight + 44 + (rows.contains(where: \.pooled) ? 10 : 0)
  }

  /// The rows cut into blocks of at most `cap`: whole segments (a segment's rows, the pooled rows) kept
  /// together, a segment with more rows than a block cut into near-equal parts, and the blocks filled up to
  /// an even share (as many blocks as `cap` needs, each about as full).
  static func blocks(_ rows: [Row], cap: Int) -> [[Row]] {
    var groups: [[Row]] = []
    for row in rows {
      if let last = groups.last?.last, last.label == row.label, last.pooled == row.pooled {
        groups[groups.count - 1].append(row)
      } else {
        groups.append([row])
      }
    }
    var pieces: [[Row]] = []
    for group in groups {
      let parts = (group.count + cap - 1) / cap
      let size = (group.count + parts - 1) / parts
      for start in stride(from: 0, to: group.count, by: size) {
        pieces.append(Array(group[start..<min(start + size, group.count)]))
      }
    }
    let count = (rows.count + cap - 1) / cap
    let share = (rows.count + count - 1) / count
    var out: [[Row]] = []
    for piece in pieces {
      if let last = out.last, last.count + piece.count <= share {
        out[out.count - 1] += piece
      } else {
        out.append(piece)
      }
    }
    return out
  }

  /// One chart of these rows: the whole (`part` nil) or block `part.0` of `part.1`.
  static func render(_ rows: [Row], layout: Layout, id: String, part: (Int, Int)?) -> String {
    let binomial = layout.binomial
    let rowHeight = layout.rowHeight
    let scale = layout.scale
    let low = layout.low
    let high = layout.high
    let step = layout.step
    let plotLeft = layout.plotLeft
    let sublabelX = layout.sublabelX
    let x = layout.x
    let top = 34.0
    var pooledGap = 0.0
    let height = chartHeight(rows, rowHeight: rowHeight)
    let partTitle = part.map { ", part \($0.0) of \($0.1)" } ?? ""
    var out =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"forest\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\">"
    out +=
      "<title id=\"\(id)-title\">\(HTML.escape("Forest plot of the lift in \(layout.metricName) per segment\(partTitle)"))</title>"
    out += "<desc id=\"\(id)-desc\">\(HTML.escape(description(rows, binomial: binomial)))</desc>"
    // The axis title starts over the plot, or further left when it would run into the level title at the right
    // (a plot starting at half the chart, after a long variant name, put "Difference in revenue per order
    // (CUPED-adjusted) (variant − control)" over "estimate [95% CI]").
    // Arial's widths (`textWidth` without its 10% for phones' fonts), 12 units apart.
    let titles = (textWidth(layout.levelTitle, size: 12) + textWidth(layout.axisTitle, size: 12)) / 1.1
    let titleX = max(10, min(plotLeft, width - 8 - titles - 12))
    out +=
      "<text x=\"\(f(titleX))\" y=\"18\" class=\"axis-title\">\(HTML.escape(layout.axisTitle))</text>"
    out +=
      "<text x=\"\(f(width - 8))\" y=\"18\" class=\"axis-title\" text-anchor=\"end\">\(HTML.escape(layout.levelTitle))</text>"
    // Row bands first, so the grid and the zero line stay visible over them.
    var bandGap = 0.0
    for index in rows.indices {
      if rows[index].pooled && (index == 0 || !rows[index - 1].pooled) { bandGap = 10 }
      if index % 2 == 0 {
        let y = top + Double(index) * rowHeight + bandGap
        out += "<rect x=\"0\" y=\"\(f(y))\" width=\"\(f(width))\" height=\"\(f(rowHeight))\" class=\"band\"/>"
      }
    }
    // Grid and ticks.
    var tick = low
    let bottom = top + Double(rows.count) * rowHeight + (rows.contains(where: \.pooled) ? 10 : 0) + 4
    while tick <= high + step / 2 {
      let tx = x(tick / scale)
      out += "<line x1=\"\(f(tx))\" y1=\"\(f(top - 6))\" x2=\"\(f(tx))\" y2=\"\(f(bottom))\" class=\"grid\"/>"
      out +=
        "<text x=\"\(f(tx))\" y=\"\(f(bottom + 16))\" class=\"tick\" text-anchor=\"middle\">\(HTML.escape(ChartScale.differenceLabel(tick, step)))</text>"
      tick += step
    }
    out += "<line x1=\"\(f(x(0)))\" y1=\"\(f(top - 6))\" x2=\"\(f(x(0)))\" y2=\"\(f(bottom))\" class=\"zero\"/>"
    var previousLabel = ""
    for (index, row) in rows.enumerated() {
      if row.pooled && (index == 0 || !rows[index - 1].pooled) {
        pooledGap = 10
        let y = top + Double(index) * rowHeight + pooledGap / 2 - 2
        out += "<line x1=\"8\" y1=\"\(f(y))\" x2=\"\(f(width - 8))\" y2=\"\(f(y))\" class=\"separator\"/>"
      }
      let rowMiddle = top + Double(index) * rowHeight + rowHeight / 2 + pooledGap
      let y = row.shrunken == nil ? rowMiddle : rowMiddle - 8
      let label = row.label == previousLabel ? "" : row.label
      previousLabel = row.label
      let shownLabel = shortened(
        label, room: layout.segmentRoom, width: segmentLabelWidth, focus: layout.segmentFocus[label])
      out +=
        "<text x=\"10\" y=\"\(f(rowMiddle + 4))\" class=\"label\(row.pooled ? " strong" : "")\">\(HTML.escape(shownLabel))</text>"
      let shownVariant = shortened(
        row.sublabel, room: layout.variantRoom, width: variantLabelWidth, focus: layout.variantFocus[row.sublabel])
      out +=
        "<text x=\"\(f(sublabelX))\" y=\"\(f(rowMiddle + 4))\" class=\"sublabel\">\(HTML.escape(shownVariant))</text>"
      out += intervalAndMark(row, y: y, higherIsBetter: layout.higherIsBetter, x: x)
      let mark = row.significant ? (row.estimate > 0 ? "▲ " : "▼ ") : ""
      let value =
        "\(mark)\(NumberText.effect(row.estimate, binomial: binomial)) \(NumberText.interval(row.lower, row.upper, binomial: binomial))"
      out +=
        "<text x=\"\(f(width - 8))\" y=\"\(f(y + 4))\" class=\"value\(row.pooled ? " strong" : "")\" text-anchor=\"end\">\(HTML.escape(value))</text>"
      if let shrunken = row.shrunken {
        let sy = rowMiddle + 8
        out +=
          "<line x1=\"\(f(x(shrunken.lower)))\" y1=\"\(f(sy))\" x2=\"\(f(x(shrunken.upper)))\" y2=\"\(f(sy))\" class=\"ci shrunken\"/>"
        out +=
          "<rect x=\"\(f(x(shrunken.estimate) - 4.5))\" y=\"\(f(sy - 4.5))\" width=\"9\" height=\"9\" class=\"mark shrunken\"/>"
        let text =
          "shrunken \(NumberText.effect(shrunken.estimate, binomial: binomial)) \(NumberText.interval(shrunken.lower, shrunken.upper, binomial: binomial))"
        out +=
          "<text x=\"\(f(width - 8))\" y=\"\(f(sy + 4))\" class=\"value shrunken\" text-anchor=\"end\">\(HTML.escape(text))</text>"
      }
    }
    out += "</svg>"
    return out
  }

  /// A row's interval as a line and its estimate as a mark at height `y`, for the wide and the phone chart.
  ///
  /// A diamond for the pooled row, a circle (hollow when underpowered) for a segment; coloured by direction when
  /// significant.
  static func intervalAndMark(_ row: Row, y: Double, higherIsBetter: Bool, x: (Double) -> Double) -> String {
    let tone = row.significant ? ((row.estimate > 0) == higherIsBetter ? "up" : "down") : "neutral"
    var out =
      "<line x1=\"\(f(x(row.lower)))\" y1=\"\(f(y))\" x2=\"\(f(x(row.upper)))\" y2=\"\(f(y))\" class=\"ci \(tone)\"/>"
    if row.pooled {
      let cx = x(row.estimate)
      out +=
        "<polygon points=\"\(f(cx - 8)),\(f(y)) \(f(cx)),\(f(y - 7)) \(f(cx + 8)),\(f(y)) \(f(cx)),\(f(y + 7))\" class=\"mark \(tone)\"/>"
    } else {
      out +=
        "<circle cx=\"\(f(x(row.estimate)))\" cy=\"\(f(y))\" r=\"5\" class=\"mark \(tone)\(row.underpowered ? " hollow" : "")\"/>"
    }
    return out
  }

  static func f(_ x: Double) -> String { FixedDecimals.format(x, digits: 1) }

  /// The axis title: what the differences are, and "adjusted" for a CUPED metric.
  static func axisTitle(_ metric: AnalysisPlan.Metric) -> String {
    let adjusted =
      metric.regression != nil ? " (regression-adjusted)" : metric.covariate == nil ? "" : " (CUPED-adjusted)"
    switch metric.kind {
    case .binomial: return "Lift in percentage points\(adjusted) (variant − control)"
    case .continuous: return "Difference in means\(adjusted) (variant − control)"
    case .ratio: return "Difference in \(metric.ratioLabel ?? "the ratio")\(adjusted) (variant − control)"
    }
  }
}
