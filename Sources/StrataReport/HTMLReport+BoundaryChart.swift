import Foundation
import StrataAnalysis
import StrataStats

extension HTMLReport {
  /// The "Sequential monitoring" section: decision, boundary chart, boundary table and look log.
  static func sequentialSection(_ analysis: Analysis) -> String {
    guard let s = analysis.look.sequential else { return "" }
    var out = "<section class=\"sequential\"><h2>Sequential monitoring</h2>"
    out +=
      s.unplanned
      ? "<div class=\"banner srm-bad\" role=\"alert\"><strong>Unplanned look.</strong> \(HTML.escape(s.reason))</div>"
      : "<p class=\"sequential-reason\">\(HTML.escape(s.reason))</p>"
    out += "<p class=\"note\">\(HTML.escape(s.lookNote))</p>"
    out += HTML.table(ReportTables.sequentialDecisions(s, plan: analysis.plan), numericFrom: 2)
    out += "<figure>\(BoundaryChart.svg(s, alternative: analysis.plan.alternative))<figcaption>"
    out += HTML.escape(
      s.boundaries.isEmpty
        ? "z of each comparison by look (no planned boundaries: the always-valid p-value decides)."
        : "z of each comparison by look (dots; this look filled) against the \(s.spending ?? "") efficacy boundaries (lines, α = \(SequentialText.short(s.alphaPerComparison)) per comparison). Crossing a line stops for efficacy."
    )
    out += "</figcaption></figure>"
    if !s.boundaries.isEmpty {
      out += "<h3>Boundaries</h3>" + HTML.table(ReportTables.boundaries(s, plan: analysis.plan), numericFrom: 1)
    }
    out += "<h3>Look log</h3>" + HTML.table(ReportTables.lookLog(s), numericFrom: 2)
    return out + "</section>"
  }
}

/// The inline-SVG boundary chart: z by look against the ± efficacy boundaries.
enum BoundaryChart {
  static func svg(_ s: SequentialAnalysis, alternative: Alternative) -> String {
    let width = 640.0
    let height = 260.0
    let left = 48.0
    let right = width - 16
    let top = 40.0
    let plotLeft = left + 24  // room for the points and labels of the first and last looks
    let plotRight = right - 44
    let bottom = height - 36
    let looks = max(s.plannedLooks ?? 1, s.log.map(\.look).max() ?? 1, s.look)
    let displayLimit = 6.0  // boundaries beyond this (very early OBF looks) are drawn at the edge
    let observed = s.log.flatMap { record in record.comparisons.map { (record.look, $0.z) } }
    let extent = min(
      max(2.5, (s.boundaries.map(\.z) + observed.map { abs($0.1) }).filter(\.isFinite).max() ?? 2.5) * 1.08,
      displayLimit * 1.08)
    let lowest = alternative == .twoSided || observed.contains { $0.1 < 0 } ? -extent : -1.0
    func x(_ look: Int) -> Double {
      looks == 1 ? (plotLeft + plotRight) / 2 : plotLeft + (plotRight - plotLeft) * Double(look - 1) / Double(looks - 1)
    }
    func y(_ z: Double) -> Double {
      let clipped = min(max(z, lowest), extent)
      return bottom - (bottom - top) * (clipped - lowest) / (extent - lowest)
    }
    func f(_ v: Double) -> String { String(format: "%.1f", v) }
    var out =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"boundary-chart\" style=\"width:100%;max-width:720px;height:auto;display:block\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" aria-label=\"\(HTML.escape("z by look against the sequential boundaries"))\">"
    out += "<text x=\"\(f(left))\" y=\"16\" class=\"axis-title\">\(HTML.escape("z (variant − control)"))</text>"
    var tick = (lowest / 2).rounded(.up) * 2
    while tick <= extent {
      out +=
        "<line x1=\"\(f(left))\" y1=\"\(f(y(tick)))\" x2=\"\(f(right))\" y2=\"\(f(y(tick)))\" class=\"\(tick == 0 ? "zero" : "grid")\"/>"
      out += "<text x=\"\(f(left - 6))\" y=\"\(f(y(tick) + 4))\" class=\"tick\" text-anchor=\"end\">\(Int(tick))</text>"
      tick += 2
    }
    for look in 1...looks {
      out +=
        "<text x=\"\(f(x(look)))\" y=\"\(f(bottom + 18))\" class=\"tick\" text-anchor=\"middle\">\(HTML.escape("look \(look)"))</text>"
    }
    if !s.boundaries.isEmpty {
      let upper = s.boundaries.map { "\(f(x($0.look))),\(f(y($0.z)))" }.joined(separator: " ")
      out +=
        "<polyline points=\"\(upper)\" fill=\"none\" stroke=\"#b42318\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>"
      if alternative == .twoSided {
        let lower = s.boundaries.map { "\(f(x($0.look))),\(f(y(-$0.z)))" }.joined(separator: " ")
        out +=
          "<polyline points=\"\(lower)\" fill=\"none\" stroke=\"#b42318\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>"
      }
      for b in s.boundaries {
        out +=
          "<text x=\"\(f(x(b.look) + 6))\" y=\"\(f(y(b.z) - 6))\" class=\"tick\">\(HTML.escape(String(format: "%.2f", b.z)))</text>"
      }
    }
    for (look, z) in observed {
      let current = look == s.look
      out +=
        "<circle cx=\"\(f(x(look)))\" cy=\"\(f(y(z)))\" r=\"4\" fill=\"\(current ? "#1d4ed8" : "#ffffff")\" stroke=\"#1d4ed8\" stroke-width=\"1.5\"/>"
    }
    return out + "</svg>"
  }
}
