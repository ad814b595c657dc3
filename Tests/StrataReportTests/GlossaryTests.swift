import StrataAnalysis
import StrataReport
import Testing

/// Each report's glossary explains the terms that report uses, and no others.
@Suite("Per-report glossary")
struct GlossaryTests {
  static func terms(_ analysis: Analysis) -> [String] { ReportTables.glossary(for: analysis).map(\.0) }

  @Test func fixedHorizonHasNoSequentialOrFactorialTerms() throws {
    let terms = Self.terms(try ReportSnapshotTests.analysis())
    #expect(terms.contains("Lift"))
    #expect(terms.contains("Mantel–Haenszel (MH), CMH"))
    for absent in ["Information fraction", "Look, boundary", "Repeated confidence interval", "Factor, level, cell"] {
      #expect(!terms.contains(absent), "\(absent)")
    }
  }

  @Test func sequentialLookExplainsItsTerms() throws {
    let analysis = try SequentialReportSnapshotTests.analysis()
    let terms = Self.terms(analysis)
    for present in ["Look, boundary", "Information fraction", "Spending (obf)", "Always-valid p-value and interval"] {
      #expect(terms.contains(present), "\(present)")
    }
    #expect(!terms.contains("Šidák simultaneous interval"))
    // The Markdown and HTML glossaries are this list.
    let markdown = MarkdownReport.render(analysis)
    let html = HTMLReport.render(analysis)
    for term in terms {
      #expect(markdown.contains("- **\(term)**: "), "\(term)")
      #expect(html.contains("<dt>\(term.replacingOccurrences(of: "\"", with: "&quot;"))</dt>"), "\(term)")
    }
  }

  @Test func factorialExplainsItsTerms() throws {
    let terms = Self.terms(try FactorialReportTests.analysis())
    for present in ["Factor, level, cell", "Main effect, interaction", "ANOVA (Type III), HC1"] {
      #expect(terms.contains(present), "\(present)")
    }
    #expect(!terms.contains("Information fraction"))
  }

  @Test func termsAreUnique() throws {
    for analysis in [
      try ReportSnapshotTests.analysis(), try SequentialReportSnapshotTests.analysis(),
      try FactorialReportTests.analysis(),
    ] {
      let terms = Self.terms(analysis)
      #expect(Set(terms).count == terms.count)
    }
  }
}
