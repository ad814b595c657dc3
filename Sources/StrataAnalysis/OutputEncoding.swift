import StrataAssignment

/// Pre-encoded output cells of an assignment CSV, so writing a row copies bytes instead of formatting strings.
///
/// A row after the unit cell is `,segment,variant,` + bucket + `,eligible,reason` + factor levels + line end: the part
/// before the bucket depends on the segment and variant, the part after it on the reason and variant, so both are
/// encoded once per combination into one unmanaged table (no arrays, dictionaries or reference counts per row).
///
/// Formula guard (on unless `rawCells`): a text cell that starts with `=`, `+`, `-`, `@`, TAB or CR is
/// read as a formula by spreadsheets, so it is written with a `'` in front (and quoted); a cell that starts
/// with `'` gets one too, so the mapping is one-to-one. The original id is the cell with one leading `'`
/// removed, if it has one (docs/assignment.md, "Spreadsheet safety").
final class OutputEncoding {
  /// Whether cells are written as they are, with no formula guard.
  let rawCells: Bool
  private let variantCount: Int
  /// All encoded pieces, back to back; `pieces[2i]` and `pieces[2i+1]` are piece i's offset and length.
  private let bytes: UnsafeMutableBufferPointer<UInt8>
  private let pieces: UnsafeMutableBufferPointer<Int>
  /// Piece index of the first tail (`,eligible,reason…\n`); heads (`,segment,variant,`) come first.
  private let firstTail: Int
  /// The longest head plus the longest tail plus four bucket digits: room for a row after the unit cell.
  let longestRowEnd: Int

  init(experiment: Experiment, factorNames: [String] = [], rawCells: Bool = false) {
    self.rawCells = rawCells
    let cell = { (text: String) in Array(OutputEncoding.cell(text, raw: rawCells).utf8) }
    let segments = experiment.segmentNames.map(cell)
    let variants = experiment.variants.map { cell($0.key) }
    let factorCells = experiment.variants.map { variant in
      Array(factorNames.map { "," + OutputEncoding.cell(variant.factorLevels[$0] ?? "", raw: rawCells) }.joined().utf8)
    }
    let noFactorCells = Array(String(repeating: ",", count: factorNames.count).utf8)
    variantCount = variants.count
    precondition(
      AssignmentReason.allCases.enumerated().allSatisfy { OutputEncoding.index(of: $0.element) == $0.offset })
    // Heads: (segment or none) × (variant or none); tails: reason × (variant or none).
    var encoded: [[UInt8]] = []
    for segment in [[UInt8]()] + segments {
      for variant in [[UInt8]()] + variants { encoded.append([0x2C] + segment + [0x2C] + variant + [0x2C]) }
    }
    firstTail = encoded.count
    for reason in AssignmentReason.allCases {
      for variant in -1..<variants.count {
        let eligible = Array((variant >= 0 ? "true" : "false").utf8)
        let factors = variant >= 0 ? factorCells[variant] : noFactorCells
        encoded.append([0x2C] + eligible + [0x2C] + Array(reason.rawValue.utf8) + factors + [0x0A])
      }
    }
    longestRowEnd =
      (encoded[..<firstTail].map(\.count).max() ?? 0) + 4 + (encoded[firstTail...].map(\.count).max() ?? 0)
    bytes = .allocate(capacity: encoded.reduce(0) { $0 + $1.count })
    pieces = .allocate(capacity: 2 * encoded.count)
    var offset = 0
    for (index, piece) in encoded.enumerated() {
      _ = UnsafeMutableBufferPointer(rebasing: bytes[offset..<offset + piece.count]).initialize(from: piece)
      pieces[2 * index] = offset
      pieces[2 * index + 1] = piece.count
      offset += piece.count
    }
  }

  deinit {
    bytes.deallocate()
    pieces.deallocate()
  }

  /// Whether a cell starting with `byte` is guarded: `=` `+` `-` `@` TAB CR, and `'` itself.
  @inline(__always)
  static func needsGuard(_ byte: UInt8) -> Bool { CSVCell.startsFormula(byte) }

  /// A CSV cell under the formula guard (unless `raw`): `'` in front and quoted when it starts like a formula.
  static func cell(_ text: String, raw: Bool) -> String {
    guard !raw, let first = text.utf8.first, needsGuard(first) else { return CSVCell.quoted(text) }
    return "\"'" + CSVCell.doublingQuotes(text) + "\""
  }

  /// Writes the unit cell, quoting it when needed and guarding it unless `rawCells`.
  @inline(__always)
  func writeUnit(_ unit: UnsafeRawBufferPointer, to writer: AtomicFileWriter) {
    var plain = rawCells || !OutputEncoding.needsGuard(unit.first ?? 0)
    if plain {
      for byte in unit where byte == 0x2C || byte == 0x22 || byte == 0x0A || byte == 0x0D {
        plain = false
        break
      }
    }
    if plain {
      writer.append(unit)
      return
    }
    let guarded = !rawCells && unit.first.map(OutputEncoding.needsGuard) == true
    writer.write(byte: 0x22)
    if guarded { writer.write(byte: 0x27) }
    for byte in unit {
      if byte == 0x22 { writer.write(byte: 0x22) }
      writer.write(byte: byte)
    }
    writer.write(byte: 0x22)
  }

  /// Writes `,segment,variant,bucket,eligible,reason\n` (with `,level…` per factor before the line end) into
  /// `row`, which has room for ``longestRowEnd`` bytes; returns the bytes written.
  @inline(__always)
  func encodeResult(_ result: CompactAssignment, into row: UnsafeMutablePointer<UInt8>) -> Int {
    let segment = result.segmentIndex.map { $0 &+ 1 } ?? 0
    let variant = result.variantIndex.map { $0 &+ 1 } ?? 0
    let head = segment &* (variantCount &+ 1) &+ variant
    let tail = firstTail &+ OutputEncoding.index(of: result.reason) &* (variantCount &+ 1) &+ variant
    let base = bytes.baseAddress.unsafelyUnwrapped
    let table = pieces.baseAddress.unsafelyUnwrapped
    var count = table[2 &* head &+ 1]
    row.update(from: base + table[2 &* head], count: count)
    if var bucket = result.bucket {
      // At most four digits (0...9999), written backwards from the last.
      let digits = bucket >= 1000 ? 4 : bucket >= 100 ? 3 : bucket >= 10 ? 2 : 1
      var position = count &+ digits
      count = position
      repeat {
        position &-= 1
        row[position] = UInt8(truncatingIfNeeded: 0x30 &+ bucket % 10)
        bucket /= 10
      } while bucket > 0
    }
    let tailCount = table[2 &* tail &+ 1]
    (row + count).update(from: base + table[2 &* tail], count: tailCount)
    return count &+ tailCount
  }

  /// Writes the part of a row after the unit cell.
  func writeResult(_ result: CompactAssignment, to writer: AtomicFileWriter) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: longestRowEnd) { row in
      let base = row.baseAddress.unsafelyUnwrapped
      writer.append(UnsafeRawBufferPointer(start: base, count: encodeResult(result, into: base)))
    }
  }

  /// The position of a reason in `AssignmentReason.allCases` (the order of the tails).
  @inline(__always)
  static func index(of reason: AssignmentReason) -> Int {
    switch reason {
    case .assigned: 0
    case .stratified: 1
    case .noConsent: 2
    case .notEligible: 3
    case .holdout: 4
    case .layer: 5
    case .traffic: 6
    }
  }
}
