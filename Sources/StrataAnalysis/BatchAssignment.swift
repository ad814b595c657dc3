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
    var scanner = try CSVScanner(path: inputPath)
    defer { scanner.close() }
    var summary = Summary(
      variantCounts: Array(
        repeating: Array(repeating: 0, count: experiment.variants.count), count: experiment.segments.count),
      exclusionCounts: Array(repeating: [:], count: experiment.segments.count))
    let readings = experiment.attributeReadings
    let encoded = OutputEncoding(experiment: experiment, factorNames: factorNames, rawCells: rawCells)
    var headerCount = 0  // 0 until the header is read
    var unitColumn = 0
    var attributeColumns: [Int?] = []
    var attributes: [AttributeValue?] = []
    var output: AtomicFileWriter? = nil
    var held = StratifiedRows()

    func reject(_ line: Int, _ message: String) {
      summary.badRowCount += 1
      let row = BadRow(line: line, message: message)
      if summary.badRows.count < BatchAssignment.keptBadRows { summary.badRows.append(row) }
      badRow(row)
    }

    try scanner.forEachRecord { record in
      // A blank line is skipped, before the header too.
      if record.isBlank && record.malformation == nil { return true }
      guard let writer = output else {
        try record.rejectCarriageReturnLineEnds(path: inputPath)
        let header = (0..<record.fieldCount).map { record.string($0) }
        guard let unit = header.firstIndex(of: experiment.unit) else {
          throw DataError(
            file: inputPath, line: record.line,
            message:
              "unit column \"\(DisplayText.echo(experiment.unit))\" is not in the header (\(DisplayText.list(header)))")
        }
        headerCount = header.count
        unitColumn = unit
        attributeColumns = experiment.attributeNames.map { header.firstIndex(of: $0) }
        attributes = Array(repeating: nil, count: attributeColumns.count)
        summary.missingColumns = zip(experiment.attributeNames, attributeColumns).filter { $0.1 == nil }.map(\.0)
        let writer = try AtomicFileWriter(path: outputPath)
        let factorHeader = factorNames.map { "," + OutputEncoding.cell($0, raw: rawCells) }.joined()
        let outputHeader =
          "\(OutputEncoding.cell(experiment.unit, raw: rawCells)),segment,variant,bucket,eligible,reason"
        try writer.write(Array((outputHeader + factorHeader + "\n").utf8))
        output = writer
        return true
      }
      summary.rows += 1
      if let malformation = record.malformation {
        reject(record.line, malformation.description)
        return true
      }
      guard record.fieldCount == headerCount else {
        reject(record.line, "has \(record.fieldCount) fields, the header has \(headerCount)")
        return true
      }
      let unit = UnsafeRawBufferPointer(record.field(unitColumn))
      guard !unit.isEmpty else {
        reject(record.line, "the unit id (column \"\(experiment.unit)\") is empty")
        return true
      }
      for (slot, column) in attributeColumns.enumerated() {
        guard let column else {
          attributes[slot] = nil
          continue
        }
        let cell = record.field(column)
        guard !cell.isEmpty else {
          attributes[slot] = nil
          continue
        }
        // Attributes the rules read only as numbers (or only as booleans) are converted here, from the
        // bytes; text that does not read that way stays text (same results, see AttributeReading).
        switch readings[slot] {
        case .number:
          attributes[slot] =
            AttributeValue.parseNumber(cell).map(AttributeValue.number) ?? .string(record.string(column))
        case .bool:
          attributes[slot] =
            AttributeValue.parseBool(cell).map(AttributeValue.bool) ?? .string(record.string(column))
        case .string, .mixed:
          attributes[slot] = .string(record.string(column))
        }
      }
      if stratified {
        held.append(
          unit: unit, line: record.line, result: experiment.assignCompact(unitUTF8: unit, attributes: attributes),
          hash: experiment.variantHash(unitUTF8: unit))
        return true
      }
      let result = experiment.assignCompact(unitUTF8: unit, attributes: attributes)
      encoded.writeUnit(unit, to: writer)
      encoded.writeResult(result, to: writer)
      Self.count(result, into: &summary)
      if writer.needsFlush { try writer.flushIfNeeded() }
      return true
    }
    guard let writer = output else {
      throw DataError(file: inputPath, line: 1, message: "the file is empty (expected a header row)")
    }
    if stratified {
      for duplicate in held.markDuplicates() {
        reject(
          duplicate.line,
          "unit \"\(duplicate.unit)\" already appeared on line \(duplicate.firstLine); a stratified batch deals each unit once"
        )
      }
      held.deal(experiment)
      for row in 0..<held.count where !held.isDuplicate(row) {
        held.withUnit(row) { encoded.writeUnit($0, to: writer) }
        encoded.writeResult(held.results[row], to: writer)
        Self.count(held.results[row], into: &summary)
        if writer.needsFlush { try writer.flushIfNeeded() }
      }
    }
    try writer.commit()
    return summary
  }

  private static func count(_ result: CompactAssignment, into summary: inout Summary) {
    guard let segment = result.segmentIndex else {
      summary.unsegmentedCounts[result.reason, default: 0] += 1
      return
    }
    if let variant = result.variantIndex {
      summary.variantCounts[segment][variant] += 1
    } else {
      summary.exclusionCounts[segment][result.reason, default: 0] += 1
    }
  }
}
