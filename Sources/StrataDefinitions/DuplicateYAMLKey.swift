import Yams

/// Where a key repeated in a YAML mapping stands, for the one-sentence error about it.
///
/// Yams refuses a mapping with a repeated key while composing, before ``YAMLFields`` sees the tree, and gives
/// only the key and the position of its first occurrence (`YamlError.duplicatedKeysInMapping`, whose own
/// description holds the whole file). The rest is read from the text, for block mappings (the usual layout of
/// a definition): the repeated key is the next line of the same mapping that starts at the first one's
/// column with the same key, and the field path is spelt from the keys and `- ` items the key stands under.
/// A flow mapping (`{a: 1, a: 2}`) gives the first occurrence only.
struct DuplicateYAMLKey {
  /// The repeated key's line and column (1-based, columns in Unicode scalars); nil when not found in the text.
  var line: Int?
  var column: Int?
  /// The first occurrence's line and column (1-based).
  var firstLine: Int
  var firstColumn: Int
  /// The field path of the key (`segments[1].name`), empty when it cannot be spelt.
  var field: String

  init(key: String, first: Mark, in yaml: String) {
    firstLine = first.line
    firstColumn = first.column
    let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      Array((line.last == "\r" ? line.dropLast() : line).unicodeScalars)
    }
    let row = first.line - 1
    let column = first.column - 1
    guard lines.indices.contains(row), column >= 0, column <= lines[row].count else {
      field = ""
      return
    }
    field = Self.path(key: key, row: row, column: column, lines)
    if let repeated = Self.repeatedRow(key: key, after: row, column: column, lines) {
      line = repeated + 1
      self.column = column + 1
    }
  }

  /// The row after `row` of the same block mapping whose key at `column` is `key`.
  private static func repeatedRow(key: String, after row: Int, column: Int, _ lines: [[Unicode.Scalar]]) -> Int? {
    let key = Array(key.unicodeScalars)
    for next in lines.indices.dropFirst(row + 1) {
      guard let lead = contentStart(lines[next]) else { continue }
      if lead < column { return nil }  // the mapping ended
      if lead == column, keyName(lines[next], from: lead) == key { return next }
    }
    return nil
  }

  /// The column of the first character of `line` that is not a space; nil for a blank or comment line.
  private static func contentStart(_ line: [Unicode.Scalar]) -> Int? {
    guard let lead = line.firstIndex(where: { $0 != " " }), line[lead] != "#" else { return nil }
    return lead
  }

  /// The key that starts at `start` of `line` (`key:`, `'key':` or `"key":`), nil when none does.
  private static func keyName(_ line: [Unicode.Scalar], from start: Int) -> [Unicode.Scalar]? {
    guard start < line.count else { return nil }  // e.g. after a lone `-` ending its line
    var end = start
    var key: ArraySlice<Unicode.Scalar>
    if line[start] == "'" || line[start] == "\"" {
      guard let close = line[(start + 1)...].firstIndex(of: line[start]) else { return nil }
      key = line[(start + 1)..<close]
      end = close + 1
    } else {
      while end < line.count, !(line[end] == ":" && (end + 1 == line.count || line[end + 1] == " ")) { end += 1 }
      guard end < line.count else { return nil }
      key = line[start..<end]
      while key.last == " " { key = key.dropLast() }
    }
    while end < line.count, line[end] == " " { end += 1 }
    guard end < line.count, line[end] == ":", end + 1 == line.count || line[end + 1] == " " else { return nil }
    return Array(key)
  }

  /// The field path of the key at `row`, `column`: its parents' keys and the positions of the `- ` items it
  /// stands in, from the indentation of the lines above.
  private static func path(key: String, row: Int, column: Int, _ lines: [[Unicode.Scalar]]) -> String {
    var field = key  // grows from the key up to the top-level key
    var (row, column) = (row, column)
    var sequenceAt: Int?  // the column of the `- ` item just counted, whose parent may stand at that column
    while column > 0 || sequenceAt != nil {
      let before = lines[row][..<column]
      if let dash = before.lastIndex(of: "-"), dash + 1 < column, before[dash + 1] == " ",
        before[..<dash].allSatisfy({ $0 == " " || $0 == "-" })
      {
        var index = 0
        for above in stride(from: row - 1, through: 0, by: -1) {
          guard let lead = contentStart(lines[above]) else { continue }
          if lead < dash { break }
          if lead == dash {
            guard isItem(lines[above], at: lead) else { break }
            index += 1
          }
        }
        field = "[\(index)]" + (field.hasPrefix("[") ? "" : ".") + field
        (column, sequenceAt) = (dash, dash)
        continue
      }
      guard before.allSatisfy({ $0 == " " }) else { return "" }  // a flow collection: not spelt
      var parent: Int?
      for above in stride(from: row - 1, through: 0, by: -1) {
        guard let lead = contentStart(lines[above]) else { continue }
        if lead < column || (lead == column && sequenceAt == column && !isItem(lines[above], at: lead)) {
          parent = above
          break
        }
      }
      guard let parent, let lead = contentStart(lines[parent]) else { return field }  // a top-level sequence
      var start = lead
      while isItem(lines[parent], at: start) {
        start += 1
        while start < lines[parent].count, lines[parent][start] == " " { start += 1 }
      }
      if lead < column && start == column {
        // `- key: …` opening the same mapping inside a sequence item: its `- ` is counted next.
        (row, sequenceAt) = (parent, nil)
        continue
      }
      guard start <= column, let name = keyName(lines[parent], from: start) else { return "" }
      field = String(String.UnicodeScalarView(name)) + (field.hasPrefix("[") ? "" : ".") + field
      (row, column, sequenceAt) = (parent, start, nil)
    }
    return field
  }

  /// Whether `line` has a `- ` item (or a lone `-`) at `column`.
  private static func isItem(_ line: [Unicode.Scalar], at column: Int) -> Bool {
    column < line.count && line[column] == "-" && (column + 1 == line.count || line[column + 1] == " ")
  }
}
