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
}
