import StrataAssignment

extension AnalysisText {
  /// The narrowest width `wrapped` breaks lines to: a narrower terminal gets lines of this many characters.
  static let narrowestWidth = 40

  /// `line` broken at spaces into lines of at most `width` characters (`narrowestWidth` at least).
  ///
  /// Each line after the first is indented two characters more than `line`'s text starts (under a bullet's text:
  /// "  - " then four spaces); a word longer than that stays whole on a line of its own. A line that fits is
  /// returned as it is.
  ///
  /// The decision's prose ran to 300-500 characters a line, which a terminal wraps mid-word at its edge, each
  /// wrapped part from the left margin. Characters are counted as drawn one column each (CJK names, drawn two
  /// columns wide, break later than they could).
  static func wrapped(_ line: String, width: Int) -> String {
    let width = max(width, narrowestWidth)
    guard line.count > width else { return line }
    let leading = line.prefix { $0 == " " }.count
    let text = line.dropFirst(leading)
    let indent = String(repeating: " ", count: leading + 2)
    var lines: [String] = []
    var current = String(line.prefix(leading))
    var currentHasWord = false
    for word in text.split(separator: " ", omittingEmptySubsequences: false) {
      if currentHasWord && current.count + 1 + word.count > width {
        lines.append(current.trimmingTrailingSpaces)
        // Two spaces in a row where the line breaks: the next line starts at its indent all the same.
        current = indent + word
        currentHasWord = !word.isEmpty
      } else {
        current += (currentHasWord ? " " : "") + word
        currentHasWord = true
      }
    }
    lines.append(current)
    return lines.joined(separator: "\n")
  }
}
