/// Categorical features coded as small integers: per feature, levels numbered in UTF-8 byte order of their text
/// (so the coding, and every tie broken by it, depends only on the set of levels); −1 is a missing value.
public struct CategoricalColumns: Sendable, Hashable {
  public let names: [String]
  /// `levels[f][code]`: the text of each level of feature f.
  public let levels: [[String]]
  /// `codes[i * featureCount + f]`.
  public let codes: [Int]
  public let rowCount: Int

  public var featureCount: Int { names.count }

  /// Codes `columns[f][i]` (nil = missing) for the rows `rows`.
  public init(names: [String], columns: [[String?]], rows: [Int]) {
    self.names = names
    var levels: [[String]] = []
    var lookups: [[String: Int]] = []
    for column in columns {
      var seen: [[UInt8]: String] = [:]
      for row in rows { if let text = column[row] { seen[Array(text.utf8)] = text } }
      let sorted = seen.keys.sorted { $0.lexicographicallyPrecedes($1) }
      levels.append(sorted.compactMap { seen[$0] })
      var lookup: [String: Int] = [:]
      for (code, key) in sorted.enumerated() { lookup[String(decoding: key, as: UTF8.self)] = code }
      lookups.append(lookup)
    }
    var codes = [Int](repeating: -1, count: rows.count * columns.count)
    for (position, row) in rows.enumerated() {
      for (f, column) in columns.enumerated() {
        if let text = column[row] { codes[position * columns.count + f] = lookups[f][text] ?? -1 }
      }
    }
    self.levels = levels
    self.codes = codes
    self.rowCount = rows.count
  }

  @inlinable
  public subscript(row: Int, feature: Int) -> Int { codes[row * names.count + feature] }
}
