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
  /// With `focus` (the spans that tell `text` from the chart's other names, `distinctParts`), a cut keeps them
  /// (`elided(_:keeping:focus:)`).
  static func shortened(
    _ text: String, room: Double, width: (String) -> Double, focus: [Range<Int>]? = nil
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

  /// The spans that tell each of `labels` apart, for those that the chart's plain cut (`shown`) makes look alike.
  ///
  /// See `refocus`. Labels whose plain cuts differ are not listed, so they are cut as before.
  ///
  /// Names with a long common head and tail (`…_region_01_returning_customers…`, `…_region_02_…`) lost exactly this
  /// part to a cut in the middle, and forty rows of a chart read the same.
  static func distinctParts(_ labels: [String], shown: (String) -> String) -> [String: [Range<Int>]] {
    var parts: [String: [Range<Int>]] = [:]
    _ = refocus(&parts, shown: labels.map { ($0, shown($0)) })
    return parts
  }

  /// The spans that tell `names` apart when each is drawn as `cut` makes it (a name and its spans, nil for the plain
  /// cut): `refocus` on the plain cuts, then on the cuts that keep those spans, until no two names read alike or
  /// for three rounds (a name's spans only grow; the cuts of names never alike are the plain ones).
  static func distinctFocus(
    _ names: [String], cut: (String, [Range<Int>]?) -> String
  ) -> [String: [Range<Int>]] {
    var seen: Set<String> = []
    let unique = names.filter { !$0.isEmpty && seen.insert($0).inserted }
    var parts: [String: [Range<Int>]] = [:]
    for _ in 0..<3 {
      guard refocus(&parts, shown: unique.map { ($0, cut($0, parts[$0])) }) else { break }
    }
    return parts
  }

  /// Adds to `parts` (character offsets, by name) where each name differs from every other name drawn as the same
  /// text in `shown` (a name and a text it is drawn as, a name once or more); true when a name's spans changed.
  ///
  /// Against each such other name, the span from the first character unlike the other's at its place to the
  /// last unlike the other's counted from the end (`differing`); a name's spans merged where they touch. Names
  /// alike in two places keep both: `…_variant_A_… · returning` read as `…_variant_B_… · returning` and as
  /// `…_variant_A_… · new` once cut (the legend of a sequential chart), and one span from the first difference to
  /// the last was longer than the room.
  ///
  /// A group of more than `comparedWithEveryOther` names alike (a sequential chart's legend has an entry for each
  /// comparison, a thousand segments' worth) compares each name only with its neighbours in the order of the names
  /// and in the order of their reversed names: those that share its longest start and its longest end, which
  /// decide where it differs from the others first and last. Against every other name, a 3-look report with 1,000
  /// segments alike but for a number (2,000 legend entries) took 43.9 s instead of main's 12.6 (debug build); so,
  /// 14.1 s.
  static func refocus(_ parts: inout [String: [Range<Int>]], shown: [(name: String, text: String)]) -> Bool {
    var byText: [String: Set<String>] = [:]
    for (name, text) in shown where !name.isEmpty { byText[text, default: []].insert(name) }
    var changed = false
    for alike in byText.values where alike.count > 1 {
      let characters = alike.map { Array($0) }.sorted { $0.lexicographicallyPrecedes($1) }
      let members = characters.map { String($0) }
      let others = rivals(among: characters)
      for (index, name) in members.enumerated() {
        var spans = parts[name] ?? []
        for other in others[index] {
          spans.append(differing(characters[index], characters[other]))
        }
        let merged = merge(spans)
        if merged != (parts[name] ?? []) {
          parts[name] = merged
          changed = true
        }
      }
    }
    return changed
  }

  /// The most alike names a group compares each with all others (`refocus`).
  static let comparedWithEveryOther = 64

  /// For each of `names` (sorted), the others `refocus` tells it from: every other one, or in a group of more than
  /// `comparedWithEveryOther`, its neighbours in that order and in the order of the reversed names.
  static func rivals(among names: [[Character]]) -> [[Int]] {
    guard names.count > comparedWithEveryOther else {
      return names.indices.map { index in names.indices.filter { $0 != index } }
    }
    var out = names.indices.map { index in [index - 1, index + 1].filter { names.indices.contains($0) } }
    let byEnd = names.indices.sorted { names[$0].reversed().lexicographicallyPrecedes(names[$1].reversed()) }
    for (position, index) in byEnd.enumerated() {
      out[index] += [position - 1, position + 1].filter { byEnd.indices.contains($0) }.map { byEnd[$0] }
    }
    return out
  }

  /// Where `name` differs from `other`: from its first character unlike `other`'s at that place to its last one
  /// unlike `other`'s counted from the end, at least one character.
  static func differing(_ name: [Character], _ other: [Character]) -> Range<Int> {
    var prefix = 0
    while prefix < name.count && prefix < other.count && name[prefix] == other[prefix] { prefix += 1 }
    var suffix = 0
    while suffix < name.count && suffix < other.count
      && name[name.count - 1 - suffix] == other[other.count - 1 - suffix]
    {
      suffix += 1
    }
    let start = max(0, min(prefix, name.count - 1))
    return start..<max(start + 1, min(name.count, name.count - suffix))
  }

  /// `spans` in order, those that overlap or touch made one.
  static func merge(_ spans: [Range<Int>]) -> [Range<Int>] {
    var out: [Range<Int>] = []
    for span in spans.sorted(by: { $0.lowerBound < $1.lowerBound }) {
      if let last = out.last, span.lowerBound <= last.upperBound {
        out[out.count - 1] = last.lowerBound..<max(last.upperBound, span.upperBound)
      } else {
        out.append(span)
      }
    }
    return out
  }

  /// `elided(_:keeping:)`, unless that cut drops part of `focus`: then the first and last 4 characters and, of the
  /// rest, each span of `focus` with as many characters around it as the room leaves, "…" wherever characters are
  /// left out (`WWM_…house_region_01_returni…card`, `spri…_A_…returning_m…bers`).
  ///
  /// As many characters and "…" are drawn as in the plain cut (`count` and one): each further "…" takes a
  /// character's place. When the spans are longer than the room, the longest are cut at their end (and spans
  /// beyond one a character are dropped from the last).
  static func elided(_ text: String, keeping count: Int, focus: [Range<Int>]?) -> String {
    let plain = elided(text, keeping: count)
    guard let focus, !focus.isEmpty, count >= 12, count < text.count else { return plain }
    let length = text.count
    let tail = count / 2
    // The plain cut keeps the first `count - tail` characters and the last `tail`: enough when each span is in either.
    if focus.allSatisfy({ $0.upperBound <= count - tail || $0.lowerBound >= length - tail }) { return plain }
    let edge = 4
    var spans = focus.compactMap { span -> Range<Int>? in
      let lower = max(span.lowerBound, edge)
      let upper = min(span.upperBound, length - edge)
      return lower < upper ? lower..<upper : nil
    }
    // The middle's room: `count - 2 * edge` characters, less one for each "…" beyond the plain cut's one.
    var room: Int { count - 2 * edge - spans.count }
    while spans.count > 1 && room < spans.count { spans.removeLast() }
    guard !spans.isEmpty, room > 0 else { return plain }
    var lengths = spans.map(\.count)
    while lengths.reduce(0, +) > room, let longest = lengths.indices.max(by: { lengths[$0] < lengths[$1] }) {
      lengths[longest] -= 1
    }
    var extra = room - lengths.reduce(0, +)
    var kept = [Bool](repeating: false, count: length)
    for index in 0..<edge {
      kept[index] = true
      kept[length - 1 - index] = true
    }
    for (index, span) in spans.enumerated() {
      // The rest of the room shared among the spans, half of a span's share before it.
      let share = extra / (spans.count - index)
      extra -= share
      let window = lengths[index] + share
      let start = max(edge, min(span.lowerBound - share / 2, length - edge - window))
      for position in start..<min(start + window, length - edge) { kept[position] = true }
    }
    var out = ""
    var inGap = false
    for (position, character) in text.enumerated() {
      if kept[position] {
        out.append(character)
        inGap = false
      } else if !inGap {
        out += "…"
        inGap = true
      }
    }
    return out
  }
}
