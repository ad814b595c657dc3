import Foundation
import StrataAnalysis
import StrataReport
import StrataTestSupport
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Snapshot tests for the Markdown and HTML reports, plus well-formedness and escaping checks.
///
/// Record new snapshots after an intended change with `STRATA_RECORD_SNAPSHOTS=1 swift test --filter
/// ReportSnapshotTests`
/// and review the diff.
@Suite("Report snapshots")
struct ReportSnapshotTests {
  /// Hostile names on purpose: every one must come out escaped.
  static let plan = AnalysisPlan(
    id: "spring-promo", name: "Spring <promo> & \"friends\"", hypothesis: "Bold <b>claims</b> & 'quotes'",
    variants: ["control", "treat\"ment'"], variantDescriptions: ["treat\"ment'": "Free <gift> & more"],
    segments: ["vip<&>", "regular"],
    metrics: [
      AnalysisPlan.Metric(
        name: "converted", kind: .binomial, role: .primary, missing: .zero, description: "Bought <anything>"),
      AnalysisPlan.Metric(name: "revenue", kind: .continuous, role: .secondary),
      AnalysisPlan.Metric(name: "complained", kind: .binomial, role: .guardrail),
    ],
    minimumDetectableEffect: 0.03, baseline: 0.2)

  /// Pre-aggregated data: n, sum and sum of squares per variant × segment.
  static let csv = """
    variant,segment,n,converted_sum,revenue_sum,revenue_sum_sq,complained_sum
    control,"vip<&>",1200,300,36000,1500000,12
    "treat""ment'","vip<&>",1180,345,37500,1620000,15
    control,regular,5000,800,100000,3100000,40
    "treat""ment'",regular,5050,860,104000,3300000,38

    """

  static func analysis() throws -> Analysis {
    let directory = try makeTemporaryDirectory("strata-snapshot")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("spring-promo.csv")
    try csv.write(to: file, atomically: true, encoding: .utf8)
    return try Analyzer(plan: plan).analyze(try DataReader.read(path: file.path, plan: plan))
  }

  static func snapshot(_ name: String, _ actual: String, filePath: String = #filePath) throws {
    let url = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Snapshots/\(name)")
    if ProcessInfo.processInfo.environment["STRATA_RECORD_SNAPSHOTS"] == "1" {
      try actual.write(to: url, atomically: true, encoding: .utf8)
      return
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    #expect(
      actual == expected, "\(name) differs from its snapshot; if intended, re-record with STRATA_RECORD_SNAPSHOTS=1")
  }

  @Test func markdownMatchesSnapshot() throws {
    try Self.snapshot("spring-promo.md", MarkdownReport.render(try Self.analysis()))
  }

  @Test func htmlMatchesSnapshot() throws {
    try Self.snapshot("spring-promo.html", HTMLReport.render(try Self.analysis()))
  }

  @Test func htmlIsWellFormedXML() throws {
    let html = HTMLReport.render(try Self.analysis())
    let parser = XMLParser(data: Data(html.utf8))
    let delegate = ElementCounter()
    parser.delegate = delegate
    let parsed = parser.parse()
    #expect(parsed, "XML parse error: \(parser.parserError.map { "\($0)" } ?? "none") at line \(parser.lineNumber)")
    #expect(delegate.elements["svg", default: 0] >= 2)
    #expect(delegate.elements["table", default: 0] >= 5)
    #expect(delegate.elements["script", default: 0] == 0)
  }

  @Test func userStringsAreEscaped() throws {
    let html = HTMLReport.render(try Self.analysis())
    for raw in ["<promo>", "<b>claims</b>", "vip<&>", "treat\"ment'", "<anything>", "<gift>"] {
      #expect(!html.contains(raw), "unescaped \(raw)")
    }
    #expect(html.contains("Spring &lt;promo&gt; &amp; &quot;friends&quot;"))
    #expect(html.contains("vip&lt;&amp;&gt;"))
    #expect(!html.contains("http://") || !html.contains("<link"))  // nothing fetched from the network
    let markdown = MarkdownReport.render(try Self.analysis())
    #expect(!markdown.contains("<promo>"))
    #expect(markdown.contains("vip&lt;&amp;&gt;"))
  }

  @Test func reportsAreWrittenAtomicallyUnderTheExperimentId() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("strata-reports-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let urls = try ReportWriter.write(try Self.analysis(), to: directory)
    #expect(urls.map(\.lastPathComponent) == ["spring-promo.html", "spring-promo.md", "spring-promo-results.csv"])
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".tmp") }
    #expect(leftovers.isEmpty)
  }
}

final class ElementCounter: NSObject, XMLParserDelegate {
  var elements: [String: Int] = [:]
  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    elements[elementName, default: 0] += 1
  }
}
