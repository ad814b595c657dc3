import Foundation
import StrataAnalysis
import StrataStats
import Testing

@testable import StrataReport

/// Sentences that list segment names (the underpowered segments, a sample ratio mismatch, the segments left out of
/// the partial pooling) stay sentences: a few names within `NumberText.namesBudget` characters and how many more,
/// whatever the number of segments and the length of their names; a handful of short names reads as before.
///
/// Listing up to 30 names whatever their length, check-reports' forty 73-character names made the verdict's
/// underpowered line 2,311 characters and the warning 2,395; a thousand names `seg-1` … `seg-1000`, a warning of 378.
@Suite("Sentences that list segment names")
struct SegmentListSentenceTests {
  /// check-reports' forty-long-names segments: 73 characters each.
  static let longNames = (1...40).map {
    "WWM_Wholesale_Warehouse_region_\(String(format: "%02d", $0))_returning_customers_with_a_loyalty_card"
  }

  @Test func fewShortNamesAreAllListed() {
    #expect(NumberText.names(["north", "south", "vip<&>"]) == "north, south, vip<&>")
    let thirty = (1...30).map { "s\($0)" }
    #expect(NumberText.names(thirty) == thirty.joined(separator: ", "))
    #expect(ReportSegments.listsAll(thirty))
  }

  @Test func longNamesAreCutToTheBudget() {
    #expect(Self.longNames[0].count == 73)
    #expect(NumberText.names(Self.longNames) == "\(Self.longNames[0]) and 39 more")
    #expect(!ReportSegments.listsAll(Self.longNames))
    // A name longer than the budget is kept whole: a cut name could read as another segment's.
    let huge = String(repeating: "x", count: NumberText.namesBudget + 60)
    #expect(NumberText.names([huge]) == huge)
    #expect(NumberText.names([huge, "b", "c"]) == "\(huge) and 2 more")
    // Never "and 1 more": the one name left is given (LongNameReportTests' two long segment names read as before).
    #expect(NumberText.names([huge, "b"]) == "\(huge), b")
    let two = ["north", String(repeating: "y", count: NumberText.namesBudget)]
    #expect(ReportSegments.listsAll(two) && NumberText.names(two) == two.joined(separator: ", "))
    let thirtyOne = (1...31).map { "s\($0)" }
    #expect(NumberText.names(thirtyOne) == thirtyOne.joined(separator: ", "))
  }

  @Test func manyNamesAreCutToTheBudgetAndTheLimit() {
    let thousand = (1...1_000).map { String(format: "seg-%04d", $0) }
    let listed = NumberText.listedNames(thousand)
    #expect(listed == 14)  // 14 × 8 + 13 × 2 = 138 characters
    #expect(NumberText.names(thousand) == thousand.prefix(14).joined(separator: ", ") + " and 986 more")
    let tiny = (1...1_000).map { "\($0 % 10)" }
    #expect(NumberText.listedNames(tiny) == 30, "never more than `limit` names")
    #expect(NumberText.names(tiny).hasSuffix(" and 970 more"))
  }

  /// check-reports' forty-long-names case: every sentence of the verdict and the warnings that names segments is
  /// under 300 characters in the terminal text, the Markdown and the HTML, and the underpowered line says how many,
  /// where each is flagged and the first name.
  @Test func fortyLongNamesReadAsSentences() throws {
    let analysis = try PostStratifiedWeightsTests.analysis(
      PostStratifiedWeightsTests.plan(id: "forty-long-names", name: "Forty long names", segments: Self.longNames))
    let underpowered = try #require(analysis.metrics[0].underpoweredSegments(of: analysis.plan.segments))
    #expect(underpowered == Self.longNames)
    let sentences = (DecisionText.details(analysis) + analysis.warnings).filter { $0.contains("WWM_") }
    #expect(sentences.count >= 2)
    #expect(sentences.allSatisfy { $0.count < 300 }, "\(sentences.map(\.count))")
    #expect(
      DecisionText.details(analysis).contains(
        "Underpowered segments (fewer units than planned): all 40 segments, each flagged in the JSON and the results CSV (\(Self.longNames[0]) and 39 more)."
      ))
    let warning = try #require(analysis.warnings.first { $0.hasPrefix("Underpowered for converted:") })
    #expect(warning.hasPrefix("Underpowered for converted: \(Self.longNames[0]) and 39 more (fewer than the planned"))
    for (name, text) in [
      ("text", AnalysisText.render(analysis)), ("markdown", MarkdownReport.render(analysis)),
    ] {
      let lines = text.components(separatedBy: "\n").filter { $0.contains("Underpowered") }
      #expect(lines.count >= 2, "\(name)")
      #expect(lines.allSatisfy { $0.count < 300 }, "\(name): \(lines.map(\.count))")
    }
    let html = HTMLReport.render(analysis)
    let items = html.components(separatedBy: "<li>").dropFirst().map { $0.components(separatedBy: "</li>")[0] }
      .filter { $0.contains("Underpowered") }
    #expect(items.count == 2)
    #expect(items.allSatisfy { $0.count < 300 }, "\(items.map(\.count))")
  }

  /// Some of the segments: "12 of the 40".
  @Test func someOfManySegmentsSayHowMany() {
    let names = Array(Self.longNames.prefix(12))
    #expect(
      DecisionText.underpoweredSegments(names, of: 40)
        == "Underpowered segments (fewer units than planned): 12 of the 40 segments, each flagged in the JSON and the results CSV (\(names[0]) and 11 more)."
    )
    // Up to `ReportSegments.limit` segments the tables show every one, so the flags are there.
    #expect(
      DecisionText.underpoweredSegments(names, of: ReportSegments.limit)
        == "Underpowered segments (fewer units than planned): 12 of the 30 segments, each flagged in the per-segment results (\(names[0]) and 11 more)."
    )
    #expect(
      DecisionText.underpoweredSegments(["vip<&>"], of: 2)
        == "Underpowered segments (fewer units than planned): vip<&>.")
  }

  /// The best segment's "left out without a test: …" and the sample ratio mismatch's segments use the same list,
  /// in a sentence of its own after the finding: the left-out segments are not among those the Bonferroni
  /// adjustment counts, so they are not in its parenthesis, and the lead stays as short as without them.
  @Test func leftOutAndMismatchedSegmentsAreCut() throws {
    let analysis = try ReportSnapshotTests.analysis()
    var best = try #require(analysis.decision.bestSegment)
    let without = DecisionText.bestSegment(best, binomial: true)
    best.segmentsLeftOut = Self.longNames
    let sentence = DecisionText.bestSegment(best, binomial: true)
    #expect(sentence.hasSuffix(" 40 segments left out without a test: \(Self.longNames[0]) and 39 more."))
    #expect(sentence.hasPrefix(without), "the finding and its qualifier as without left-out segments")
    #expect(!sentence.contains("each;"), "nothing added inside the Bonferroni parenthesis")
    best.segmentsLeftOut = ["north", "south"]
    #expect(
      DecisionText.bestSegment(best, binomial: true) == without + " 2 segments left out without a test: north, south.")
    best.segmentsLeftOut = ["north"]
    #expect(DecisionText.bestSegment(best, binomial: true) == without + " 1 segment left out without a test: north.")
  }
}
