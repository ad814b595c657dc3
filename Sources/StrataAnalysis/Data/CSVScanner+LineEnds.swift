import StrataAssignment

extension CSVScanner.Record {
  /// Whether this record (the header) holds a carriage return that is not part of a CRLF line end: the
  /// mark of a file whose lines end in CR alone (classic Mac OS, some spreadsheet exports), which reads
  /// as one giant header line.
  var hasBareCarriageReturn: Bool {
    (0..<fieldCount).contains { field($0).contains(0x0D) }
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
