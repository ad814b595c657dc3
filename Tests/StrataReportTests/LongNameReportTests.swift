import Foundation
import StrataAnalysis
import Testing

import StrataReport

/// Segment names far wider than a table's name column: one long word (an identifier from a warehouse) and a long
/// phrase.
///
/// The snapshot (`long-names.html`) is rendered by Scripts/check-reports.sh, which fails when a table scrolls
/// sideways at any width it checks: a results table with the 91-character name as one unbreakable word was
/// 1,454 px wide in the 1,040 px text column at 1,280 px (its p-values and flags behind a sideways scroll) until a
/// row's name could break anywhere.
///
/// Re-record with `STRATA_RECORD_SNAPSHOTS=1 swift test --filter LongNameReportTests` and review.
@Suite("Long segment names")
struct LongNameReportTests {
  static let longWord = "WWM_Wholesale_Warehouse_MW_returning_customers_in_the_north_west_region_with_a_loyalty_card"
  static let longPhrase =
    "Members who renewed last year, train at least twice a week and booked a personal training session"

  static let plan = AnalysisPlan(
    id: "long-names", name: "Long segment names", hypothesis: "A segment's name of any length fits its table.",
    variants: ["control", "winback_offer"], segments: [longWord, longPhrase],
    metrics: [AnalysisPlan.Metric(name: "converted", kind: .binomial, role: .primary, missing: .zero)],
    minimumDetectableEffect: 0.03, baseline: 0.2)

  static let csv = """
    variant,segment,n,converted_sum
    control,\(longWord),1200,240
    winback_offer,\(longWord),1210,282
    control,"\(longPhrase)",900,171
    winback_offer,"\(longPhrase)",910,190

    """

  static func analysis() throws -> Analysis {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("strata-long-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("long-names.csv")
    try csv.write(to: file, atomically: true, encoding: .utf8)
    return try Analyzer(plan: plan).analyze(try DataReader.read(path: file.path, plan: plan))
  }

  @Test func htmlMatchesSnapshot() throws {
    try ReportSnapshotTests.snapshot("long-names.html", HTMLReport.render(try Self.analysis()))
  }
}
