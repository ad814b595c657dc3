import Foundation
import StrataAnalysis
import Testing

@testable import StrataReport

/// The forest plot laid out for a phone (issue 18: at 390 px the wide chart showed the segment labels and
/// left every estimate, interval and number off-screen at the right): everything drawn within the chart's
/// 330 units, every row's numbers there, the wide chart's range.
@Suite("Forest plot on a phone")
struct ForestPlotPhoneTests {
  /// The numbers of an attribute (`x="12.0"`) in every element of `svg`.
  static func values(_ attribute: String, in svg: String) -> [Double] {
    svg.components(separatedBy: " \(attribute)=\"").dropFirst().compactMap { Double($0.prefix { $0 != "\"" }) }
  }

  /// Every `<text>` element: its x, whether it is anchored at its end, and its text (tspans joined).
  static func texts(in svg: String) -> [(x: Double, end: Bool, text: String)] {
    svg.components(separatedBy: "<text ").dropFirst().map { element in
      let open = element.prefix { $0 != ">" }
      let x = Double(open.components(separatedBy: "x=\"")[1].prefix { $0 != "\"" }) ?? .nan
      let body = element.dropFirst(open.count + 1).components(separatedBy: "</text>")[0]
      let text = body.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
      return (x, open.contains("text-anchor=\"end\""), text)
    }
  }

  static func checkFits(_ phone: String) {
    let width = ForestPlot.phoneWidth
    #expect(phone.contains("viewBox=\"0 0 \(ForestPlot.f(width)) "))
    for attribute in ["x", "x1", "x2", "cx"] {
      for value in Self.values(attribute, in: phone) {
        #expect(value >= 0 && value <= width, "\(attribute)=\(value) outside 0-\(width)")
      }
    }
    for text in Self.texts(in: phone) where !text.text.trimmingCharacters(in: .whitespaces).isEmpty {
      let drawn = ForestPlot.textWidth(text.text, size: 12)
      if text.end {
        #expect(text.x - drawn >= 0, "\"\(text.text)\" starts left of the chart")
      } else if !phone.contains("text-anchor=\"middle\">\(text.text)<") {
        #expect(text.x + drawn <= width + 1, "\"\(text.text)\" ends right of the chart")
      }
    }
  }

  @Test func eightSegmentsWithShrunkenEstimatesFitAPhone() throws {
    let analysis = try ManySegmentReportTests.analysis(segments: 8)
    let metric = try #require(analysis.metrics.first)
    let charts = try #require(ForestPlot.charts(metric, plan: analysis.plan))
    Self.checkFits(charts.phone)
    // Every row's raw numbers and every shrunken estimate's, as in the wide chart.
    let wideValues = charts.whole.components(separatedBy: "class=\"value").count
    #expect(wideValues > 9)
    #expect(charts.phone.components(separatedBy: "class=\"value").count == wideValues + 1)  // + the legend's
    #expect(charts.phone.contains("class=\"mark shrunken\""))
    #expect(
      charts.phone.components(separatedBy: "<circle").count == charts.whole.components(separatedBy: "<circle").count)
    #expect(charts.phone.contains("<desc id=\"forest-converted-phone-desc\">"))
  }

  @Test func aFactorialsManyVariantsFitAPhone() throws {
    let analysis = try FactorialReportTests.analysis()
    for metric in analysis.metrics {
      let charts = try #require(ForestPlot.charts(metric, plan: analysis.plan))
      Self.checkFits(charts.phone)
    }
  }

  @Test func aLongSegmentNameIsShortenedOnThePhoneAndWholeInTheDescription() {
    let long = String(repeating: "north-east-", count: 6) + "end"
    let rows = [
      ForestPlot.Row(
        label: long, sublabel: "reminder_progress_with_streak", estimate: 0.021, lower: -0.004, upper: 0.046,
        significant: false, underpowered: false, pooled: false),
      ForestPlot.Row(
        label: "Pooled", sublabel: "reminder_progress_with_streak", estimate: 0.02, lower: 0.001, upper: 0.04,
        significant: true, underpowered: false, pooled: true),
    ]
    let layout = ForestPlot.Layout(
      metricName: "renewed", axisTitle: "Lift in percentage points (CUPED-adjusted) (variant − control)",
      levelTitle: "estimate [95% CI]", binomial: true, higherIsBetter: true, rowHeight: 28, scale: 100, low: -1,
      high: 5, step: 1, plotLeft: 210, plotRight: 570, sublabelX: 100)
    let phone = ForestPlot.renderPhone(rows, layout: layout, id: "forest-renewed-phone")
    Self.checkFits(phone)
    #expect(phone.contains("…"))
    #expect(!phone.components(separatedBy: "</desc>")[1].contains(long))
    #expect(phone.components(separatedBy: "</desc>")[0].contains(long))
    // The axis title is wrapped, not cut: every word of it is drawn.
    let drawn = Self.texts(in: phone).map(\.text).joined(separator: " ")
    for word in layout.axisTitle.split(separator: " ") { #expect(drawn.contains(word)) }
  }

  @Test func twoLongVariantNamesThatShareTheirStartStayApartOnThePhone() {
    let rows = ["reminder_progress_streak_a", "reminder_progress_streak_b"].map { variant in
      ForestPlot.Row(
        label: "north_east_suburbs", sublabel: variant, estimate: 0.021, lower: -0.004, upper: 0.046,
        significant: false, underpowered: false, pooled: false)
    }
    let room = ForestPlot.phoneWidth - 2 * ForestPlot.phoneMargin
    let fitted = rows.map { ForestPlot.fittedLabel($0, room: room) }
    // Shortened (the line does not hold both names whole), yet each keeps its own end.
    #expect(fitted.allSatisfy { $0.sublabel.contains("…") }, "\(fitted)")
    #expect(fitted[0].sublabel.hasSuffix("_a") && fitted[1].sublabel.hasSuffix("_b"), "\(fitted)")
    #expect(fitted.allSatisfy { ForestPlot.labelWidth($0) <= room }, "\(fitted)")
    #expect(ForestPlot.elided("abcdefgh", keeping: 5) == "abc…gh")
    #expect(ForestPlot.elided("abcd", keeping: 4) == "abcd")
  }

  /// The wide chart's shortening by halving keeps exactly what dropping one character at a time kept: the longest
  /// middle cut that fits, 4 characters at least, the name itself when it fits.
  @Test func shortenedByHalvingKeepsTheLongestCutThatFits() {
    func oneAtATime(_ text: String, room: Double, width: (String) -> Double) -> String {
      var kept = text.count
      while kept > 4 && width(ForestPlot.elided(text, keeping: kept)) > room { kept -= 1 }
      return ForestPlot.elided(text, keeping: kept)
    }
    let pieces = ["a", "W", "i", "_", "é", "東", "京", "🏋️", "x", " ", "m"]
    var generator = SystemRandomNumberGenerator()
    var names = ["", "abc", "abcd", "abcde", LongNameReportTests.longWord, LongNameReportTests.longPhrase]
    for length in [5, 6, 7, 12, 31, 64, 200] {
      for _ in 0..<6 {
        names.append(String((0..<length).map { _ in pieces.randomElement(using: &generator)! }.joined()))
      }
    }
    for name in names {
      for room in [0.0, 20, 40, 57, 100, 160, 233.5, 400, 2000] {
        for width in [ForestPlot.segmentLabelWidth, ForestPlot.variantLabelWidth] {
          let halved = ForestPlot.shortened(name, room: room, width: width)
          #expect(halved == oneAtATime(name, room: room, width: width), "\(name) in \(room)")
        }
      }
    }
  }
  /// Names that share a long head and tail (forty `WWM_Wholesale_Warehouse_region_NN_returning_customers_with_a_loyalty_card`
  /// and `members_who_renewed_last_year_in_region_N_and_booked_a_personal_training_session`): a cut in the middle
  /// dropped `region_NN` and every row of the chart read the same; now each keeps the characters that tell it apart,
  /// in the wide chart and on a phone, within the room.
  @Test func shortenedNamesStayApart() {
    let names =
      (1...30).map {
        "WWM_Wholesale_Warehouse_region_\(String(format: "%02d", $0))_returning_customers_with_a_loyalty_card"
      }
      + (1...10).map { "members_who_renewed_last_year_in_region_\($0)_and_booked_a_personal_training_session" }
    let room = 180.0
    let parts = ForestPlot.distinctParts(names) {
      ForestPlot.shortened($0, room: room, width: ForestPlot.segmentLabelWidth)
    }
    let wide = names.map { ForestPlot.shortened($0, room: room, width: ForestPlot.segmentLabelWidth, focus: parts[$0]) }
    #expect(Set(wide).count == names.count, "\(wide)")
    #expect(wide.allSatisfy { ForestPlot.segmentLabelWidth($0) <= room }, "\(wide)")
    #expect(wide[0].contains("_01_") && wide[29].contains("_30_"), "\(wide)")
    // Without the focus the cut is the plain one, which reads the same for all thirty.
    let plain = names.prefix(30).map { ForestPlot.shortened($0, room: room, width: ForestPlot.segmentLabelWidth) }
    #expect(Set(plain).count == 1, "\(plain)")
    let phoneRoom = ForestPlot.phoneWidth - 2 * ForestPlot.phoneMargin
    let phoneParts = ForestPlot.distinctParts(names) { name in
      ForestPlot.fittedLabel(
        ForestPlot.Row(
          label: name, sublabel: "v1", estimate: 0.01, lower: -0.01, upper: 0.03, significant: false,
          underpowered: false, pooled: false),
        room: phoneRoom
      ).label
    }
    // Names whose plain cuts differ keep them.
    #expect(ForestPlot.distinctParts(["a_long_name_one", "another"]) { $0 } == [:])
    let phone = names.map { name in
      ForestPlot.fittedLabel(
        ForestPlot.Row(
          label: name, sublabel: "v1", estimate: 0.01, lower: -0.01, upper: 0.03, significant: false,
          underpowered: false, pooled: false),
        room: phoneRoom, focus: phoneParts[name])
    }
    #expect(Set(phone.map(\.label)).count == names.count, "\(phone)")
    #expect(phone.allSatisfy { ForestPlot.labelWidth($0) <= phoneRoom }, "\(phone)")
    // A name that fits, or one whose plain cut keeps its distinct part, is as before.
    #expect(
      ForestPlot.elided("abcdefghijklmnop", keeping: 12, focus: [0..<2])
        == ForestPlot.elided("abcdefghijklmnop", keeping: 12))
    #expect(ForestPlot.elided("abcd", keeping: 12, focus: [1..<2]) == "abcd")
  }
}
