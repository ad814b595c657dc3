import StrataAssignment

/// Pre-encoded output cells of an assignment CSV (segment names, variant keys, reasons), so writing a
/// row copies bytes instead of formatting strings.
///
/// Formula guard (on unless `rawCells`): a text cell that starts with `=`, `+`, `-`, `@`, TAB or CR is
/// read as a formula by spreadsheets, so it is written with a `'` in front (and quoted); a cell that starts
/// with `'` gets one too, so the mapping is one-to-one. The original id is the cell with one leading `'`
/// removed, if it has one (docs/assignment.md, "Spreadsheet safety").
struct OutputEncoding {
  let segments: [[UInt8]]
  let variants: [[UInt8]]
  let reasons: [AssignmentReason: [UInt8]]
  /// For factorial experiments: `,level,level…` per variant (one cell per factor), and the empty cells
  /// for units without a variant.
  let factorCells: [[UInt8]]
  let noFactorCells: [UInt8]

  /// Whether cells are written as they are, with no formula guard.
  let rawCells: Bool

  init(experiment: Experiment, factorNames: [String] = [], rawCells: Bool = false) {
    self.rawCells = rawCells
    let cell = { (text: String) in OutputEncoding.cell(text, raw: rawCells) }
    segments = experiment.segmentNames.map { Array(cell($0).utf8) }
    variants = experiment.variants.map { Array(cell($0.key).utf8) }
    factorCells = experiment.variants.map { variant in
      Array(factorNames.map { "," + cell(variant.factorLevels[$0] ?? "") }.joined().utf8)
    }
    noFactorCells = Array(String(repeating: ",", count: factorNames.count).utf8)
    var reasons: [AssignmentReason: [UInt8]] = [:]
    for reason in AssignmentReason.allCases { reasons[reason] = Array(reason.rawValue.utf8) }
    self.reasons = reasons
  }

  /// A CSV cell: quoted (with doubled quotes) when it holds a comma, quote, CR or LF.
  static func quoted(_ text: String) -> String {
    guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// Whether a cell starting with `byte` is guarded: `=` `+` `-` `@` TAB CR, and `'` itself.
  @inline(__always)
  static func needsGuard(_ byte: UInt8) -> Bool {
    byte == 0x3D || byte == 0x2B || byte == 0x2D || byte == 0x40 || byte == 0x09 || byte == 0x0D || byte == 0x27
  }

  /// A CSV cell under the formula guard (unless `raw`): `'` in front and quoted when it starts like a formula.
  static func cell(_ text: String, raw: Bool) -> String {
    guard !raw, let first = text.utf8.first, needsGuard(first) else { return quoted(text) }
    return "\"'" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// Writes the unit cell, quoting it when needed and guarding it unless `rawCells`.
  func writeUnit(_ unit: UnsafeRawBufferPointer, to writer: AtomicFileWriter) {
    let guarded = !rawCells && unit.first.map(OutputEncoding.needsGuard) == true
    if guarded || unit.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
      writer.write(byte: 0x22)
      if guarded { writer.write(byte: 0x27) }
      for byte in unit {
        if byte == 0x22 { writer.write(byte: 0x22) }
        writer.write(byte: byte)
      }
      writer.write(byte: 0x22)
    } else {
      writer.append(unit)
    }
  }

  /// Writes `,segment,variant,bucket,eligible,reason\n` (with `,level…` per factor before the line end).
  func writeResult(_ result: CompactAssignment, to writer: AtomicFileWriter) {
    writer.write(byte: 0x2C)
    if let segment = result.segmentIndex { writer.append(segments[segment]) }
    writer.write(byte: 0x2C)
    if let variant = result.variantIndex { writer.append(variants[variant]) }
    writer.write(byte: 0x2C)
    if let bucket = result.bucket { writer.write(decimal: bucket) }
    writer.write(byte: 0x2C)
    writer.append(result.eligible ? OutputEncoding.trueBytes : OutputEncoding.falseBytes)
    writer.write(byte: 0x2C)
    if let reason = reasons[result.reason] { writer.append(reason) }
    if !noFactorCells.isEmpty { writer.append(result.variantIndex.map { factorCells[$0] } ?? noFactorCells) }
    writer.write(byte: 0x0A)
  }

  static let trueBytes = Array("true".utf8)
  static let falseBytes = Array("false".utf8)
}
