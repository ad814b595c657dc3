import Foundation
import StrataAnalysis
import Testing

@testable import StrataReport
import StrataTestSupport

/// Names alike but for their middle, as each chart that shortens a name draws them: two labels of one chart never
/// read the same when the names differ.
///
/// On main two variants `spring_newsletter_subject_line_test_variant_A_with_emoji_and_a_long_preheader` and `_B_`
/// read `spring_newslet…long_preheader` on every row of the wide forest plot, `spring_news…g_preheader` on the
/// phone's, and `spring_newsle…ning_members` in the legends of the boundary and lift charts (Scripts/check-reports.sh
/// renders the same case and fails on it: CHART_LABELS_JS).
@Suite("Alike names in charts")
struct AlikeNameLabelTests {
  static let variants = ["A", "B"].map {
    "spring_newsletter_subject_line_test_variant_\($0)_with_emoji_and_a_long_preheader"
  }

  /// Two variants with those names and a control, two segments (`segment`, "new_members"), a 3-look plan at its
  /// first look.
  static func analysis(segment: String = "returning_members") throws -> Analysis {
    var plan = AnalysisPlan(
      id: "alike-variant-names", name: "Variant names alike but for their middle",
      hypothesis: "Each variant's name reads apart in every chart.",
      variants: ["control"] + variants, segments: [segment, "new_members"],
      metrics: [AnalysisPlan.Metric(name: "opened", kind: .binomial, role: .primary, missing: .zero)],
      minimumDetectableEffect: 0.02, baseline: 0.2)
    plan.looks = 3
    plan.sequential = SequentialSettings(maximumUnitsPerVariant: 6000)
    let csv = """
      variant,segment,n,opened_sum
      control,\(segment),2400,480
      \(variants[0]),\(segment),2400,528
      \(variants[1]),\(segment),2400,552
      control,new_members,2700,540
      \(variants[0]),new_members,2700,594
      \(variants[1]),new_members,2700,648

      """
    let directory = try makeTemporaryDirectory("strata-alike")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("alike.csv")
    try csv.write(to: file, atomically: true, encoding: .utf8)
    var analysis = try Analyzer(plan: plan).analyze(try DataReader.read(path: file.path, plan: plan))
    var sequentialGuard = SequentialGuard(
      plan: plan, log: try LookLog(url: directory.appendingPathComponent("looks.jsonl")),
      now: Date(timeIntervalSince1970: 1_790_000_000))
    try sequentialGuard.apply(to: &analysis)
    return analysis
  }

  /// The `<svg>` elements of `html` whose class attribute is `className`.
  static func charts(_ className: String, in html: String) -> [String] {
    html.components(separatedBy: "<svg ").dropFirst()
      .filter { $0.prefix { $0 != ">" }.contains("class=\"\(className)\"") }
      .map { String($0.components(separatedBy: "</svg>")[0]) }
  }

  /// Each `<text>` of `svg` whose class starts with `prefix`: its own text and each tspan's (unescaped).
  static func texts(_ prefix: String, in svg: String) -> [(own: String, spans: [String])] {
    svg.components(separatedBy: "<text ").dropFirst().compactMap { element in
      let open = element.prefix { $0 != ">" }
      guard open.contains("class=\"\(prefix)") else { return nil }
      let body = element.dropFirst(open.count + 1).components(separatedBy: "</text>")[0]
      let pieces = body.components(separatedBy: "<tspan")
      let spans = pieces.dropFirst().map { piece in
        unescape(String(piece.drop { $0 != ">" }.dropFirst().prefix { $0 != "<" }))
      }
      let tails = pieces.dropFirst().map { unescape(String($0.components(separatedBy: "</tspan>").last ?? "")) }
      return (unescape(pieces[0]) + tails.joined(), spans)
    }
  }

  static func unescape(_ text: String) -> String {
    text.replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&quot;", with: "\"")
      .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
      .replacingOccurrences(of: "&amp;", with: "&")
  }

  /// The rows of a wide forest plot as drawn: each its segment (the last one written above it) and its variant.
  static func wideRows(_ svg: String) -> [String] {
    var segment = ""
    var rows: [String] = []
    for element in svg.components(separatedBy: "<text ").dropFirst() {
      let open = element.prefix { $0 != ">" }
      let text = unescape(String(element.dropFirst(open.count + 1).prefix { $0 != "<" }))
      if open.contains("class=\"label") {
        if !text.isEmpty { segment = text }
      } else if open.contains("class=\"sublabel\"") {
        rows.append("\(segment) | \(text)")
      }
    }
    return rows
  }

  @Test(
    "the forest plot (wide, phone, printed blocks) and the sequential legends tell A from B",
    arguments: ["returning_members", "members_who_renewed_last_year_and_booked_a_personal_training_session"])
  func alikeVariantNamesReadApart(segment: String) throws {
    let html = HTMLReport.render(try Self.analysis(segment: segment))
    let wide = Self.charts("forest", in: html)
    #expect(!wide.isEmpty)
    for svg in wide {
      let rows = Self.wideRows(svg)
      #expect(rows.count >= 4)
      #expect(Set(rows).count == rows.count, "\(rows)")
      #expect(rows.allSatisfy { $0.contains("_A_") || $0.contains("_B_") }, "\(rows)")
    }
    let phone = try #require(Self.charts("forest phone", in: html).first)
    let phoneRows = Self.texts("label", in: phone).map { "\($0.own) | \($0.spans.joined())" }
    #expect(phoneRows.count == 6)
    #expect(Set(phoneRows).count == phoneRows.count, "\(phoneRows)")
    #expect(phoneRows.allSatisfy { $0.contains("_A_") || $0.contains("_B_") }, "\(phoneRows)")
    ForestPlotPhoneTests.checkFits(phone)
    for className in ["boundary-chart", "lift-chart"] {
      let chart = try #require(Self.charts(className, in: html).first, "\(className)")
      let names = Self.texts("legend", in: chart).map { entry in
        // The name without its number (the tspan) and what follows it (": crossed", ": +2.0 pp").
        let name = entry.own.trimmingCharacters(in: .whitespaces)
        if className == "lift-chart" { return String(name[..<(name.lastIndex(of: ":") ?? name.endIndex)]) }
        return name.hasSuffix(": crossed") ? String(name.dropLast(": crossed".count)) : name
      }
      #expect(names.count == 4)
      #expect(Set(names).count == names.count, "\(className): \(names)")
      // As many characters as the plain cut draws (25 and one "…").
      #expect(names.allSatisfy { $0.count <= 26 }, "\(className): \(names)")
    }
  }

  /// Names alike in two places (a variant's middle and the segment after it) keep both, within the plain cut's
  /// characters; names whose plain cuts differ are cut as before.
  @Test func legendNamesKeepEachDifference() {
    let names = Self.variants.flatMap { variant in ["returning_members", "new_members"].map { "\(variant) · \($0)" } }
    let plain = names.map { BoundaryChart.legendName($0) }
    #expect(Set(plain).count == 2, "\(plain)")
    let shown = BoundaryChart.legendNames(names)
    #expect(Set(shown).count == names.count, "\(shown)")
    #expect(shown.allSatisfy { $0.count <= 26 }, "\(shown)")
    #expect(zip(names, shown).allSatisfy { name, cut in name.contains("_A_") == cut.contains("_A_") }, "\(shown)")
    let apart = ["question.photo.learn · loyal", "question.plain.learn · loyal", "short · new"]
    #expect(BoundaryChart.legendNames(apart) == apart.map { BoundaryChart.legendName($0) })
  }

  /// A legend of a thousand entries alike once cut (a sequential chart has one for each comparison): each name is
  /// compared with its neighbours only (`ForestPlot.rivals`), and the cuts still read apart.
  @Test func manyAlikeLegendNamesReadApart() {
    let names = (0..<1000).flatMap { segment in
      ["variant_A", "variant_B"].map {
        "\($0) · seg_region_\(String(format: "%05d", segment))_returning_customers_with_loyalty"
      }
    }
    #expect(Set(names.map { BoundaryChart.legendName($0) }).count == 2)
    let shown = BoundaryChart.legendNames(names)
    #expect(Set(shown).count == names.count)
    #expect(shown.allSatisfy { $0.count <= 26 })
    let sorted = ["ab", "ac", "bc", "bd"].map { Array($0) }
    #expect(ForestPlot.rivals(among: sorted) == [[1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 1, 2]])
    // x000y099 … x099y000: neighbours in order, then in the order of the reversed names (x000y099's, 990y000x, has
    // x010y089's, 980y010x, beside it), as Python's sorted(key=lambda n: n[::-1]) orders them.
    let many = (0..<100).map { Array(String(format: "x%03dy%03d", $0, 99 - $0)) }
    let neighbours = ForestPlot.rivals(among: many)
    #expect(neighbours[0] == [1, 10] && neighbours[50] == [49, 51, 60, 40], "\(neighbours[0]) \(neighbours[50])")
  }

  /// A cut that keeps two spans draws as many characters as the plain cut, each span whole when the room allows.
  @Test func cutKeepsEverySpan() {
    let text = "abcdefghijklmnopqrstuvwxyz0123456789"
    let plain = ForestPlot.elided(text, keeping: 16)
    let cut = ForestPlot.elided(text, keeping: 16, focus: [10..<11, 24..<26])
    #expect(cut.count == plain.count, "\(cut)")
    #expect(cut.hasPrefix("abcd…") && cut.hasSuffix("…6789"), "\(cut)")
    #expect(cut.contains("k") && cut.contains("yz"), "\(cut)")
    // Spans the plain cut keeps: the plain cut.
    #expect(ForestPlot.elided(text, keeping: 16, focus: [1..<3, 33..<35]) == plain)
    // Both differences of names alike in two places are found.
    var parts: [String: [Range<Int>]] = [:]
    #expect(ForestPlot.refocus(&parts, shown: [("xAyP", "x…"), ("xByP", "x…"), ("xAyQ", "x…")]))
    #expect(parts["xAyP"] == [1..<2, 3..<4])
    #expect(parts["xByP"] == [1..<4])
    #expect(!ForestPlot.refocus(&parts, shown: [("xAyP", "x…"), ("xByP", "x…"), ("xAyQ", "x…")]))
  }
}
