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
  ///
  /// With `focus` (the characters that tell `text` from the chart's other names, `distinctParts`), a cut keeps them
  /// (`elided(_:keeping:focus:)`).
  static func shortened(
    _ text: String, room: Double, width: (String) -> Double, focus: Range<Int>? = nil
  ) -> String {
    let count = text.count
    guard count > 4, width(text) > room else { return text }
    var low = 4  // kept when no longer cut fits
    var high = count - 1
    while low < high {
      let middle = (low + high + 1) / 2
      if width(elided(text, keeping: middle, focus: focus)) > room { high = middle - 1 } else { low = middle }
    }
    return elided(text, keeping: low, focus: focus)
  }

  /// The characters that tell each of `labels` apart, for those that the chart's plain cut (`shown`) makes look alike.
  ///
  /// From the first character a label shares with no other label's start to the last it shares with no other's end
  /// (character offsets). Labels whose plain cuts differ are not listed, so they are cut as before.
  ///
  /// Names with a long common head and tail (`…_region_01_returning_customers…`, `…_region_02_…`) lost exactly this
  /// part to a cut in the middle, and forty rows of a chart read the same.
  static func distinctParts(_ labels: [String], shown: (String) -> String) -> [String: Range<Int>] {
    let names = Array(Set(labels.filter { !$0.isEmpty }))
    guard names.count > 1 else { return [:] }
    var sameCut: [String: Int] = [:]
    for name in names { sameCut[shown(name), default: 0] += 1 }
    let characters = names.map { Array($0) }
    var parts: [String: Range<Int>] = [:]
    for (index, name) in characters.enumerated() where sameCut[shown(names[index]), default: 0] > 1 {
      var shared = 0
      var sharedEnd = 0
      for (other, otherName) in characters.enumerated() where other != index {
        var prefix = 0
        while prefix < name.count && prefix < otherName.count && name[prefix] == otherName[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < name.count && suffix < otherName.count
          && name[name.count - 1 - suffix] == otherName[otherName.count - 1 - suffix]
        {
          suffix += 1
        }
        shared = max(shared, prefix)
        sharedEnd = max(sharedEnd, suffix)
      }
      let start = min(shared, name.count - 1)
      parts[names[index]] = start..<max(start + 1, min(name.count, name.count - sharedEnd))
    }
    return parts
  }

  /// `elided(_:keeping:)`, unless that cut drops `focus`: then the first and last 4 characters and `count - 8` around
  /// `focus`, "…" wherever characters are left out (`WWM_…house_region_01_returnin…card`).
  static func elided(_ text: String, keeping count: Int, focus: Range<Int>?) -> String {
    let plain = elided(text, keeping: count)
    guard let focus, count >= 12, count < text.count else { return plain }
    let tail = count / 2
    // The plain cut keeps the first `count - tail` characters and the last `tail`: enough when the focus is in either.
    if focus.upperBound <= count - tail || focus.lowerBound >= text.count - tail { return plain }
    let characters = Array(text)
    let edge = 4
    let middle = count - 2 * edge
    let start = min(max(focus.lowerBound - max(0, (middle - focus.count) / 2), edge), characters.count - edge - middle)
    let left = start > edge ? String(characters[..<edge]) + "…" : String(characters[..<start])
    let right =
      start + middle < characters.count - edge
      ? "…" + String(characters[(characters.count - edge)...]) : String(characters[(start + middle)...])
    return left + String(characters[start..<(start + middle)]) + right
  }
}
