extension DataSummary {
  /// Throws unless at least one unit was read: a header-only file, or one whose every row was dropped,
  /// has nothing to analyse (and must not pass a sample-ratio check or use up a look).
  public func requireUnits() throws {
    guard units == 0 else { return }
    if rowsRead == 0 {
      throw DataError(file: file, line: nil, message: "has a header but no data rows: nothing to analyze")
    }
    if format == .aggregated && issues.total == 0 {
      throw DataError(file: file, line: nil, message: "has \(rowsRead) rows but every n is 0: nothing to analyze")
    }
    let reasons = issues.kinds.compactMap { kind in
      issues.entries[kind].map {
        "\($0.count) \($0.count == 1 ? "row" : "rows") with \(kind.phrase), first at line \($0.firstLines.first ?? 0)"
      }
    }
    throw DataError(
      file: file, line: nil,
      message:
        "has \(rowsRead) data \(rowsRead == 1 ? "row" : "rows") but none could be used (\(reasons.joined(separator: "; "))): nothing to analyze"
    )
  }

  /// The header's column names for a message, quoted, capped at about 200 characters.
  static func columnList(_ header: [String]) -> String {
    var text = ""
    for (index, name) in header.enumerated() {
      let item = (index == 0 ? "" : ", ") + name
      if text.count + item.count > 200 {
        return text + ", … (\(header.count) columns)"
      }
      text += item
    }
    return text
  }
}
