import StrataAssignment

extension CSVScanner.Record {
  /// Whether this record (the header) holds a carriage return that is not part of a CRLF line end: the
  /// mark of a file whose lines end in CR alone (classic Mac OS, some spreadsheet exports), which reads
  /// as one giant header line.
  var hasBareCarriageReturn: Bool {
    (0..<fieldCount).contains { field($0).contains(0x0D) }
  }

  /// The header's UTF-16 form as `iconv` names it, or nil when it is not UTF-16 text.
  ///
  /// UTF-16 text starts with a byte-order mark (`FF FE` or `FE FF`, as Excel's "Unicode text" and PowerShell
  /// write it), or one of its first two bytes is NUL (UTF-16 without a mark). The form: `UTF-16` with a mark
  /// (iconv reads it), else `UTF-16BE` when the first byte is NUL (an ASCII name's high byte first) or `UTF-16LE`
  /// when the second is. Without a mark, plain `UTF-16` is read in one byte order only, garbling the other.
  var utf16Encoding: String? {
    guard fieldCount > 0 else { return nil }
    let first = field(0)
    guard first.count >= 2 else { return nil }
    if (first[0] == 0xFF && first[1] == 0xFE) || (first[0] == 0xFE && first[1] == 0xFF) { return "UTF-16" }
    if first[0] == 0 { return "UTF-16BE" }
    if first[1] == 0 { return "UTF-16LE" }
    return nil
  }

  /// Throws for a header that cannot be a CSV header as Strata reads it, naming the file and the fix, before any
  /// column is looked up: UTF-16 text (its names would be echoed as bytes with NULs between them) or CR-only line
  /// ends (otherwise the error would echo the whole file as "the header").
  package func rejectUnreadableHeader(path: String) throws(DataError) {
    if let encoding = utf16Encoding {
      throw DataError(
        file: path, line: 1,
        message:
          "is UTF-16 text (as Excel's \"Unicode text\" and PowerShell save it), not UTF-8; save it as UTF-8 "
          + "(e.g. iconv -f \(encoding) -t UTF-8 < IN > OUT)")
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
