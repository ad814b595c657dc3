import Foundation
import StrataAssignment

/// `strata assign --input`: assigns every row of a CSV of units (unit column + attribute columns) and
/// writes unit, segment, variant, bucket, eligible, reason to an output CSV, atomically.
///
/// Online mode streams (memory does not grow with rows); stratified mode holds the audience in memory
/// to deal balanced blocks (docs/assignment-spec.md §6). Bad rows (ragged, empty unit id, malformed
/// quoting, or in stratified mode a repeated unit) are reported with their line numbers and counted,
/// never silently dropped; they get no output row. An empty attribute cell is a missing attribute.
public struct BatchAssignment {
  /// A row that could not be assigned.
  public struct BadRow: Sendable, Hashable {
    public var line: Int
    public var message: String
  }

  /// What happened, for the count table and `--json`.
  public struct Summary: Sendable {
    /// Data rows read (excluding the header), bad ones included.
    public var rows = 0
    public var badRowCount = 0
    /// The first bad rows (at most `BatchAssignment.keptBadRows`).
    public var badRows: [BadRow] = []
    /// Per segment (index into the experiment's segments): counts per variant.
    public var variantCounts: [[Int]]
    /// Per segment: counts of excluded units per reason (holdout, layer, traffic).
    public var exclusionCounts: [[AssignmentReason: Int]]
    /// Units excluded before segments are resolved (no_consent, not_eligible).
    public var unsegmentedCounts: [AssignmentReason: Int] = [:]
    /// Attribute columns the rules read that the input does not have (every unit lacks them).
    public var missingColumns: [String] = []
  }

  public static let keptBadRows = 100

  public let experiment: Experiment
  public let inputPath: String
  public let outputPath: String
  public let stratified: Bool
  /// Factor names of a factorial experiment, in design order: one output column each, holding the cell's level.
  public var factorNames: [String] = []
  /// Write every cell as it is, without the spreadsheet formula guard (see ``OutputEncoding``).
  public var rawCells = false

  public init(experiment: Experiment, inputPath: String, outputPath: String, stratified: Bool) {
    self.experiment = experiment
    self.inputPath = inputPath
    self.outputPath = outputPath
    self.stratified = stratified
  }

  /// Runs the batch; `badRow` is called for every bad row as it is found.
  ///
  /// Throws `DataError` (`file:line: message`) when the input cannot be read, is empty or lacks the unit column, and
  /// `FileWriteError` when the output cannot be written.
  public func run(badRow: (BadRow) -> Void = { _ in }) throws -> Summary {
    guard !OutputDestination.isSameFile(outputPath, as: inputPath) else {
      throw DataError(
        file: inputPath, line: nil,
        message: "is also the output file (\(outputPath)); writing the assignments there would replace it")
    }
    var scanner = try OnePassCSVScanner(path: inputPath)
    defer { scanner.close() }
    var summary = Summary(
      variantCounts: Array(
        repeating: Array(repeating: 0, count: experiment.variants.count), count: experiment.segments.count),
      exclusionCounts: Array(repeating: [:], count: experiment.segments.count))

    // The header (blank lines before it are skipped).
    var headerRecord: CSVScanner.Record? = nil
    while let record = try scanner.next() {
      if record.isBlank { continue }
      headerRecord = record
      break
    }
    guard let headerRecord else {
      throw DataError(file: inputPath, line: 1, message: "the file is empty (expected a header row)")
    }
    try headerRecord.rejectUnreadableHeader(path: inputPath)
    let header = (0..<headerRecord.fieldCount).map { headerRecord.string($0) }
    if let problem = RepeatedColumns.problem(reading: [experiment.unit] + experiment.attributeNames, in: header) {
      throw DataError(file: inputPath, line: headerRecord.line, message: problem)
    }
    guard let unitColumn = header.firstIndex(of: experiment.unit) else {
      throw DataError(
        file: inputPath, line: headerRecord.line,
        message:
          "unit column \"\(DisplayText.echo(experiment.unit))\" is not in the header (\(DisplayText.list(header)))")
    }
    let headerCount = header.count
    let attributeColumns = experiment.attributeNames.map { header.firstIndex(of: $0) }
    summary.missingColumns = zip(experiment.attributeNames, attributeColumns).filter { $0.1 == nil }.map(\.0)
    let writer = try AtomicFileWriter(path: outputPath)
    let factorHeader = factorNames.map { "," + OutputEncoding.cell($0, raw: rawCells) }.joined()
    let outputHeader = "\(OutputEncoding.cell(experiment.unit, raw: rawCells)),segment,variant,bucket,eligible,reason"
    try writer.write(Array((outputHeader + factorHeader + "\n").utf8))

    let encoded = OutputEncoding(experiment: experiment, factorNames: factorNames, rawCells: rawCells)
    var reader = AttributeRowReader(columns: attributeColumns, readings: experiment.attributeReadings)
    defer { reader.deallocate() }
    var counts = ResultCounts(segments: experiment.segments.count, variants: experiment.variants.count)
    defer { counts.deallocate() }
    let row = UnsafeMutablePointer<UInt8>.allocate(capacity: encoded.longestRowEnd)
    defer { row.deallocate() }
    var held = StratifiedRows()
    var rows = 0

    func reject(_ line: Int, _ message: String) {
      summary.badRowCount += 1
      let row = BadRow(line: line, message: message)
      if summary.badRows.count < BatchAssignment.keptBadRows { summary.badRows.append(row) }
      badRow(row)
    }

    while let record = try scanner.next() {
      // A blank line is skipped.
      if record.isBlank { continue }
      rows += 1
      if let malformation = record.malformation {
        reject(record.line, malformation.description)
        continue
      }
      guard record.fieldCount == headerCount else {
        reject(record.line, "has \(record.fieldCount) fields, the header has \(headerCount)")
        continue
      }
      let unit = UnsafeRawBufferPointer(record.field(unitColumn))
      guard !unit.isEmpty else {
        reject(record.line, "the unit id (column \"\(experiment.unit)\") is empty")
        continue
      }
      reader.read(record)
      let result = experiment.assignCompact(unitUTF8: unit, values: reader.values)
      if stratified {
        held.append(unit: unit, line: record.line, result: result, hash: experiment.variantHash(unitUTF8: unit))
        continue
      }
      encoded.writeUnit(unit, to: writer)
      writer.append(UnsafeRawBufferPointer(start: row, count: encoded.encodeResult(result, into: row)))
      counts.add(result)
      if writer.needsFlush { try writer.flushIfNeeded() }
    }
    if stratified {
      for duplicate in held.markDuplicates() {
        reject(
          duplicate.line,
          "unit \"\(duplicate.unit)\" already appeared on line \(duplicate.firstLine); a stratified batch deals each unit once"
        )
      }
      held.deal(experiment)
      for index in 0..<held.count where !held.isDuplicate(index) {
        held.withUnit(index) { encoded.writeUnit($0, to: writer) }
        encoded.writeResult(held.results[index], to: writer)
        counts.add(held.results[index])
        if writer.needsFlush { try writer.flushIfNeeded() }
      }
    }
    summary.rows = rows
    counts.fill(&summary)
    try writer.commit()
    return summary
  }
}

/// Reads a record's attribute cells into a reused slot array of values: attributes the rules read only as numbers
/// (or only as booleans) are converted from the bytes, text that does not read that way stays text (same results,
/// see `AttributeReading`); an empty cell or a column the input lacks is a missing attribute.
///
/// Text is made into a `String` once per distinct cell, not once per row: each slot keeps the first
/// ``internedPerSlot`` distinct short cells it met with their `String`, and a cell with the same bytes is given that
/// `String` again (the same value `String(decoding:as:)` makes from those bytes). Columns with many distinct values
/// (ids, e-mail addresses) fill the table and build their other cells as before.
struct AttributeRowReader {
  /// Distinct text cells kept per slot, and the longest kept (in bytes).
  static let internedPerSlot = 8
  static let longestInterned = 32

  private let columns: [Int?]
  private let readings: [AttributeReading]
  private let storage: UnsafeMutableBufferPointer<AttributeValue?>
  /// Slot s's kept texts are entries `s * internedPerSlot ..< s * internedPerSlot + internedCounts[s]`; entry e's
  /// bytes are `internedBytes[e * longestInterned ..< e * longestInterned + internedLengths[e]]`.
  private let internedValues: UnsafeMutableBufferPointer<AttributeValue>
  private let internedLengths: UnsafeMutableBufferPointer<Int>
  private let internedBytes: UnsafeMutablePointer<UInt8>
  private let internedCounts: UnsafeMutableBufferPointer<Int>
  /// Per slot, the kept text entry it holds (its `String`), or ``holdsNoText`` (nil, a number or a boolean) or
  /// ``holdsOtherText``.
  private let held: UnsafeMutableBufferPointer<Int>
  private static let holdsNoText = -1
  private static let holdsOtherText = -2
  /// The last record's values, slot by slot (valid until the next ``read(_:)``).
  var values: UnsafeBufferPointer<AttributeValue?> { UnsafeBufferPointer(storage) }

  init(columns: [Int?], readings: [AttributeReading]) {
    self.columns = columns
    self.readings = readings
    storage = .allocate(capacity: columns.count)
    storage.initialize(repeating: nil)
    let entries = columns.count * Self.internedPerSlot
    internedValues = .allocate(capacity: max(entries, 1))
    internedLengths = .allocate(capacity: max(entries, 1))
    internedBytes = .allocate(capacity: max(entries, 1) * Self.longestInterned)
    internedCounts = .allocate(capacity: max(columns.count, 1))
    internedCounts.initialize(repeating: 0)
    held = .allocate(capacity: max(columns.count, 1))
    held.initialize(repeating: Self.holdsNoText)
  }

  mutating func deallocate() {
    _ = storage.deinitialize()
    storage.deallocate()
    for slot in 0..<columns.count {
      (internedValues.baseAddress.unsafelyUnwrapped + slot * Self.internedPerSlot).deinitialize(
        count: internedCounts[slot])
    }
    internedValues.deallocate()
    internedLengths.deallocate()
    internedBytes.deallocate()
    internedCounts.deallocate()
    held.deallocate()
  }

  /// Reads the record's attribute cells into ``values``.
  @inline(__always)
  func read(_ record: CSVScanner.Record) {
    for slot in 0..<columns.count {
      guard let column = columns[slot] else {
        set(slot, nil)
        continue
      }
      let cell = record.field(column)
      guard !cell.isEmpty else {
        set(slot, nil)
        continue
      }
      switch readings[slot] {
      case .number:
        if let number = Self.shortInteger(cell) ?? AttributeValue.parseNumber(cell) {
          set(slot, .number(number))
        } else {
          setText(slot, cell)
        }
      case .bool:
        if let flag = AttributeValue.parseBool(cell) {
          set(slot, .bool(flag))
        } else {
          setText(slot, cell)
        }
      case .string, .mixed:
        setText(slot, cell)
      }
    }
  }

  /// `-?[0-9]{1,15}` as the number `AttributeValue.parseNumber` reads from it (exact in a `Double`); nil for
  /// anything else, which goes through `parseNumber`.
  @inline(__always)
  static func shortInteger(_ cell: UnsafeBufferPointer<UInt8>) -> Double? {
    let count = cell.count
    var index = cell[0] == UInt8(ascii: "-") ? 1 : 0
    let digits = count &- index
    guard digits >= 1 && digits <= 15 else { return nil }
    var integer = 0
    while index < count {
      let digit = cell[index] &- UInt8(ascii: "0")
      guard digit <= 9 else { return nil }
      integer = integer &* 10 &+ Int(digit)
      index &+= 1
    }
    return cell[0] == UInt8(ascii: "-") ? -Double(integer) : Double(integer)
  }

  /// Sets the slot to nil, a number or a boolean (a value that holds no reference).
  @inline(__always)
  private func set(_ slot: Int, _ value: AttributeValue?) {
    if held[slot] == Self.holdsNoText {
      // The slot holds nil, a number or a boolean too: there is nothing to release, so the new value is written
      // over the old one (without the call that would destroy it).
      (storage.baseAddress.unsafelyUnwrapped + slot).initialize(to: value)
    } else {
      storage[slot] = value
      held[slot] = Self.holdsNoText
    }
  }

  /// Sets the slot to text that is not kept.
  @inline(__always)
  private func set(_ slot: Int, text: String) {
    storage[slot] = .string(text)
    held[slot] = Self.holdsOtherText
  }

  /// Sets the slot to the cell as text: the `String` made the first time the slot met these bytes (left in place
  /// when the slot holds it already, so a column of few values costs no copy), or a new one.
  @inline(__always)
  private func setText(_ slot: Int, _ cell: UnsafeBufferPointer<UInt8>) {
    let count = cell.count
    guard count <= Self.longestInterned else {
      set(slot, text: String(decoding: cell, as: UTF8.self))
      return
    }
    let first = slot &* Self.internedPerSlot
    let known = internedCounts[slot]
    let source = cell.baseAddress.unsafelyUnwrapped
    var entry = first
    while entry < first &+ known {
      if internedLengths[entry] == count {
        let bytes = internedBytes + entry &* Self.longestInterned
        var index = 0
        while index < count && bytes[index] == source[index] { index &+= 1 }
        if index == count {
          if held[slot] != entry {
            storage[slot] = internedValues[entry]
            held[slot] = entry
          }
          return
        }
      }
      entry &+= 1
    }
    let text = String(decoding: cell, as: UTF8.self)
    guard known < Self.internedPerSlot else {
      set(slot, text: text)
      return
    }
    let value = AttributeValue.string(text)
    (internedBytes + entry &* Self.longestInterned).update(from: source, count: count)
    internedLengths[entry] = count
    (internedValues.baseAddress.unsafelyUnwrapped + entry).initialize(to: value)
    internedCounts[slot] = known &+ 1
    storage[slot] = value
    held[slot] = entry
  }
}

/// The count table of a batch while it runs: one flat table of (segment or none) × (variant or none) × reason, so a
/// row adds one to one slot (no dictionary per row); ``fill(_:)`` turns it into the summary's shape.
struct ResultCounts {
  /// `AssignmentReason.allCases.count`, kept (the getter builds the array on each call).
  private let reasons = AssignmentReason.allCases.count
  private let variants: Int
  private let segments: Int
  private let table: UnsafeMutableBufferPointer<Int>

  init(segments: Int, variants: Int) {
    self.segments = segments
    self.variants = variants
    table = .allocate(capacity: (segments + 1) * (variants + 1) * reasons)
    table.initialize(repeating: 0)
  }

  mutating func deallocate() { table.deallocate() }

  @inline(__always)
  func add(_ result: CompactAssignment) {
    let segment = result.segmentIndex.map { $0 &+ 1 } ?? 0
    let variant = result.variantIndex.map { $0 &+ 1 } ?? 0
    let slot = (segment &* (variants &+ 1) &+ variant) &* reasons &+ OutputEncoding.index(of: result.reason)
    table[slot] &+= 1
  }

  func fill(_ summary: inout BatchAssignment.Summary) {
    for segment in -1..<segments {
      for variant in -1..<variants {
        for reason in AssignmentReason.allCases {
          let slot =
            ((segment + 1) * (variants + 1) + variant + 1) * AssignmentReason.allCases.count
            + OutputEncoding.index(of: reason)
          let count = table[slot]
          guard count > 0 else { continue }
          if segment < 0 {
            summary.unsegmentedCounts[reason, default: 0] += count
          } else if variant >= 0 {
            summary.variantCounts[segment][variant] += count
          } else {
            summary.exclusionCounts[segment][reason, default: 0] += count
          }
        }
      }
    }
  }
}
