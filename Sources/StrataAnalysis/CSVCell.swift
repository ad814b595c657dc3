/// A CSV cell for files people open in spreadsheets, under the same formula guard as `strata assign`'s
/// output (``OutputEncoding``): quoted when it holds a comma, quote or line end, and a text cell that
/// starts like a formula (`=`, `+`, `-`, `@`, TAB, CR, or `'`) gets a `'` in front.
package enum CSVCell {
  /// A text cell (names, keys, notes) under the formula guard.
  package static func text(_ text: String) -> String { OutputEncoding.cell(text, raw: false) }

  /// Whether a text cell starting with `byte` is under the formula guard: `=` `+` `-` `@` TAB CR, and `'` itself
  /// (so that the guard's `'` is always removable).
  @inlinable
  package static func startsFormula(_ byte: UInt8) -> Bool {
    byte == 0x3D || byte == 0x2B || byte == 0x2D || byte == 0x40 || byte == 0x09 || byte == 0x0D || byte == 0x27
  }

  /// A cell as RFC 4180 writes it, without the formula guard: quoted, its quotes doubled, when it holds a
  /// comma, a quote, CR or LF; as it is otherwise.
  package static func quoted(_ text: String) -> String {
    guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return text }
    return "\"" + doublingQuotes(text) + "\""
  }

  /// `text` with every `"` doubled (``Swift/String/replacing(ascii:with:)``: a quote followed by a combining mark,
  /// one `Character` that is not `"`, is doubled too, so the cell's quotes balance).
  package static func doublingQuotes(_ text: String) -> String { text.replacing(ascii: "\"", with: "\"\"") }
}

extension String {
  /// This text with each `ascii` scalar replaced by `replacement`.
  ///
  /// Compared byte by byte in UTF-8, where an ASCII character is never part of another scalar, so it finds every
  /// one: `replacingOccurrences(of:with:)` compares `Character`s, and an ASCII character followed by a combining
  /// mark (`"` U+0301, `'` U+0301) is one `Character` that is not it, left as it was, which unbalances a CSV
  /// cell's or a shell word's quotes.
  package func replacing(ascii: Unicode.Scalar, with replacement: String) -> String {
    precondition(ascii.isASCII, "replacing(ascii:with:) replaces an ASCII character")
    let byte = UInt8(ascii.value)
    guard utf8.contains(byte) else { return self }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(utf8.count + 2 * replacement.utf8.count)
    for each in utf8 {
      if each == byte { bytes.append(contentsOf: replacement.utf8) } else { bytes.append(each) }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
