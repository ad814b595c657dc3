/// A CSV cell for files people open in spreadsheets, under the same formula guard as `strata assign`'s
/// output (``OutputEncoding``): quoted when it holds a comma, quote or line end, and a text cell that
/// starts like a formula (`=`, `+`, `-`, `@`, TAB, CR, or `'`) gets a `'` in front.
package enum CSVCell {
  /// A text cell (names, keys, notes) under the formula guard.
  package static func text(_ text: String) -> String { OutputEncoding.cell(text, raw: false) }
}
