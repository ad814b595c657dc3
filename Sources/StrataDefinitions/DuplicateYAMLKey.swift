import Yams

/// Where a key repeated in a YAML mapping stands, for the one-sentence error about it.
///
/// Yams refuses a mapping with a repeated key while composing, before ``YAMLFields`` sees the tree, and gives
/// only the key and the position of its first occurrence (`YamlError.duplicatedKeysInMapping`, whose own
/// description holds the whole file). The rest comes from the YAML parser itself, not from reading the
/// indentation: the first occurrence is renamed in a copy of the text (a prefix no key of the file starts
/// with, put before its first character, inside its quote when quoted), and so is every other place where a
/// key of that name is written as one (so a key repeated in each of 20,000 segments takes one more compose, not
/// 20,000); any further repeated key the parser then names the same way, for at most a few rounds, until the
/// copy composes. Only the occurrence at the parser's position counts as the first; the others renamed by
/// their text may not be keys at all (a value, a comment), which changes nothing of the structure. The tree
/// then holds the renamed key, so its field path is spelt from the mappings
/// and sequence items it stands in, and the repeated key is the same mapping's next key of that name. Every
/// layout the parser reads gives the same answer: block or flow mappings, a `-` alone on its line, quoted keys.
/// When the renaming does not lead to a tree holding the key unchanged (an anchor or tag before the key,
/// a key that is not a scalar), only the first occurrence is known: never a guessed path.
struct DuplicateYAMLKey {
  /// The repeated key's line and column (1-based, columns in Unicode scalars as the parser counts them);
  /// nil when not found.
  var line: Int?
  var column: Int?
  /// The first occurrence's line and column (1-based).
  var firstLine: Int
  var firstColumn: Int
  /// The field path of the key (`segments[1].name`, `[0].name` in a top-level sequence), empty when it cannot
  /// be spelt.
  var field: String

  /// At most this many rounds of renaming before giving up (each composes the whole file again).
  private static let maximumRounds = 4

  init(key: String, first: Mark, in yaml: String) {
    firstLine = first.line
    firstColumn = first.column
    field = ""
    var copy = RenamedText(yaml)
    var mark = first
    var names = [key]
    for _ in 0..<Self.maximumRounds {
      guard copy.rename(at: mark) else { return }
      for name in names { copy.renameWrittenAsKey(name) }
      do {
        let root = try Yams.compose(yaml: copy.text, .basic)
        guard let root, let found = copy.find(key: key, in: root, nodeBudget: 2 * yaml.utf8.count + 16) else {
          return
        }
        field = found.field
        if let repeated = found.repeated {
          (line, column) = (repeated.line, repeated.column)
        }
        return
      } catch YamlError.duplicatedKeysInMapping(let keys, let context) where !keys.isEmpty && context.mark.line > 0 {
        // Another repeated key (this mapping or another, one the text search did not find): renamed too.
        mark = context.mark
        names = keys
      } catch {
        return
      }
    }
  }
}

/// A copy of a YAML text with keys renamed by a prefix each, and the way back to the original's positions.
private struct RenamedText {
  /// The copy's lines, split at `\n` (a `\r` before it stays on its line, after every column the parser
  /// reports for a key on it).
  private var lines: [[Unicode.Scalar]]
  /// The prefixes put in, by line: (column in the copy, 0-based; length; which prefix), and how many so far.
  private var inserted: [Int: [(column: Int, length: Int, number: Int)]] = [:]
  private var renames = 0
  /// Starts every prefix, which no line of the original holds as written.
  ///
  /// A key may still decode to it (an escape such as `\x7a` in a double-quoted key), so a key counts as
  /// renamed only where a prefix was put.
  private let stem: String

  init(_ yaml: String) {
    // Split as scalars: in a String, "\r\n" is one Character, unequal to "\n".
    lines = yaml.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
    var stem = "zStrataRenamedKey"
    while yaml.contains(stem) { stem += "z" }
    self.stem = stem
  }

  /// The copy as text, line by line then joined (appending scalars to one growing view copied it again and
  /// again: most of 12-15 s of page faults and copying for a 20,000-segment file).
  var text: String {
    lines.map { String(String.UnicodeScalarView($0)) }.joined(separator: "\n")
  }

  /// The prefix of the `number`th renamed key (0 the first occurrence the error named).
  private func prefix(_ number: Int) -> String { "\(stem)\(number)q" }

  /// Puts the next prefix before the key at `mark` (a position in the copy), inside its quote; false when the
  /// mark is not on a character of the copy.
  mutating func rename(at mark: Mark) -> Bool {
    let row = mark.line - 1
    var column = mark.column - 1
    guard lines.indices.contains(row), lines[row].indices.contains(column) else { return false }
    if lines[row][column] == "'" || lines[row][column] == "\"" { column += 1 }
    insertPrefix(row: row, column: column)
    return true
  }

  /// Puts a prefix before every `key` written as a key: at the start of a line or after a space, tab, `-`,
  /// `?`, `{`, `[` or `,`, plain or in quotes, and followed by `:` (after the closing quote and any spaces).
  mutating func renameWrittenAsKey(_ key: String) {
    let name = Array(key.unicodeScalars)
    guard !name.isEmpty else { return }
    let boundary: Set<Unicode.Scalar> = [" ", "\t", "-", "?", "{", "[", ","]
    for row in lines.indices {
      var column = 0
      while column + name.count <= lines[row].count {
        let line = lines[row]
        guard line[column] == name[0], Array(line[column..<column + name.count]) == name else {
          column += 1
          continue
        }
        var before = column - 1
        var after = column + name.count
        let quote: Unicode.Scalar? = before >= 0 && (line[before] == "'" || line[before] == "\"") ? line[before] : nil
        if let quote {
          guard after < line.count, line[after] == quote else {
            column += 1
            continue
          }
          before -= 1
          after += 1
        }
        while after < line.count, line[after] == " " || line[after] == "\t" { after += 1 }
        let renamedHere = (inserted[row] ?? []).contains { $0.column + $0.length == column }
        guard before < 0 || boundary.contains(line[before]), after < line.count, line[after] == ":", !renamedHere
        else {
          column += 1
          continue
        }
        column += insertPrefix(row: row, column: column) + name.count
      }
    }
  }

  /// Puts the next prefix at `column` (0-based) of line `row`; returns its length.
  @discardableResult
  private mutating func insertPrefix(row: Int, column: Int) -> Int {
    let added = Array(prefix(renames).unicodeScalars)
    lines[row].insert(contentsOf: added, at: column)
    var here = inserted[row] ?? []
    for index in here.indices where here[index].column >= column { here[index].column += added.count }
    here.append((column, added.count, renames))
    inserted[row] = here
    renames += 1
    return added.count
  }

  /// The original's line and column of a position in the copy.
  private func original(_ mark: Mark) -> (line: Int, column: Int) {
    let before = (inserted[mark.line - 1] ?? []).filter { $0.column < mark.column - 1 }
    return (mark.line, mark.column - before.reduce(0) { $0 + $1.length })
  }

  /// A key's text with a prefix put in here taken off, and which prefix it was (nil for a key left alone: its
  /// text does not start with a prefix, or no prefix was put at its position `mark` in the copy).
  private func unrenamed(_ text: String, at mark: Mark?) -> (text: String, number: Int?) {
    guard text.hasPrefix(stem), let mark else { return (text, nil) }
    let rest = text.dropFirst(stem.count)
    let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
    guard let number = Int(digits), rest.dropFirst(digits.count).first == "q" else { return (text, nil) }
    // The prefix starts at the key's first character, or just after its opening quote.
    let row = mark.line - 1
    var column = mark.column - 1
    guard lines.indices.contains(row), lines[row].indices.contains(column) else { return (text, nil) }
    if lines[row][column] == "'" || lines[row][column] == "\"" { column += 1 }
    guard (inserted[row] ?? []).contains(where: { $0.column == column && $0.number == number }) else {
      return (text, nil)
    }
    return (String(rest.dropFirst(digits.count + 1)), number)
  }

  /// The field path of the first renamed key and the original position of the next key of its mapping named
  /// `key`; nil when the renamed key is not found as `key`, or the tree is larger than `nodeBudget` nodes
  /// (aliases repeat subtrees; a tree without them has fewer nodes than the text has bytes, about).
  func find(key: String, in root: Node, nodeBudget: Int) -> (field: String, repeated: (line: Int, column: Int)?)? {
    var budget = nodeBudget
    var result: (field: String, repeated: (line: Int, column: Int)?)?
    var failed = false
    // `path` is nil below a key that is not text (no path can be spelt there).
    func visit(_ node: Node, _ path: String?) {
      guard result == nil, !failed else { return }
      budget -= 1
      guard budget >= 0 else {
        failed = true
        return
      }
      switch node {
      case .mapping(let mapping):
        for (keyNode, value) in mapping {
          guard case .scalar(let scalar) = keyNode else {
            visit(keyNode, nil)
            visit(value, nil)
            continue
          }
          let (name, number) = unrenamed(scalar.string, at: scalar.mark)
          let field = path.map { YAMLFields.field($0, key: name) }
          if number == 0 {
            guard name == key else {
              failed = true
              return
            }
            result = (field ?? "", repeatedKey(named: key, in: mapping, after: keyNode.mark))
            return
          }
          visit(value, field)
        }
      case .sequence(let sequence):
        for (index, item) in sequence.enumerated() { visit(item, path.map { YAMLFields.field($0, item: index) }) }
      case .scalar, .alias:
        break
      }
    }
    visit(root, "")
    return failed ? nil : result
  }

  /// The original position of the first key of `mapping` named `key` (renamed or not) after `first`.
  private func repeatedKey(named key: String, in mapping: Node.Mapping, after first: Mark?) -> (
    line: Int, column: Int
  )? {
    guard let first else { return nil }
    var next: Mark?
    for keyNode in mapping.keys {
      guard case .scalar(let scalar) = keyNode, let mark = scalar.mark, unrenamed(scalar.string, at: mark).text == key,
        (mark.line, mark.column) > (first.line, first.column)
      else { continue }
      if let found = next, (found.line, found.column) <= (mark.line, mark.column) { continue }
      next = mark
    }
    return next.map(original)
  }
}
