import StrataAnalysis
import StrataAssignment

/// Reads an audience CSV (a header, then one row per unit): the unit id column and the named feature columns.
///
/// Numbers follow the assignment spec's grammar (`-?digits[.digits][e±digits]`), exactly as the frozen segment
/// rule will read them (their values those of `strtod`, from ``NumberParser``); an empty cell is a missing value.
/// Every problem is a ``DiscoveryError`` naming the file, line and column: a missing column, a row with the wrong
/// number of fields, broken quoting, a cell that is not a number, an empty or repeated unit id, a file without rows.
///
/// With `discoveryHalf`, every row is still checked (and every unit id counted against repeats), but only the units
/// of that split's discovery half are kept: the clustering reads nothing else, and the memory is about half. With
/// `keepUnitIDs: false` the ids are not kept either (only with `discoveryHalf`, which needs them while reading).
///
/// A regular file's lines are counted first, so that the values are stored without regrowing their array (pages
/// are only touched as rows arrive) and repeated ids are caught in a table of 4 bytes per id
/// (``UnitFingerprints``); the audience remembers the file (``AudienceSource``) so that its values can be read again.
public enum AudienceReader {
  public static func read(
    path: String, unitColumn: String, numeric: [String], categorical: [String], discoveryHalf: HonestSplit? = nil,
    keepUnitIDs: Bool = true
  ) throws(DiscoveryError) -> Audience {
    precondition(keepUnitIDs || discoveryHalf != nil, "the split needs the ids while reading")
    let identity = FileIdentity.of(path)
    let lineEnds = identity.flatMap { _ in FileIdentity.lineEnds(path) }
    var scanner: CSVScanner
    do {
      scanner = try CSVScanner(path: path)
    } catch {
      throw DiscoveryError(file: path, line: error.line, field: "", message: error.message)
    }
    defer { scanner.close() }
    var audience = Audience(file: path, unitColumn: unitColumn, numericNames: numeric, categoricalNames: categorical)
    audience.discoveryOnlySalt = discoveryHalf?.salt
    let d = numeric.count
    if let lineEnds { audience.numericValues.reserveCapacity((lineEnds + 1) * d) }
    var columns: (unit: Int, numeric: [Int], categorical: [Int], count: Int)?
    var exact: UnitIDTable? = lineEnds == nil ? UnitIDTable() : nil
    var fingerprints = lineEnds.map { UnitFingerprints(capacity: $0 + 1) }
    var kept: [UInt64] = []
    var records = 0
    var values = [Double](repeating: 0, count: d)
    var key: [UInt8] = []
    do {
      try scanner.forEachRecord { record in
        if record.isBlank { return true }
        if let malformation = record.malformation {
          throw DiscoveryError(file: path, line: record.line, field: "", message: "\(malformation)")
        }
        guard let known = columns else {
          do {
            try record.rejectUnreadableHeader(path: path)
          } catch let error as DataError {
            throw DiscoveryError(file: path, line: error.line, field: "", message: error.message)
          }
          columns = try header(record, path: path, unit: unitColumn, numeric: numeric, categorical: categorical)
          return true
        }
        guard record.fieldCount == known.count else {
          throw DiscoveryError(
            file: path, line: record.line, field: "",
            message: "the row has \(record.fieldCount) fields, the header has \(known.count)")
        }
        let unitBytes = trimmed(record.field(known.unit))
        guard !unitBytes.isEmpty else {
          throw DiscoveryError(file: path, line: record.line, field: unitColumn, message: "the unit id is empty")
        }
        var first: Int?
        if exact != nil {
          first = exact?.insert(unitBytes, line: record.line)
        } else {
          switch fingerprints?.insert(unitBytes) {
          case .added?, nil: break
          case .perhapsSeen?:
            first = try firstLine(of: unitBytes, column: known.unit, path: path, before: record.line)
          case .full?:
            throw DiscoveryError(
              file: path, line: record.line, field: "",
              message: "the file grew while it was read; run the command again once it is complete")
          }
        }
        if let first {
          throw DiscoveryError(
            file: path, line: record.line, field: unitColumn,
            message: "unit \"\(DisplayText.echo(String(decoding: unitBytes, as: UTF8.self)))\" appears twice "
              + "(first on line \(first)); each unit needs one row")
        }
        for (f, column) in known.numeric.enumerated() {
          let cell = trimmed(record.field(column))
          if cell.isEmpty {
            values[f] = .nan
            continue
          }
          guard let value = number(cell) else {
            throw DiscoveryError(
              file: path, line: record.line, field: numeric[f],
              message: "\"\(DisplayText.echo(String(decoding: cell, as: UTF8.self)))\" is not a number "
                + "(write digits such as 12, -3.5 or 1e3, or leave the cell empty for a missing value)")
          }
          values[f] = value
        }
        let index = records
        records += 1
        if index & 63 == 0 { kept.append(0) }
        if let discoveryHalf, discoveryHalf.half(bytes: unitBytes, scratch: &key) != .discovery { return true }
        kept[index >> 6] |= 1 << UInt64(index & 63)
        if keepUnitIDs { audience.units.append(String(decoding: unitBytes, as: UTF8.self)) }
        audience.count += 1
        for f in 0..<d { audience.numericValues.append(values[f]) }
        for (f, column) in known.categorical.enumerated() {
          let cell = trimmed(record.field(column))
          audience.categorical[f].append(cell.isEmpty ? nil : String(decoding: cell, as: UTF8.self))
        }
        return true
      }
    } catch let error as DiscoveryError {
      throw error
    } catch let error as DataError {
      throw DiscoveryError(file: path, line: error.line, field: "", message: error.message)
    } catch {
      throw DiscoveryError(file: path, field: "", message: "\(error)")
    }
    guard columns != nil else { throw DiscoveryError(file: path, line: 1, field: "", message: "the file is empty") }
    guard records > 0 else {
      throw DiscoveryError(file: path, line: 2, field: "", message: "the file has a header but no units")
    }
    audience.totalCount = records
    if let identity, FileIdentity.of(path) == identity {
      audience.source = AudienceSource(path: path, identity: identity, kept: kept, records: records)
    }
    return audience
  }

  /// A cell's number in the assignment spec's grammar, finite, with `strtod`'s value; nil otherwise.
  @inline(__always)
  static func number(_ cell: Slice<UnsafeBufferPointer<UInt8>>) -> Double? {
    guard
      let value = AttributeValue.parseNumber(
        cell, converting: { NumberParser.parse(UnsafeBufferPointer(rebasing: $0)) }),
      value.isFinite
    else { return nil }
    return value
  }

  /// The line of the first data record before `line` whose unit id is `id`, nil when there is none (two ids
  /// whose fingerprints matched).
  static func firstLine(
    of id: Slice<UnsafeBufferPointer<UInt8>>, column: Int, path: String, before line: Int
  ) throws -> Int? {
    var scanner = try CSVScanner(path: path)
    defer { scanner.close() }
    var header = true
    var found: Int?
    try scanner.forEachRecord { record in
      guard record.line < line else { return false }
      if record.isBlank { return true }
      if header {
        header = false
        return true
      }
      guard column < record.fieldCount else { return true }
      if trimmed(record.field(column)).elementsEqual(id) {
        found = record.line
        return false
      }
      return true
    }
    return found
  }

  /// The header's columns, or a sentence naming the one missing; `again`: the second read (``featureSums``), where a
  /// missing column means the file changed since the first read found it.
  static func header(
    _ record: CSVScanner.Record, path: String, unit: String, numeric: [String], categorical: [String],
    again: Bool = false
  ) throws(DiscoveryError) -> (unit: Int, numeric: [Int], categorical: [Int], count: Int) {
    let names = (0..<record.fieldCount).map { String(decoding: trimmed(record.field($0)), as: UTF8.self) }
    for name in [unit] + numeric + categorical {
      if let problem = RepeatedColumns.problem(reading: [name], in: names) {
        throw DiscoveryError(file: path, line: record.line, field: name, message: problem)
      }
    }
    func column(_ name: String, _ purpose: String) throws(DiscoveryError) -> Int {
      guard let index = names.firstIndex(of: name) else {
        let column = "column \"\(DisplayText.echo(name))\" (\(purpose))"
        throw DiscoveryError(
          file: path, line: record.line, field: name,
          message: again
            ? "the file changed between its two reads: the first found \(column) in the header, the second "
              + "finds the columns \(DisplayText.list(names)); run the command again once the file is complete"
            : "the header has no \(column); it has " + DisplayText.list(names))
      }
      return index
    }
    let unitIndex = try column(unit, "the unit id; name another with --unit")
    var numericIndices: [Int] = []
    for name in numeric { numericIndices.append(try column(name, "a feature given in --features")) }
    var categoricalIndices: [Int] = []
    for name in categorical { categoricalIndices.append(try column(name, "a feature given in --categorical")) }
    return (unitIndex, numericIndices, categoricalIndices, record.fieldCount)
  }

  /// The field without leading and trailing spaces and tabs.
  static func trimmed(_ field: UnsafeBufferPointer<UInt8>) -> Slice<UnsafeBufferPointer<UInt8>> {
    var start = field.startIndex
    var end = field.endIndex
    while start < end && (field[start] == 0x20 || field[start] == 0x09) { start += 1 }
    while end > start && (field[end - 1] == 0x20 || field[end - 1] == 0x09) { end -= 1 }
    return field[start..<end]
  }
}
