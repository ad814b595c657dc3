import StrataAssignment

extension CSVScanner.Record {
  /// Whether this record (the header) holds a carriage return that is not part of a CRLF line end: the
  /// mark of a file whose lines end in CR alone (classic Mac OS, some spreadsheet exports), which reads
  /// as one giant header line.
  var hasBareCarriageReturn: Bool {
    (0..<fieldCount).contains { field($0).contains(0x0D) }
  }

  /// Whether this record (the header) is UTF-16 text: it starts with a UTF-16 byte-order mark (`FF FE` or
  /// `FE FF`, as Excel's "Unicode text" and PowerShell write it), or one of its first two bytes is NUL (UTF-16
  /// without a mark).
  var isUTF16: Bool {
    guard fieldCount > 0 else { return false }
    let first = field(0)
    guard first.count >= 2 else { return false }
    return (first[0] == 0xFF && first[1] == 0xFE) || (first[0] == 0xFE && first[1] == 0xFF) || first[0] == 0
      || first[1] == 0
  }

  /// Throws for a header that cannot be a CSV header as Strata reads it, naming the file and the fix, before any
  /// column is looked up: UTF-16 text (its names would be echoed as bytes with NULs between them) or CR-only line
  /// ends (otherwise the error would echo the whole file as "the header").
  package func rejectUnreadableHeader(path: String) throws(DataError) {
    if isUTF16 {
      throw DataError(
        file: path, line: 1,
        message:
          "is UTF-16 text (as Excel's \"Unicode text\" and PowerShell save it), not UTF-8; save it as UTF-8 "
          + "(e.g. iconv -f UTF-16 -t UTF-8 < IN > OUT)")
    }
    try rejectCarriageReturnLineEnds(path: path)
  }

  /// Throws for a header with CR-only line ends, naming the file and the fix, before any column is looked
  /// up (otherwise the error would echo the whole file as "the header").
  func rejectCarriageReturnLineEnds(path: String) throws(DataError) {
    guard hasBareCarriageReturn else { return }
    throw DataError(
      file: path, line: 1,
      message:
        "lines end with a carriage return alone (CR, as old Mac and some spreadsheet exports write them), so "
        + "the whole file reads as one line; save it with LF or CRLF line ends (e.g. tr '\\r' '\\n' < IN > OUT)")
  }
}

extension CSVScanner.Record {
  /// A field as echoed in a message: controls escaped, cut after ~200 characters.
  func echo(_ index: Int) -> String { DisplayText.echo(string(index)) }
}
