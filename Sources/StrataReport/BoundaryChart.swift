import Foundation
import StrataAnalysis
import StrataStats

/// The inline-SVG boundary chart: each comparison's z by information fraction across the looks, against
/// the planned efficacy boundary and its own boundary at this look.
///
/// x is the information fraction (units so far over the planned maximum per arm), so a comparison that
/// has more units than planned sits right of 100%, where its boundary is the final one. Dots are numbered
/// by comparison (the legend names them) and filled when the comparison crossed its boundary at this
/// look, hollow when not: shape as well as hue.
enum BoundaryChart {
  /// Eight hues, each at least 4.5:1 on white, cycled over the comparisons.
  static let palette = ["#1d4ed8", "#b45309", "#047857", "#7c3aed", "#be185d", "#0e7490", "#4d7c0f", "#9f1239"]

  static func label(_ t: SequentialAnalysis.Trajectory) -> String {
    t.segment.map { "\(t.treatment) · \($0)" } ?? t.treatment
  }

  /// A comparison's name ("variant · segment") in the charts' 262-unit legend: over 26 characters it is
  /// shortened in the middle, so that the segment at its end stays ("question.phot…earn · loyal"; cut at its end
  /// the printed legend of the factorial example read "question.photo.learn · lo…", the segment lost).
  ///
  /// With `focus` (`legendNames`), the cut keeps the spans that tell the name from the legend's others.
  static func legendName(_ name: String, focus: [Range<Int>]? = nil) -> String {
    name.count > 26 ? ForestPlot.elided(name, keeping: 25, focus: focus) : name
  }

  /// The legend's names (`label` of each comparison) as `legendName` cuts them, those that read alike keeping what
  /// tells them apart (`ForestPlot.distinctFocus`): two variants alike but for their middle
  /// (`spring_newsletter_…_variant_A_…`, `_B_`) read `spring_newsle…ning_members` both.
  static func legendNames(_ names: [String]) -> [String] {
    let focus = ForestPlot.distinctFocus(names) { legendName($0, focus: $1) }
    return names.map { legendName($0, focus: focus[$0]) }
  }

  /// The legend's entries as the chart words them (colour, number and comparison, crossed or not), for the
  /// copy a phone shows above the chart: the chart's own legend is at its right edge, off-screen there.
  static func legendEntries(_ s: SequentialAnalysis) -> [(colour: String, text: String)] {
    s.trajectories().enumerated().map { index, t in
      (palette[index % palette.count], "\(index + 1) \(label(t))\(t.crossed ? ": crossed" : "")")
    }
  }

  /// The chart's `<desc>` (what a screen reader reads out): each comparison's line when there are few
  /// (`ChartSummary.describedInFull` or fewer), else how many crossed, the three with the largest |z| and a pointer
  /// to the table above the chart, which lists each comparison's information, z and boundary (14 comparisons:
  /// 1,267 characters before 2026-12-07).
  static func description(_ lines: [String], trajectories: [SequentialAnalysis.Trajectory]) -> String {
    guard lines.count > ChartSummary.describedInFull else { return lines.joined(separator: "; ") }
    let crossed = trajectories.filter(\.crossed).count
    let largest = ChartSummary.ranked(trajectories.map { abs($0.points.last?.z ?? 0) }).prefix(3).map { lines[$0] }
    return
      "\(NumberText.count(lines.count)) comparisons, \(NumberText.count(crossed)) crossed \(crossed == 1 ? "its" : "their") boundary. Largest |z|: \(largest.joined(separator: "; ")). The table above lists each comparison's information, z and boundary."
  }

  static func svg(_ s: SequentialAnalysis, alternative: Alternative) -> String {
    let trajectories = s.trajectories()
    let width = 760.0
    let legendWidth = 262.0
    let left = 44.0
    let plotLeft = left + 16
    let plotRight = width - legendWidth - 16
    let top = 40.0
    let height = max(280.0, top + 22 * Double(trajectories.count) + 40)
    let bottom = height - 40
    let looks = max(s.plannedLooks ?? 1, s.log.map(\.look).max() ?? 1, s.look)
    let fractionOf: (SequentialAnalysis.Trajectory.Point) -> Double = { point in
      point.fraction ?? s.boundaries.first { $0.look == point.look }?.fraction ?? Double(point.look) / Double(looks)
    }
    let observedMax = trajectories.flatMap(\.points).map(fractionOf).filter(\.isFinite).max() ?? 1
    let xLimit = min(max(1.0, observedMax) * 1.06, 3.0)  // beyond 300% the dot is drawn at the edge
    let displayLimit = 6.0  // boundaries beyond this (very early OBF looks) are drawn at the edge
    let observedZ = trajectories.flatMap(\.points).map(\.z)
    let extent = min(
      max(2.5, (s.boundaries.map(\.z) + observedZ.map(abs)).filter(\.isFinite).max() ?? 2.5) * 1.08,
      displayLimit * 1.08)
    let lowest = alternative == .twoSided || observedZ.contains { $0 < 0 } ? -extent : -1.0
    func x(_ fraction: Double) -> Double { plotLeft + (plotRight - plotLeft) * min(max(fraction, 0), xLimit) / xLimit }
    func y(_ z: Double) -> Double {
      let clipped = min(max(z, lowest), extent)
      return bottom - (bottom - top) * (clipped - lowest) / (extent - lowest)
    }
    func f(_ v: Double) -> String { FixedDecimals.format(v, digits: 1) }
    let summary = trajectories.enumerated().map { index, t in
      let last = t.points.last
      let at =
        last.map { "at \(NumberText.percent(fractionOf($0), digits: 0)) information, z = \(NumberText.minus($0.z))" }
        ?? "no look recorded"
      let boundary = t.boundary.map { ", its boundary ±\(NumberText.minus($0))" } ?? ""
      return "\(index + 1) \(label(t)): \(at)\(boundary)\(t.crossed ? ", crossed" : ", not crossed")"
    }
    var out =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"boundary-chart\" style=\"width:100%;max-width:\(Int(width))px;height:auto;display:block\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" aria-labelledby=\"boundary-title boundary-desc\">"
    out +=
      "<title id=\"boundary-title\">\(HTML.escape("z of each comparison by information fraction against the sequential boundaries"))</title>"
    out += "<desc id=\"boundary-desc\">\(HTML.escape(description(summary, trajectories: trajectories)))</desc>"
    out += "<text x=\"\(f(left))\" y=\"16\" class=\"axis-title\">\(HTML.escape("z (variant − control)"))</text>"
    // Beyond the planned maximum: shaded, labelled.
    if xLimit > 1 {
      out +=
        "<rect x=\"\(f(x(1)))\" y=\"\(f(top))\" width=\"\(f(x(xLimit) - x(1)))\" height=\"\(f(bottom - top))\" class=\"band\"/>"
      out +=
        "<text x=\"\(f(x(1) + 4))\" y=\"\(f(bottom - 6))\" class=\"tick\">\(HTML.escape("beyond plan: final look"))</text>"
    }
    var tick = (lowest / 2).rounded(.up) * 2
    while tick <= extent {
      out +=
        "<line x1=\"\(f(left))\" y1=\"\(f(y(tick)))\" x2=\"\(f(plotRight))\" y2=\"\(f(y(tick)))\" class=\"\(tick == 0 ? "zero" : "grid")\"/>"
      out +=
        "<text x=\"\(f(left - 6))\" y=\"\(f(y(tick) + 4))\" class=\"tick\" text-anchor=\"end\">\(NumberText.minus(tick, digits: 0))</text>"
      tick += 2
    }
    let step = xLimit > 2 ? 0.5 : 0.25
    var fraction = 0.0
    while fraction <= xLimit + 1e-9 {
      out +=
        "<text x=\"\(f(x(fraction)))\" y=\"\(f(bottom + 16))\" class=\"tick\" text-anchor=\"middle\">\(NumberText.percent(fraction, digits: 0))</text>"
      fraction += step
    }
    out +=
      "<text x=\"\(f((plotLeft + plotRight) / 2))\" y=\"\(f(bottom + 32))\" class=\"axis-title\" text-anchor=\"middle\">\(HTML.escape("information fraction (units so far / planned maximum per arm)"))</text>"
    out += "<line x1=\"\(f(x(1)))\" y1=\"\(f(top))\" x2=\"\(f(x(1)))\" y2=\"\(f(bottom))\" class=\"separator\"/>"
    if !s.boundaries.isEmpty {
      let sides: [Double] = alternative == .twoSided ? [1, -1] : [1]
      for sign in sides {
        let points = s.boundaries.map { "\(f(x($0.fraction))),\(f(y(sign * $0.z)))" }.joined(separator: " ")
        out += "<polyline points=\"\(points)\" class=\"planned-boundary\"/>"
      }
      for b in s.boundaries {
        out +=
          "<text x=\"\(f(x(b.fraction) + 4))\" y=\"\(f(y(b.z) - 9))\" class=\"tick\">\(HTML.escape("look \(b.look): \(NumberText.minus(b.z))"))</text>"
      }
    }
    let shortNames = legendNames(trajectories.map(label))
    for (index, t) in trajectories.enumerated() {
      let colour = palette[index % palette.count]
      if t.points.count > 1 {
        let line = t.points.map { "\(f(x(fractionOf($0)))),\(f(y($0.z)))" }.joined(separator: " ")
        out += "<polyline points=\"\(line)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\"/>"
      }
      if let boundary = t.boundary, let last = t.points.last {
        let cx = x(fractionOf(last))
        for z in alternative == .twoSided ? [boundary, -boundary] : [boundary] {
          out +=
            "<line x1=\"\(f(cx - 10))\" y1=\"\(f(y(z)))\" x2=\"\(f(cx + 10))\" y2=\"\(f(y(z)))\" stroke=\"\(colour)\" stroke-width=\"3\"/>"
        }
      }
      for point in t.points {
        let current = point.look == s.look
        let cx = x(fractionOf(point))
        let cy = y(point.z)
        let filled = current && t.crossed
        out +=
          "<circle cx=\"\(f(cx))\" cy=\"\(f(cy))\" r=\"\(current ? "5" : "3.5")\" fill=\"\(filled ? colour : "#ffffff")\" stroke=\"\(colour)\" stroke-width=\"2\"/>"
        if current {
          out +=
            "<text x=\"\(f(cx + 7))\" y=\"\(f(cy - 5))\" class=\"dot-label\" fill=\"\(colour)\">\(index + 1)</text>"
        } else {
          out += "<text x=\"\(f(cx))\" y=\"\(f(cy + 14))\" class=\"tick\" text-anchor=\"middle\">L\(point.look)</text>"
        }
      }
      // Legend: number, swatch (filled = crossed), name and the numbers.
      let ly = top + 4 + 22 * Double(index)
      let lx = plotRight + 24
      out +=
        "<circle cx=\"\(f(lx))\" cy=\"\(f(ly))\" r=\"5\" fill=\"\(t.crossed ? colour : "#ffffff")\" stroke=\"\(colour)\" stroke-width=\"2\"/>"
      let short = shortNames[index]
      out +=
        "<text x=\"\(f(lx + 10))\" y=\"\(f(ly + 4))\" class=\"legend\"><tspan class=\"strong\">\(index + 1)</tspan> \(HTML.escape(short + (t.crossed ? ": crossed" : "")))</text>"
    }
    return out + "</svg>"
  }
}
