import Foundation
import StrataDiscovery
import StrataTestSupport
import Testing

@testable import StrataReport

#if canImport(FoundationXML)
  import FoundationXML
#endif

@Suite("The discovery report: Markdown and well-formed HTML with both charts")
struct DiscoveryReportTests {
  static func result() throws -> DiscoveryResult {
    var random = SplitMix64(seed: 4)
    var units: [String] = []
    var a: [Double] = []
    var b: [Double] = []
    var plan: [String?] = []
    for i in 0..<900 {
      units.append("u\(i)")
      a.append(Double(i % 3) * 10 + Double.random(in: 0..<2, using: &random))
      b.append(Double.random(in: -1..<1, using: &random))
      plan.append(i % 3 == 0 ? "gold" : (i % 7 == 0 ? nil : "basic"))
    }
    let audience = Audience(
      units: units, numericNames: ["visits", "noise"], numeric: [a, b], categoricalNames: ["plan"],
      categorical: [plan])
    return try SegmentDiscovery.run(
      audience, options: try DiscoveryOptions(clusterCounts: 2...4, minimumSegmentUnits: 100, splitSalt: "r"))
  }

  @Test("both formats name the chosen k, every segment, the SHA-256 and the discovered warning")
  func content() throws {
    let result = try Self.result()
    let report = DiscoveryReport(
      result: result, projection: try result.projection(), experimentID: "test-segments", input: "audience.csv",
      definition: "segments.yaml", sha256: String(repeating: "ab", count: 32))
    let markdown = report.markdown()
    let html = report.html()
    for text in [markdown, html] {
      #expect(text.contains("\(result.chosen.clusterCount) segments: the best silhouette"))
      #expect(text.contains(String(repeating: "ab", count: 32)))
      #expect(text.contains("discovered, not planned"))
      for segment in result.segments { #expect(text.contains(segment.name)) }
    }
    #expect(result.methodName == "k-prototypes" && result.gamma != nil)
    #expect(markdown.contains("plan mostly"))
    #expect(html.components(separatedBy: "<svg").count - 1 == 2)
    #expect(html.contains("class=\"verdict\"") && html.contains(">Flags<"))
    let parser = XMLParser(data: Data(html.replacingOccurrences(of: "<!DOCTYPE html>", with: "").utf8))
    #expect(parser.parse(), "the HTML must be well-formed XHTML: \(String(describing: parser.parserError))")
  }

  /// Every unit's marker inside the projection scatter's frame, the extreme ones near it.
  ///
  /// The frame is 20-340 by 30-250 (its line 1 unit wide): every marker is drawn whole inside it, clear of the
  /// line, and the extreme units still reach near it (the axes padded, not shrunk). Before, the extreme units
  /// were drawn on the frame (a circle centred at x 20, half outside).
  @Test("every point of the projection scatter lies inside its frame, the extreme ones within 10 units of it")
  func scatterPointsInsideFrame() throws {
    let result = try Self.result()
    let report = DiscoveryReport(
      result: result, projection: try result.projection(), experimentID: "test-segments", input: "audience.csv",
      definition: "segments.yaml", sha256: String(repeating: "ab", count: 32))
    let html = report.html()
    let start = try #require(html.range(of: "<g class=\"points\">"))
    let end = try #require(html[start.upperBound...].range(of: "</g>"))
    let marks = html[start.upperBound..<end.lowerBound].components(separatedBy: "/>").filter { !$0.isEmpty }
    func number(_ name: String, _ mark: String) -> Double? {
      guard let range = mark.range(of: " \(name)=\"") else { return nil }
      return Double(mark[range.upperBound...].prefix { $0 != "\"" })
    }
    var boxes: [(left: Double, right: Double, top: Double, bottom: Double)] = []
    for mark in marks {
      if let cx = number("cx", mark), let cy = number("cy", mark), let r = number("r", mark) {
        boxes.append((cx - r, cx + r, cy - r, cy + r))
      } else if let x = number("x", mark), let y = number("y", mark), let w = number("width", mark),
        let h = number("height", mark)
      {
        boxes.append((x, x + w, y, y + h))
      } else if let range = mark.range(of: " d=\"M") {
        let pairs = mark[range.upperBound...].prefix { $0 != "Z" }.split(separator: "L")
          .map { $0.trimmingCharacters(in: .whitespaces).split(separator: ",").compactMap { Double($0) } }
        let xs = pairs.map { $0[0] }
        let ys = pairs.map { $0[1] }
        boxes.append((xs.min()!, xs.max()!, ys.min()!, ys.max()!))
      } else {
        Issue.record("an unexpected mark in the scatter: \(mark)")
      }
    }
    #expect(boxes.count == (try result.projection()).points.count)
    let outside = boxes.filter { $0.left < 20.5 || $0.right > 339.5 || $0.top < 30.5 || $0.bottom > 249.5 }
    let first = outside.first.map { "\($0)" } ?? ""
    #expect(outside.isEmpty, "\(outside.count) markers on or outside the frame, first \(first)")
    #expect(boxes.map(\.left).min()! < 30 && boxes.map(\.right).max()! > 330)
    #expect(boxes.map(\.top).min()! < 40 && boxes.map(\.bottom).max()! > 240)
  }
  /// The k-selection chart: in each panel every point is drawn whole above the x axis (its ring clear of the axis
  /// line) and where the axis labels put its value.
  ///
  /// Read from the SVG: a panel's x axis (`line.axis`) is its lower bound, drawn at the lower label's height;
  /// each point's height must be its value on the scale of the two labels (within the 0.1 unit the chart is
  /// written in), so the labels are the bounds themselves. Before, the value axis started
  /// at the lowest value: that point sat on the axis line, half under it, and the labels were that value rounded.
  @Test("every point of the k-selection chart lies above its x axis, where the axis labels put it")
  func selectionPointsAboveTheAxis() throws {
    let result = try Self.result()
    let report = DiscoveryReport(
      result: result, projection: nil, experimentID: "test-segments", input: "audience.csv",
      definition: "segments.yaml", sha256: String(repeating: "ab", count: 32))
    let html = report.html()
    let start = try #require(html.range(of: "<svg class=\"k-selection\""))
    let end = try #require(html[start.upperBound...].range(of: "</svg>"))
    let panels = html[start.upperBound..<end.lowerBound].components(separatedBy: "<line class=\"axis\"").dropFirst()
    #expect(panels.count == 2)
    func number(_ name: String, _ element: Substring) -> Double? {
      guard let range = element.range(of: " \(name)=\"") else { return nil }
      return Double(element[range.upperBound...].prefix { $0 != "\"" })
    }
    let values: [[Double]] = [result.candidates.map(\.silhouette), result.candidates.map(\.daviesBouldin)]
    for (panel, values) in zip(panels, values) {
      let elements = panel.split(separator: "<")
      let axis = try #require(number("y1", elements[0]))
      // The value labels (right-aligned at the axis's left), their baselines 4 units under their height.
      let labels = elements.filter { $0.hasPrefix("text") && $0.contains("text-anchor=\"end\"") }.compactMap {
        label -> (value: Double, y: Double)? in
        guard let y = number("y", label), let value = Double(label.split(separator: ">").last ?? "") else { return nil }
        return (value, y - 4)
      }
      try #require(labels.count == 2)
      let (lower, upper) = labels[0].y > labels[1].y ? (labels[0], labels[1]) : (labels[1], labels[0])
      #expect(abs(lower.y - axis) < 0.1, "the lower label at \(lower.y), the axis at \(axis)")
      let circles = elements.filter { $0.hasPrefix("circle") }
      #expect(circles.count == values.count)
      for (circle, value) in zip(circles, values) {
        let cy = try #require(number("cy", circle))
        let r = try #require(number("r", circle))
        // The ring's stroke (2 units wide) reaches 1 unit beyond r; the axis line is 1 unit wide.
        #expect(cy + r + 1 < axis - 0.5, "a point at \(cy) (r \(r)) on or under the axis at \(axis)")
        #expect(cy - r - 1 > upper.y - 14, "a point at \(cy) (r \(r)) above its panel")
        let expected = lower.y - (value - lower.value) / (upper.value - lower.value) * (lower.y - upper.y)
        #expect(abs(cy - expected) < 0.1, "\(value) drawn at \(cy), the labels put it at \(expected)")
      }
    }
  }
  /// The k-selection panels' value axis: round bounds, exact at their decimals, a tenth of the axis at least
  /// beyond the values (the lowest value clear of the x axis), and no looser than it needs: the values span a
  /// third of the axis or more.
  @Test("the k-selection value axis keeps a margin below and above the values, at round bounds")
  func valueAxisMargins() {
    // The gym audience's silhouettes (0.3618-0.5417) and Davies–Bouldin indices (0.7171-1.2989) for k = 2...5.
    let silhouette = DiscoveryCharts.valueAxis(low: 0.3618, high: 0.5417)
    #expect(String(format: "%.2f %.2f", silhouette.low, silhouette.high) == "0.30 0.60" && silhouette.decimals == 2)
    let daviesBouldin = DiscoveryCharts.valueAxis(low: 0.7171, high: 1.2989)
    #expect(String(format: "%.1f %.1f", daviesBouldin.low, daviesBouldin.high) == "0.6 1.4")
    #expect(daviesBouldin.decimals == 1)
    // Values on round steps are moved off the bounds, and equal values get an axis around them.
    let onSteps = DiscoveryCharts.valueAxis(low: 0.4, high: 0.6)
    #expect(onSteps.low < 0.4 - 0.02 && onSteps.high > 0.6 + 0.02)
    let flat = DiscoveryCharts.valueAxis(low: 0.5, high: 0.5)
    #expect(flat.low < 0.5 && flat.high > 0.5)
    var random = SplitMix64(seed: 11)
    for _ in 0..<2000 {
      let scale = pow(10, Double.random(in: -4..<3, using: &random))
      let a = Double.random(in: -1..<1, using: &random) * scale
      let b = a + Double.random(in: 0..<1, using: &random) * scale
      let axis = DiscoveryCharts.valueAxis(low: a, high: b)
      let range = axis.high - axis.low
      let label = { (x: Double) in String(format: "%.\(axis.decimals)f", x) }
      #expect(
        a - axis.low >= 0.1 * range * (1 - 1e-9) && axis.high - b >= 0.1 * range * (1 - 1e-9), "\(a)...\(b): \(axis)")
      #expect(b - a < 1e-9 || (b - a) / range >= 1 / 3, "\(a)...\(b): \(axis) too loose")
      #expect(
        abs(Double(label(axis.low))! - axis.low) < 1e-9 * max(1, scale), "\(axis.low) labelled \(label(axis.low))")
      #expect(
        abs(Double(label(axis.high))! - axis.high) < 1e-9 * max(1, scale), "\(axis.high) labelled \(label(axis.high))")
      #expect(!label(axis.low).hasPrefix("-0") || axis.low < 0)
      #expect(!label(axis.high).hasPrefix("-0") || axis.high < 0)
    }
  }
}
