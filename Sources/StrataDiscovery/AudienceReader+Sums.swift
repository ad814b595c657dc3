import StrataAnalysis

/// Per segment and numeric feature (and, last, over all the segments), the sum and count of the values present,
/// each sum taken in row order: what the segment means are made of.
struct FeatureSums {
  var sums: [Double]
  var counts: [Int]

  init(segments k: Int, features d: Int) {
    sums = [Double](repeating: 0, count: (k + 1) * d)
    counts = [Int](repeating: 0, count: (k + 1) * d)
  }

  /// Adds one unit's values (`value(f)`, NaN when missing) to its segment and to the total.
  @inline(__always)
  mutating func add(segment: Int, total k: Int, features d: Int, _ value: (Int) -> Double) {
    for f in 0..<d {
      let x = value(f)
      guard !x.isNaN else { continue }
      sums[segment * d + f] += x
      counts[segment * d + f] += 1
      sums[k * d + f] += x
      counts[k * d + f] += 1
    }
  }

  /// From values in memory: `values` row after row, the row `rows[i]` in segment `rank[labels[i]]` of
  /// `rank.count`.
  static func of(_ values: [Double], features d: Int, rows: RowSelection, labels: [UInt8], rank: [Int]) -> FeatureSums {
    let k = rank.count
    var result = FeatureSums(segments: k, features: d)
    values.withUnsafeBufferPointer { v in
      for position in 0..<rows.count {
        let index = rows[position]
        result.add(segment: rank[Int(labels[position])], total: k, features: d) { v[index * d + $0] }
      }
    }
    return result
  }
}

/// The rows of an audience that were clustered, in order: every row (nothing held), or a list.
struct RowSelection {
  let count: Int
  private let rows: [Int]?

  /// The listed rows (increasing), or with nil the first `count` rows.
  init(_ rows: [Int]?, count: Int) {
    precondition(rows.map { $0.count == count } ?? true, "count")
    self.count = count
    self.rows = rows
  }

  /// The audience row of the `position`-th clustered unit.
  subscript(position: Int) -> Int { rows?[position] ?? position }

  /// The rows as a list.
  var array: [Int] { rows ?? Array(0..<count) }
}

extension AudienceReader {
  /// The same sums as ``FeatureSums/of(_:features:rows:labels:rank:)``, from the file the audience was read
  /// from.
  ///
  /// Its kept records (`rows[i]` counting them) are read again, in order, and their numbers parsed as the
  /// first time. The file must not have changed (its identity, the header, each record's field count and every cell
  /// are checked again; the header is read by the same lookup as the first time).
  static func featureSums(
    _ source: AudienceSource, numeric: [String], unitColumn: String, rows: RowSelection, labels: [UInt8], rank: [Int]
  ) throws(DiscoveryError) -> FeatureSums {
    let k = rank.count
    let path = source.path
    let changed = DiscoveryError(
      file: path, field: "", message: "the file changed while it was read; run the command again")
    guard FileIdentity.of(path) == source.identity else { throw changed }
    let d = numeric.count
    var result = FeatureSums(segments: k, features: d)
    var columns: (unit: Int, numeric: [Int], categorical: [Int], count: Int)?
    var record = 0
    var keptRow = 0
    var position = 0
    var values = [Double](repeating: 0, count: d)
    do {
      var scanner = try CSVScanner(path: path)
      defer { scanner.close() }
      try scanner.forEachRecord { fields in
        if fields.isBlank { return true }
        guard let known = columns else {
          columns = try header(fields, path: path, unit: unitColumn, numeric: numeric, categorical: [], again: true)
          return true
        }
        guard fields.fieldCount == known.count else {
          throw DiscoveryError(
            file: path, line: fields.line, field: "",
            message: "the row has \(fields.fieldCount) fields, the header has \(known.count): the file changed "
              + "while it was read; run the command again")
        }
        guard record < source.records else { throw changed }
        let isKept = source.kept[record >> 6] & (1 << UInt64(record & 63)) != 0
        record += 1
        guard isKept else { return true }
        let row = keptRow
        keptRow += 1
        guard position < rows.count && rows[position] == row else { return true }
        for (f, column) in known.numeric.enumerated() {
          let cell = trimmed(fields.field(column))
          if cell.isEmpty {
            values[f] = .nan
          } else if let value = number(cell) {
            values[f] = value
          } else {
            throw changed
          }
        }
        result.add(segment: rank[Int(labels[position])], total: k, features: d) { values[$0] }
        position += 1
        return position < rows.count
      }
    } catch let error as DiscoveryError {
      throw error
    } catch {
      throw changed
    }
    guard position == rows.count, FileIdentity.of(path) == source.identity else { throw changed }
    return result
  }
}
