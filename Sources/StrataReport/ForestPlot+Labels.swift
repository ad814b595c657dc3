/// The wide chart's names: how wide they are taken to draw, and shortened to fit their column.
extension ForestPlot {
  /// How wide a segment's name is taken to draw in the wide chart (bold, 13 units): 8 units a character, or its
  /// estimated width (Arial's, `textWidth` without its 10%) when wider (capitals, CJK, emoji: a CJK segment name
  /// ran into the variant's column).
  static func segmentLabelWidth(_ text: String) -> Double {
    max(8 * Double(text.count), textWidth(text, size: 13) * 1.08 / 1.1)
  }

  /// How wide a variant's name is taken to draw in the wide chart (12 units): 7 units a character, or its
  /// estimated width when wider.
  static func variantLabelWidth(_ text: String) -> Double {
    max(7 * Double(text.count), textWidth(text, size: 12) / 1.1)
  }

  /// `text` shortened in its middle with "…" (`elided`, at least 4 characters kept) until `width` of it is
  /// within `room`; `text` itself when it fits.
  static func shortened(_ text: String, room: Double, width: (String) -> Double) -> String {
    var kept = text.count
    while kept > 4 && width(elided(text, keeping: kept)) > room { kept -= 1 }
    return elided(text, keeping: kept)
  }
}
