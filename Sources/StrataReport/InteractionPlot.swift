import Foundation
import StrataAnalysis
import StrataDesign
import StrataStats

/// An inline SVG interaction plot: the two-way marginal means of a pair of factors, the first factor's
/// levels along the x axis and one line per level of the second, with pointwise confidence bars.
///
/// Parallel lines mean no interaction; lines that diverge or cross mean the first factor's effect depends
/// on the second's level. Styling is inline, no scripts; the legend is HTML beside it (`legend`).
enum InteractionPlot {
  /// The chart's width: 360 units for two levels along the x axis (the whole chart in sight on a 390 px
  /// phone, where it keeps its size and scrolls sideways), 120 more per further level, and room for the title
  /// (about 7 units a character at 12).
  static func width(levels: Int, title: String) -> Double {
    max(360, 120 + 120 * Double(levels), 7 * Double(title.count) + 18)
  }
  static let height = 300.0
  static let colors = ["#2b59c3", "#c2410c", "#0f7b5f", "#7c3aed", "#b42318", "#5b6475"]

  static func svg(_ fit: FactorialFit, design: FactorialDesign, metric: String, binomial: Bool) -> String? {
    guard fit.plottedFactors.count == 2, !fit.twoWayMeans.isEmpty else { return nil }
    let first = design.factors[fit.plottedFactors[0]]
    let second = design.factors[fit.plottedFactors[1]]
    let means = fit.twoWayMeans
    let values = means.joined().flatMap { [$0.interval.lower, $0.interval.upper] }.filter(\.isFinite)
    guard var low = values.min(), var high = values.max(), high > low else { return nil }
    let scale = binomial ? 100.0 : 1.0
    let step = ChartScale.niceStep((high - low) * scale / 5)
    low = ((low * scale) / step).rounded(.down) * step
    high = ((high * scale) / step).rounded(.up) * step
    let title = "\(metric) (\(binomial ? "rate" : "mean"), marginal over the other factors)"
    let width = Self.width(levels: first.levelCount, title: title)
    let left = 70.0, right = width - 24, top = 30.0, bottom = height - 46
    let span = (right - left - 60) / Double(max(1, first.levelCount - 1))
    let x: (Int) -> Double = { index in left + 30 + Double(index) * span }
    let y: (Double) -> Double = { value in bottom - (value * scale - low) / (high - low) * (bottom - top) }
    let f = ForestPlot.f
    let label = "Interaction plot of \(metric): \(first.name) × \(second.name)"
    var out =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"interaction\(width > 360 ? " wide" : "")\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" aria-label=\"\(HTML.escape(label))\" style=\"width:100%;max-width:\(Int(width))px;min-width:\(Int(width))px;height:auto;display:block;font-family:sans-serif\">"
    var tick = low
    while tick <= high + step / 2 {
      let ty = bottom - (tick - low) / (high - low) * (bottom - top)
      out += "<line x1=\"\(f(left))\" y1=\"\(f(ty))\" x2=\"\(f(right))\" y2=\"\(f(ty))\" stroke=\"#e6e9ef\"/>"
      let text = ChartScale.levelLabel(tick, step) + (binomial ? "%" : "")
      out +=
        "<text x=\"\(f(left - 6))\" y=\"\(f(ty + 4))\" font-size=\"11\" fill=\"#6b7385\" text-anchor=\"end\">\(HTML.escape(text))</text>"
      tick += step
    }
    for (index, level) in first.levels.enumerated() {
      out +=
        "<text x=\"\(f(x(index)))\" y=\"\(f(bottom + 18))\" font-size=\"12\" fill=\"#1d2433\" text-anchor=\"middle\">\(HTML.escape(level))</text>"
    }
    out +=
      "<text x=\"\(f((left + right) / 2))\" y=\"\(f(bottom + 38))\" font-size=\"12\" fill=\"#5b6475\" text-anchor=\"middle\">\(HTML.escape(first.name))</text>"
    out +=
      "<text x=\"8\" y=\"16\" font-size=\"12\" fill=\"#5b6475\">\(HTML.escape(title))</text>"
    for j in second.levels.indices {
      let color = colors[j % colors.count]
      let offset = (Double(j) - Double(second.levelCount - 1) / 2) * 6  // keep overlapping bars apart
      var points: [String] = []
      for i in first.levels.indices {
        let mean = means[i][j]
        let px = x(i) + offset
        points.append("\(f(px)),\(f(y(mean.estimate)))")
        if mean.interval.lower.isFinite && mean.interval.upper.isFinite {
          out +=
            "<line x1=\"\(f(px))\" y1=\"\(f(y(mean.interval.lower)))\" x2=\"\(f(px))\" y2=\"\(f(y(mean.interval.upper)))\" stroke=\"\(color)\" stroke-width=\"1.5\" opacity=\"0.6\"/>"
        }
        out += "<circle cx=\"\(f(px))\" cy=\"\(f(y(mean.estimate)))\" r=\"4.5\" fill=\"\(color)\"/>"
      }
      out +=
        "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2.2\"/>"
    }
    return out + "</svg>"
  }

  /// The lines' legend, as HTML above the chart (not inside it at its right edge): on a phone the chart
  /// scrolls sideways inside its figure, and the key to its lines must show without scrolling.
  static func legend(_ fit: FactorialFit, design: FactorialDesign) -> String {
    guard fit.plottedFactors.count == 2 else { return "" }
    let second = design.factors[fit.plottedFactors[1]]
    let keys = second.levels.enumerated().map { j, level in
      "<li><span class=\"swatch\" style=\"border-color:\(colors[j % colors.count])\"></span>\(HTML.escape("\(second.name)=\(level)"))</li>"
    }
    return "<ul class=\"chart-legend\" aria-label=\"\(HTML.escape("Lines: the levels of \(second.name)"))\">"
      + keys.joined() + "</ul>"
  }
}
