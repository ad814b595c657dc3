/// Text from users' files and flags made safe to show: on a terminal, in a Markdown report, in an error
/// message.
///
/// Goals, in priority order:
/// 1. Nothing from the input can drive the terminal or reorder what is shown: C0 controls (U+0000–001F),
///    DEL, C1 controls (U+0080–009F) and the bidirectional embeddings, overrides and isolates
///    (U+202A–202E, U+2066–2069) are written as visible escapes (`\u{1B}`, `\n`, `\t`, `\r`).
/// 2. A value echoed in a message stays short: a 4 MB "header" is shown as its first ~200 characters and
///    how many more there were.
/// 3. Ordinary text, including any other non-ASCII letter, is shown as written.
public enum DisplayText {
  /// Values echoed in messages are cut after this many characters.
  public static let echoLimit = 200

  /// Whether `scalar` must not reach a terminal or a document raw.
  @inlinable
  public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: return true
    default: return false
    }
  }

  /// `text` with every unsafe scalar escaped; `keeping` lists controls that pass through (a text
  /// renderer's own line breaks).
  public static func escaped(_ text: String, keeping kept: Set<Unicode.Scalar> = []) -> String {
    guard text.unicodeScalars.contains(where: { isUnsafe($0) && !kept.contains($0) }) else { return text }
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      guard isUnsafe(scalar), !kept.contains(scalar) else {
        out.append(scalar)
        continue
      }
      let escape: String
      switch scalar {
      case "\n": escape = "\\n"
      case "\r": escape = "\\r"
      case "\t": escape = "\\t"
      default: escape = "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
      }
      out.append(contentsOf: escape.unicodeScalars)
    }
    return String(out)
  }

  /// An echoed value: escaped, and cut after `limit` characters with a note of how many were left out.
  public static func echo(_ text: String, limit: Int = echoLimit) -> String {
    let safe = escaped(text)
    guard safe.count > limit else { return safe }
    let kept = safe.prefix(limit)
    return kept + "… (\(safe.count - kept.count) more characters)"
  }

  /// Names echoed as a list (`a, b, c`), cut after `limit` characters in all with a note of how many names
  /// were left out.
  public static func list(_ names: [String], limit: Int = echoLimit) -> String {
    var out = ""
    for (index, name) in names.enumerated() {
      let item = (index == 0 ? "" : ", ") + escaped(name)
      if out.count + item.count > limit {
        if index == 0 { return echo(name, limit: limit) + (names.count > 1 ? " and \(names.count - 1) more" : "") }
        return out + " and \(names.count - index) more"
      }
      out += item
    }
    return out
  }
}
