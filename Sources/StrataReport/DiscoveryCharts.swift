import Foundation
import StrataDiscovery

/// The two charts of the discovery report, as inline SVG: silhouette and Davies–Bouldin against k, and the 2-D
/// projection scatter of the clustered units.
///
/// Drawn in a 360-unit-wide view box with 12-unit text, so text stays at 11 px or more on a 390 px phone;
/// segments are told apart by colour and marker shape together (readable without colour), and every chart has a
/// text alternative.
enum DiscoveryCharts {
  static let colours = ["#2f6db5", "#c2571a", "#2e8540", "#8e44ad", "#b8860b", "#c0392b", "#16a0a0", "#6d6d6d"]

  static func number(_ x: Double) -> String { String(format: "%.1f", x) }

  /// A k-selection panel's value axis: round bounds a margin beyond the values.
  ///
  /// The bounds are whole multiples of a round step (1, 2, 2.5 or 5 × 10ⁿ, about a quarter of the values' range),
  /// widened a step at a time until the values keep `margin` (a share of the axis, under 1) from either bound.
  /// The lowest value is then drawn above the x axis, not on it, and the axis labels, the bounds themselves, are
  /// exact at `decimals` (the step's decimals).
  static func valueAxis(low: Double, high: Double, margin: Double = 0.1) -> (
    low: Double, high: Double, decimals: Int
  ) {
    let span = high - low > 1e-9 ? high - low : max(abs(high), 1) * 0.2
    let raw = span / 4
    let magnitude = pow(10, (log10(raw)).rounded(.down))
    let step = [1, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw * (1 - 1e-9) } ?? 10 * magnitude
    var lowIndex = (low / step).rounded(.down)
    var highIndex = (high / step).rounded(.up)
    // A value on a bound (or within the margin of it, equal values included) widens the axis by a step: the
    // point would sit on the axis line. Each widening adds a step to the gap and `margin` (under 1) of a step
    // to the room, so this ends (and a NaN ends it at once: every comparison is false).
    while true {
      let room = margin * (highIndex - lowIndex) * step
      if low - lowIndex * step <= room {
        lowIndex -= 1
      } else if highIndex * step - high <= room {
        highIndex += 1
      } else {
        break
      }
    }
    let decimals = (0...12).first {
      let scaled = step * pow(10, Double($0))
      return scaled >= 1 - 1e-9 && abs(scaled - scaled.rounded()) < 1e-6 * scaled
    }
    // + 0 turns a bound of −0 (a slightly negative top value rounded up) into 0, not a label "-0.00".
    return (lowIndex * step + 0, highIndex * step + 0, decimals ?? 12)
  }

  /// Silhouette (higher is better) and Davies–Bouldin (lower is better) against k, one panel each.
  ///
  /// The chosen k is ringed, a k too small to power is drawn hollow. Each panel's value axis runs between round
  /// bounds a margin beyond the values (`valueAxis`), so that every point is drawn inside its panel, above the x
  /// axis.
  static func selection(_ result: DiscoveryResult) -> String {
    let candidates = result.candidates
    let description =
      "Silhouette and Davies–Bouldin for k = "
      + candidates.map {
        "\($0.clusterCount): \(String(format: "%.3f", $0.silhouette)) and \(String(format: "%.3f", $0.daviesBouldin))"
      }
      .joined(separator: "; ") + "; chosen k = \(result.chosen.clusterCount)."
    var svg =
      "<figure><svg class=\"k-selection\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 360 330\" width=\"360\" height=\"330\" "
      + "role=\"img\" aria-label=\"\(HTML.escape(description))\">"
    let panels: [(String, (ClusterCountCandidate) -> Double, Double)] = [
      ("Silhouette (higher is better)", { $0.silhouette }, 20),
      ("Davies–Bouldin (lower is better)", { $0.daviesBouldin }, 180),
    ]
    let ks = candidates.map(\.clusterCount)
    let kLow = Double(ks.min() ?? 2)
    let kHigh = Double(max((ks.max() ?? 3), Int(kLow) + 1))
    for (title, value, top) in panels {
      let values = candidates.map(value)
      let axis = valueAxis(low: values.min() ?? 0, high: values.max() ?? 1)
      let (low, high) = (axis.low, axis.high)
      let left = 48.0
      let right = 344.0
      let bottom = top + 110
      // Points start 16 units inside the axis, so the first k never sits on the value labels at its left.
      let inset = 16.0
      func x(_ k: Int) -> Double { left + inset + (Double(k) - kLow) / (kHigh - kLow) * (right - left - inset) }
      func y(_ v: Double) -> Double { bottom - (v - low) / (high - low) * 96 }
      svg +=
        "<text x=\"\(number(left))\" y=\"\(number(top))\" font-size=\"12\" fill=\"#1f2633\">\(HTML.escape(title))</text>"
      svg +=
        "<line class=\"axis\" x1=\"\(number(left))\" y1=\"\(number(bottom))\" x2=\"\(number(right))\" y2=\"\(number(bottom))\" stroke=\"#8b95a7\"/>"
      for label in [low, high] {
        svg +=
          "<text x=\"\(number(left - 4))\" y=\"\(number(y(label) + 4))\" font-size=\"12\" text-anchor=\"end\" "
          + "fill=\"#3a4252\">\(String(format: "%.\(axis.decimals)f", label))</text>"
      }
      let path = candidates.map { "\(number(x($0.clusterCount))),\(number(y(value($0))))" }.joined(separator: " L")
      svg += "<path d=\"M\(path)\" fill=\"none\" stroke=\"#2f6db5\" stroke-width=\"2\"/>"
      for c in candidates {
        let chosen = c.clusterCount == result.chosen.clusterCount
        svg +=
          "<circle cx=\"\(number(x(c.clusterCount)))\" cy=\"\(number(y(value(c))))\" r=\"\(chosen ? 6 : 4)\" "
          + "fill=\"\(c.powered ? "#2f6db5" : "#ffffff")\" stroke=\"\(chosen ? "#1f2633" : "#2f6db5")\" stroke-width=\"2\"/>"
        svg +=
          "<text x=\"\(number(x(c.clusterCount)))\" y=\"\(number(bottom + 16))\" font-size=\"12\" text-anchor=\"middle\" "
          + "fill=\"#3a4252\">\(c.clusterCount)</text>"
      }
    }
    svg +=
      "</svg><figcaption>\(HTML.escape("Number of segments k: filled points can be powered, hollow ones cannot; the ringed point is the chosen k."))</figcaption></figure>"
    return svg
  }

  /// The projection scatter: each plotted unit at its first two principal-component scores, coloured and shaped by
  /// segment.
  static func scatter(_ projection: Projection, segments: [String]) -> String {
    let points = projection.points
    guard !points.isEmpty else { return "" }
    let xs = points.map(\.x)
    let ys = points.map(\.y)
    let (xLow, xHigh) = (xs.min() ?? 0, max(xs.max() ?? 1, (xs.min() ?? 0) + 1e-9))
    let (yLow, yHigh) = (ys.min() ?? 0, max(ys.max() ?? 1, (ys.min() ?? 0) + 1e-9))
    // The frame is 20-340 by 30-250; points keep 8 units inside it (a marker reaches 2.5 units from its
    // centre), so the extreme units are drawn whole and clear of the frame (they sat on it, half outside).
    func px(_ v: Double) -> Double { 28 + (v - xLow) / (xHigh - xLow) * 304 }
    func py(_ v: Double) -> Double { 242 - (v - yLow) / (yHigh - yLow) * 204 }
    let shares = projection.varianceShares.map { String(format: "%.0f%%", 100 * $0) }
    let description =
      "Scatter of \(points.count) of \(projection.unitCount) discovery units on the first two principal components "
      + "(\(shares.joined(separator: " and ")) of the variance), by segment: \(segments.joined(separator: ", "))."
    let legendRows = (segments.count + 2) / 3
    let height = 286 + legendRows * 18
    var svg =
      "<figure><svg class=\"scatter\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 360 \(height)\" width=\"360\" "
      + "height=\"\(height)\" role=\"img\" aria-label=\"\(HTML.escape(description))\">"
    svg += "<rect class=\"frame\" x=\"20\" y=\"30\" width=\"320\" height=\"220\" fill=\"none\" stroke=\"#d5dae3\"/>"
    svg += "<g class=\"points\">"
    for point in points {
      let colour = colours[point.segment % colours.count]
      let x = px(point.x)
      let y = py(point.y)
      switch point.segment % 3 {
      case 0: svg += "<circle cx=\"\(number(x))\" cy=\"\(number(y))\" r=\"2\" fill=\"\(colour)\" fill-opacity=\"0.6\"/>"
      case 1:
        svg +=
          "<rect x=\"\(number(x - 2))\" y=\"\(number(y - 2))\" width=\"4\" height=\"4\" fill=\"\(colour)\" fill-opacity=\"0.6\"/>"
      default:
        svg +=
          "<path d=\"M\(number(x)),\(number(y - 2.5)) L\(number(x + 2.5)),\(number(y + 2)) L\(number(x - 2.5)),\(number(y + 2))Z\" fill=\"\(colour)\" fill-opacity=\"0.6\"/>"
      }
    }
    svg += "</g>"
    for (index, name) in segments.enumerated() {
      let x = 20 + Double(index % 3) * 110
      let y = 296 + Double(index / 3) * 18
      svg +=
        "<rect x=\"\(number(x))\" y=\"\(number(y - 9))\" width=\"9\" height=\"9\" fill=\"\(colours[index % colours.count])\"/>"
      svg +=
        "<text x=\"\(number(x + 13))\" y=\"\(number(y))\" font-size=\"12\" fill=\"#1f2633\">\(HTML.escape(name))</text>"
    }
    svg +=
      "<text x=\"180\" y=\"272\" font-size=\"12\" text-anchor=\"middle\" fill=\"#3a4252\">"
      + "\(HTML.escape("first component (\(shares.first ?? "")) → second (\(shares.count > 1 ? shares[1] : "0%")) ↑"))</text>"
    svg +=
      "</svg><figcaption>\(HTML.escape(description + " Colours and marker shapes (circle, square, triangle) tell the segments apart; the table above names every segment."))</figcaption></figure>"
    return svg
  }
}
