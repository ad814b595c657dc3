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
  ///
  /// The longest cut that fits is found by halving, not one character at a time (each try measures the whole cut:
  /// an 813-character name took 0.2 s more per report that way). Each shorter cut keeps a subset of a longer one's
  /// characters (`elided` drops them from the middle), so its width is no larger for the monotone widths used here.
  static func shortened(_ text: String, room: Double, width: (String) -> Double) -> String {
    let count = text.count
    guard count > 4, width(text) > room else { return text }
    var low = 4  // kept when no longer cut fits
    var high = count - 1
    while low < high {
      let middle = (low + high + 1) / 2
      if width(elided(text, keeping: middle)) > room { high = middle - 1 } else { low = middle }
    }
    return elided(text, keeping: low)
  }
}
