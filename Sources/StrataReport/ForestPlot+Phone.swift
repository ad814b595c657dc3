import Foundation
import StrataStats

/// The forest plot laid out for a phone: the whole chart within a 360 px screen, no sideways scroll.
///
/// At 390 px the wide chart (760 units, its text at 12 px) showed only its segment labels; the estimates,
/// intervals and numbers were off-screen to the right. Here each row's segment and variant stand on a line of
/// their own above the row, its numbers on the next (the raw estimate at the left, the shrunken one at the
/// right, or on a line of their own when both do not fit), and the bars use the chart's full width, on the
/// wide chart's range with fewer ticks. Shown instead of the wide chart on screens of 800 px and below
/// (`.forest-phone`, at most 420 px wide), where the wide chart's text would scale below 11 px.
extension ForestPlot {
  /// The phone chart's width in units: drawn at the width of the text column (362 px at 390), at least this
  /// wide (a 360 px phone's column: 332 px), so that 12-unit text is never under 12 px.
  static let phoneWidth = 330.0

  /// The left and right margin of the phone chart's text.
  static let phoneMargin = 8.0

  /// The phone chart of these rows, on `layout`'s range.
  static func renderPhone(_ rows: [Row], layout: Layout, id: String) -> String {
    let binomial = layout.binomial
    let scale = layout.scale
    let width = phoneWidth
    let margin = phoneMargin
    let step = ChartScale.niceStep((layout.high - layout.low) / 4)
    let low = (layout.low / step).rounded(.down) * step
    let high = (layout.high / step).rounded(.up) * step
    var ticks: [Double] = []
    var tick = low
    while tick <= high + step / 2 {
      ticks.append(tick)
      tick += step
    }
    // The scale inset by half the widest tick label, so that the end labels stay inside the chart.
    let inset = max(14, (ticks.map { textWidth(ChartScale.differenceLabel($0, step), size: 12) }.max() ?? 0) / 2 + 4)
    let x = { (value: Double) in inset + (value * scale - low) / (high - low) * (width - 2 * inset) }
    let room = width - 2 * margin
    let paired = rows.contains { $0.shrunken != nil }
    let raw = rows.map { row in
      "\(row.significant ? (row.estimate > 0 ? "▲ " : "▼ ") : "")\(NumberText.effect(row.estimate, binomial: binomial)) \(NumberText.interval(row.lower, row.upper, binomial: binomial))"
    }
    let shrunkenNumbers = rows.map { row in
      row.shrunken.map {
        "\(NumberText.effect($0.estimate, binomial: binomial)) \(NumberText.interval($0.lower, $0.upper, binomial: binomial))"
      }
    }
    // Names whose cuts read alike keep what tells them apart (`refocus`): segments and variants, as the rows draw
    // them (a row's cut depends on both its names), until no two read alike or for three rounds.
    var labels = rows.map { fittedLabel($0, room: room) }
    var segmentFocus: [String: [Range<Int>]] = [:]
    var variantFocus: [String: [Range<Int>]] = [:]
    for _ in 0..<3 {
      let segments = refocus(&segmentFocus, shown: rows.indices.map { (rows[$0].label, labels[$0].label) })
      let variants = refocus(&variantFocus, shown: rows.indices.map { (rows[$0].sublabel, labels[$0].sublabel) })
      guard segments || variants else { break }
      labels = rows.map {
        fittedLabel($0, room: room, focus: segmentFocus[$0.label], sublabelFocus: variantFocus[$0.sublabel])
      }
    }
    // One layout for every row: the raw and shrunken numbers on one line when every row's fit (the shrunken
    // ones marked by the square of the legend above), or else the shrunken ones on a line of their own
    // ("shrunken …"); without a shrunken estimate, the numbers at the right of the label line when every
    // row's fit.
    let numbersOnOneLine = rows.indices.allSatisfy { index in
      textWidth(raw[index], size: 12) + 16 + (shrunkenNumbers[index].map { textWidth("■ " + $0, size: 12) } ?? 0)
        <= room
    }
    let shrunken = shrunkenNumbers.map { numbers in numbers.map { (numbersOnOneLine ? "■ " : "shrunken ") + $0 } }
    let numbersBesideLabel =
      !paired
      && rows.indices.allSatisfy { index in
        labelWidth(labels[index]) + 16 + textWidth(raw[index], size: 12) <= room
      }

    let title = wrap(layout.axisTitle, room: room, size: 12) + wrap(layout.levelTitle, room: room, size: 12)
    var body = ""
    for (index, line) in title.enumerated() {
      body +=
        "<text x=\"\(f(margin))\" y=\"\(f(16 + Double(index) * 16))\" class=\"axis-title\">\(HTML.escape(line))</text>"
    }
    var topTicks = 16 + Double(title.count) * 16 + 4
    if paired {
      // Which mark is which: the wide chart's "shrunken" beside each blue number says it, here the legend.
      body +=
        "<text x=\"\(f(margin))\" y=\"\(f(topTicks - 4))\" class=\"legend\">● raw<tspan class=\"value shrunken\" dx=\"12\">■ shrunken (partially pooled)</tspan></text>"
      topTicks += 16
    }
    let rowsTop = topTicks + 10
    // The rows, top to bottom; the bands and the grid are drawn under them once their extent is known.
    var marks = ""
    var bands = ""
    // The bars' extent per row: the grid and the zero line are drawn there only, not through the text.
    var barSpans: [(top: Double, bottom: Double)] = []
    var y = rowsTop
    for (index, row) in rows.enumerated() {
      if row.pooled && (index == 0 || !rows[index - 1].pooled) {
        y += 10
        marks +=
          "<line x1=\"\(f(margin))\" y1=\"\(f(y - 6))\" x2=\"\(f(width - margin))\" y2=\"\(f(y - 6))\" class=\"separator\"/>"
      }
      let rowTop = y
      let labelLine = y + 16
      marks +=
        "<text x=\"\(f(margin))\" y=\"\(f(labelLine))\" class=\"label\(row.pooled ? " strong" : "")\">\(HTML.escape(labels[index].label))<tspan class=\"sublabel\" dx=\"8\">\(HTML.escape(labels[index].sublabel))</tspan></text>"
      let numbersLine = numbersBesideLabel ? labelLine : labelLine + 17
      let strong = row.pooled ? " strong" : ""
      marks +=
        numbersBesideLabel
        ? "<text x=\"\(f(width - margin))\" y=\"\(f(numbersLine))\" class=\"value\(strong)\" text-anchor=\"end\">\(HTML.escape(raw[index]))</text>"
        : "<text x=\"\(f(margin))\" y=\"\(f(numbersLine))\" class=\"value\(strong)\">\(HTML.escape(raw[index]))</text>"
      var shrunkenLine = numbersLine
      if let text = shrunken[index] {
        if !numbersOnOneLine { shrunkenLine += 17 }
        marks +=
          "<text x=\"\(f(width - margin))\" y=\"\(f(shrunkenLine))\" class=\"value shrunken\" text-anchor=\"end\">\(HTML.escape(text))</text>"
      }
      let barY = shrunkenLine + 13
      marks += intervalAndMark(row, y: barY, higherIsBetter: layout.higherIsBetter, x: x)
      var rowBottom = barY + 10
      if let s = row.shrunken {
        let sy = barY + 14
        marks +=
          "<line x1=\"\(f(x(s.lower)))\" y1=\"\(f(sy))\" x2=\"\(f(x(s.upper)))\" y2=\"\(f(sy))\" class=\"ci shrunken\"/>"
        marks +=
          "<rect x=\"\(f(x(s.estimate) - 4.5))\" y=\"\(f(sy - 4.5))\" width=\"9\" height=\"9\" class=\"mark shrunken\"/>"
        rowBottom = sy + 10
      } else if paired && !row.pooled {
        rowBottom = barY + 24
      }
      barSpans.append((barY - 10, rowBottom))
      if index % 2 == 0 {
        bands +=
          "<rect x=\"0\" y=\"\(f(rowTop))\" width=\"\(f(width))\" height=\"\(f(rowBottom - rowTop))\" class=\"band\"/>"
      }
      y = rowBottom
    }
    let rowsBottom = y + 4
    var grid = ""
    let vertical = { (tx: Double, kind: String) in
      barSpans.map {
        "<line x1=\"\(f(tx))\" y1=\"\(f($0.top))\" x2=\"\(f(tx))\" y2=\"\(f($0.bottom))\" class=\"\(kind)\"/>"
      }.joined()
    }
    for tick in ticks {
      let tx = x(tick / scale)
      grid += vertical(tx, "grid")
      for ty in [topTicks, rowsBottom + 16] {
        grid +=
          "<text x=\"\(f(tx))\" y=\"\(f(ty))\" class=\"tick\" text-anchor=\"middle\">\(HTML.escape(ChartScale.differenceLabel(tick, step)))</text>"
      }
    }
    grid += vertical(x(0), "zero")
    let height = rowsBottom + 24
    var out =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"forest phone\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\">"
    out +=
      "<title id=\"\(id)-title\">\(HTML.escape("Forest plot of the lift in \(layout.metricName) per segment"))</title>"
    out += "<desc id=\"\(id)-desc\">\(HTML.escape(description(rows, binomial: binomial)))</desc>"
    return out + body + bands + grid + marks + "</svg>"
  }

  /// A row's segment and variant, shortened with "…" in the middle (variant first) when both do not fit on
  /// the line, so that names differing only at their end (`…streak_a`, `…streak_b`) still read apart; the
  /// results table keeps them whole.
  ///
  /// With `focus` and `sublabelFocus` (`refocus`), the segment's and the variant's cuts keep the spans that tell
  /// them from the chart's others, and each is cut no shorter than keeps its spans (`keptAtLeast`) before the
  /// other is cut down to that: then both down to 4 characters, as without.
  static func fittedLabel(
    _ row: Row, room: Double, focus: [Range<Int>]? = nil, sublabelFocus: [Range<Int>]? = nil
  ) -> (label: String, sublabel: String) {
    var labelKept = row.label.count
    var sublabelKept = row.sublabel.count
    let labelFloor = keptAtLeast(row.label, focus: focus)
    let sublabelFloor = keptAtLeast(row.sublabel, focus: sublabelFocus)
    var fitted: (label: String, sublabel: String) {
      (
        elided(row.label, keeping: labelKept, focus: focus),
        elided(row.sublabel, keeping: sublabelKept, focus: sublabelFocus)
      )
    }
    while labelWidth(fitted) > room {
      if sublabelKept > sublabelFloor {
        sublabelKept -= 1
      } else if labelKept > labelFloor {
        labelKept -= 1
      } else if sublabelKept > 4 {
        sublabelKept -= 1
      } else if labelKept > 4 {
        labelKept -= 1
      } else {
        break
      }
    }
    return fitted
  }

  /// The fewest characters of `text` a cut keeps with `focus` whole (`elided(_:keeping:focus:)`: 4 at each end, the
  /// spans, a character for each further "…", and 12 at least); 4 without a focus.
  static func keptAtLeast(_ text: String, focus: [Range<Int>]?) -> Int {
    guard let focus, !focus.isEmpty else { return 4 }
    return min(text.count, max(12, focus.reduce(0) { $0 + $1.count } + 8 + focus.count))
  }

  /// `text` with `count` of its characters kept, the first half and the last, "…" in place of the rest.
  static func elided(_ text: String, keeping count: Int) -> String {
    guard count < text.count else { return text }
    let end = count / 2
    return String(text.prefix(count - end)) + "…" + String(text.suffix(end))
  }

  /// The width of a row's label line: the segment in bold 13-unit text, a gap, the variant in 12.
  static func labelWidth(_ label: (label: String, sublabel: String)) -> Double {
    textWidth(label.label, size: 13) * 1.08 + 8 + textWidth(label.sublabel, size: 12)
  }

  /// `text` as lines that fit `room` at `size`, broken at spaces.
  static func wrap(_ text: String, room: Double, size: Double) -> [String] {
    var lines: [String] = []
    for word in text.split(separator: " ") {
      if let last = lines.last, textWidth(last + " " + word, size: size) <= room {
        lines[lines.count - 1] = last + " " + word
      } else {
        lines.append(String(word))
      }
    }
    return lines
  }

  /// About how wide `text` draws at `size` in a sans-serif system font.
  ///
  /// Arial's advance widths, by class of character, 10% added for the wider system fonts of phones: enough to
  /// choose a layout, not to place text. Counted per character as drawn (an emoji of several code points is one glyph): CJK, Hangul and full-width
  /// forms 1 em, an emoji 1.25 em (Chromium's measures with WenQuanYi Micro Hei and Noto Color Emoji: 0.999 and
  /// 1.247 em; counted as letters, a CJK segment name ran 60 units past the phone chart), "…" 1 em.
  static func textWidth(_ text: String, size: Double) -> Double {
    var em = 0.0
    for character in text { em += advance(character) }
    return em * size * 1.1
  }

  /// One character's advance width in em (`textWidth`).
  static func advance(_ character: Character) -> Double {
    let scalars = character.unicodeScalars
    guard let scalar = scalars.first else { return 0 }
    if scalars.contains(where: { $0.properties.isEmojiPresentation || $0 == "\u{FE0F}" }) { return 1.25 }
    switch scalar.value {
    case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
      0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
      return 1
    default: break
    }
    switch scalar {
    case "0"..."9", "+", "−", "±", "=", "<", ">", "_": return 0.584
    case " ", ".", ",", ":", ";", "[", "]", "(", ")", "i", "j", "l", "f", "t", "I", "!", "'", "|", "/": return 0.278
    case "-", "r": return 0.333
    case "…": return 1
    case "W": return 0.944
    case "m", "w", "M", "%", "@": return 0.889
    case "A"..."Z", "▲", "▼", "·", "&": return 0.722
    default: return 0.556
    }
  }
}
