import StrataAssignment

/// Why a data row cannot be used: the issue kind it is counted under and a phrase for people.
struct RowProblem: Error {
  var kind: DataIssues.Kind
  var message: String
}

/// Where a data file keeps the columns every row is checked on, and the names they must hold.
struct CellColumns {
  var fieldCount: Int
  var variantColumn: Int
  var segmentColumn: Int?
  var variantNames: ByteNameTable
  var segmentNames: ByteNameTable

  /// The checks every data row gets, unit-level or aggregated: its quoting is intact, it has the header's number of
  /// fields, its variant is one of the experiment's, and so is its segment (when the file has a segment column).
  ///
  /// Returns the row's variant × segment cell, or nil; `problem(with:plan:)` then says why. Kept free of message
  /// building: this runs on every row.
  @inline(__always)
  func cell(of record: CSVScanner.Record) -> (variant: Int, segment: Int)? {
    guard record.malformation == nil, record.fieldCount == fieldCount,
      let variant = variantNames.index(in: record.bytes, record.starts[variantColumn], record.ends[variantColumn])
    else { return nil }
    guard let segmentColumn else { return (variant, 0) }
    guard let segment = segmentNames.index(in: record.bytes, record.starts[segmentColumn], record.ends[segmentColumn])
    else { return nil }
    return (variant, segment)
  }

  /// `cell(of:)` with only the inlined name lookups (`ByteNameTable.usualIndex`): the row's cell, or nil when the row
  /// is not usable or a name is not the usual case; `cell(of:)` then decides.
  @inline(__always)
  func quickCell(of record: CSVScanner.Record) -> (variant: Int, segment: Int)? {
    guard record.malformation == nil, record.fieldCount == fieldCount else { return nil }
    let variant = variantNames.usualIndex(in: record.bytes, record.starts[variantColumn], record.ends[variantColumn])
    guard variant >= 0 else { return nil }
    guard let segmentColumn else { return (variant, 0) }
    let segment = segmentNames.usualIndex(in: record.bytes, record.starts[segmentColumn], record.ends[segmentColumn])
    return segment >= 0 ? (variant, segment) : nil
  }

  /// The first check `cell(of:)` failed on, as an issue kind and a phrase naming the value.
  @inline(never)
  func problem(with record: CSVScanner.Record, plan: AnalysisPlan) -> RowProblem {
    if let malformation = record.malformation {
      // The scanner kept going, but the row's fields may not be what its author meant: never use it.
      return RowProblem(kind: .badQuoting, message: "has \(malformation)")
    }
    if record.fieldCount != fieldCount {
      return RowProblem(
        kind: .wrongFieldCount, message: "has \(record.fieldCount) fields, the header has \(fieldCount)")
    }
    if variantNames.index(of: record.field(variantColumn)) == nil {
      return RowProblem(
        kind: .unknownVariant,
        message:
          "has unknown variant \"\(record.echo(variantColumn))\" (the experiment has \(DisplayText.list(plan.variants)))"
      )
    }
    let column = segmentColumn ?? variantColumn
    return RowProblem(
      kind: .unknownSegment,
      message:
        "has unknown segment \"\(record.echo(column))\" (the experiment has \(DisplayText.list(plan.segments)))")
  }
}
