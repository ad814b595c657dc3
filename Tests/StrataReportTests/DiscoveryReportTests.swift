import Foundation
import StrataDiscovery
import StrataReport
import StrataTestSupport
import Testing

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
}
