import Foundation
import StrataAnalysis
import Testing

@testable import StrataReport
import StrataTestSupport

/// Segment, variant and metric names far wider than a table's column: one long word (an identifier from a
/// warehouse) and a long phrase.
///
/// The HTML snapshots (`long-names.html`, `long-variant-names.html`) are rendered by Scripts/check-reports.sh, which
/// fails when a table scrolls sideways or a table cell breaks a word across lines at any width it checks: a results
/// table with the 91-character name as one unbreakable word was 1,454 px wide in the 1,040 px text column at
/// 1,280 px (its p-values and flags behind a sideways scroll), and with an 84-character variant name 1,366-1,699 px
/// wide, until such words got break opportunities (`HTML.breakable`); the wide forest plot drew that variant name
/// under the intervals until it was shortened to its column.
///
/// Re-record with `STRATA_RECORD_SNAPSHOTS=1 swift test --filter LongNameReportTests` and review.
@Suite("Long names")
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
    let directory = try makeTemporaryDirectory("strata-long")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("long-names.csv")
    try csv.write(to: file, atomically: true, encoding: .utf8)
    return try Analyzer(plan: plan).analyze(try DataReader.read(path: file.path, plan: plan))
  }

  @Test func htmlMatchesSnapshot() throws {
    try ReportSnapshotTests.snapshot("long-names.html", HTMLReport.render(try Self.analysis()))
  }

  static let longVariant = "reminder_progress_with_the_members_own_checkin_streak_and_personal_training_offer_v2"
  static let longMetric = "renewed_within_thirty_days_of_the_reminder_email_annual_membership"
  static let longContinuousMetric = "renewal_revenue_in_euros_net_of_discounts_and_refunds_first_invoice"

  /// Long variant and metric names, with a long segment name, on a 3-look plan at its first look (the look log
  /// names each comparison "variant · segment").
  static let variantPlan: AnalysisPlan = {
    var plan = AnalysisPlan(
      id: "long-variant-names", name: "Long variant and metric names",
      hypothesis: "A variant's or a metric's name of any length fits its table and its chart.",
      variants: ["control", longVariant, "winback_offer"], segments: [longWord, "regular"],
      metrics: [
        AnalysisPlan.Metric(name: longMetric, kind: .binomial, role: .primary, missing: .zero),
        AnalysisPlan.Metric(name: longContinuousMetric, kind: .continuous, role: .secondary),
      ],
      minimumDetectableEffect: 0.03, baseline: 0.2)
    plan.looks = 3
    plan.sequential = SequentialSettings(maximumUnitsPerVariant: 6000)
    return plan
  }()

  static let variantCSV = """
    variant,segment,n,\(longMetric)_sum,\(longContinuousMetric)_sum,\(longContinuousMetric)_sum_sq
    control,\(longWord),1200,240,36000,1500000
    \(longVariant),\(longWord),1210,290,37800,1610000
    winback_offer,\(longWord),1190,262,36500,1540000
    control,regular,2500,400,50000,1550000
    \(longVariant),regular,2520,452,53000,1680000
    winback_offer,regular,2490,410,50500,1570000

    """

  static func variantAnalysis() throws -> Analysis {
    let directory = try makeTemporaryDirectory("strata-long")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("long-variant-names.csv")
    try variantCSV.write(to: file, atomically: true, encoding: .utf8)
    var analysis = try Analyzer(plan: variantPlan).analyze(try DataReader.read(path: file.path, plan: variantPlan))
    var sequentialGuard = SequentialGuard(
      plan: variantPlan, log: try LookLog(url: directory.appendingPathComponent("looks.jsonl")),
      now: Date(timeIntervalSince1970: 1_790_000_000))
    try sequentialGuard.apply(to: &analysis)
    return analysis
  }

  @Test func longVariantNamesMatchSnapshot() throws {
    try ReportSnapshotTests.snapshot("long-variant-names.html", HTMLReport.render(try Self.variantAnalysis()))
  }

  /// The Markdown report of the same plan: its look log is two narrow tables (the looks; each comparison's z per
  /// look), not one column per "variant · segment" comparison.
  @Test func longVariantNamesMarkdownMatchesSnapshot() throws {
    try ReportSnapshotTests.snapshot("long-variant-names.md", MarkdownReport.render(try Self.variantAnalysis()))
  }

  /// A word longer than `HTML.longWord` gets break opportunities after its separators and at least every
  /// `HTML.longestPiece` characters; other text is only escaped, and the text without the `<wbr/>` is unchanged.
  @Test func longWordsGetBreakOpportunities() {
    #expect(HTML.breakable("winback_offer · high <b>") == "winback_offer · high &lt;b&gt;")
    #expect(HTML.breakable("2026-11-22T00:00:00Z") == "2026-11-22T00:00:00Z")
    let name = "z \(Self.longVariant) · \(Self.longWord)"
    let broken = HTML.breakable(name)
    #expect(broken.replacingOccurrences(of: "<wbr/>", with: "") == name)
    #expect(broken.hasPrefix("z reminder_<wbr/>progress_<wbr/>with_<wbr/>"))
    let pieces = broken.split(whereSeparator: { $0.isWhitespace }).flatMap { $0.components(separatedBy: "<wbr/>") }
    #expect(pieces.allSatisfy { $0.count <= HTML.longestPiece }, "\(pieces)")
    let unbroken = String(repeating: "abcdefghij", count: 5)
    #expect(HTML.breakable(unbroken).components(separatedBy: "<wbr/>").map(\.count) == [16, 16, 16, 2])
    #expect(HTML.breakable("a_\(unbroken)&").hasSuffix("ij&amp;"))
  }
}
