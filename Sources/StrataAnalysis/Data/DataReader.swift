import Foundation
import StrataAssignment

/// Reads experiment data into sufficient statistics in one streaming pass.
///
/// Two layouts are accepted, told apart by the header:
/// - **unit-level**: one row per exposed unit with the plan's unit, variant and segment columns and one
///   column per metric (0/1 for binomial metrics, a number for continuous ones; empty = missing, handled by
///   the metric's policy);
/// - **aggregated**: one row per variant × segment with columns `variant`, `segment`, `n`, and per metric
///   `<metric>_sum`, `<metric>_sum_sq` (optional for binomial metrics), optionally `<metric>_n` (units
///   with a value, when fewer than `n`) and `<metric>_shift` (the sums are about it), and per declared pair
///   `<a>_x_<b>_sum` (docs/analyze.md, "Aggregated input").
///
/// Either way the result is cell statistics plus an account of the rows; the analysis never sees a path.
public enum DataReader {
  /// Reads one data file.
  public static func read(path: String, plan: AnalysisPlan, options: DataReadOptions = DataReadOptions()) throws
    -> DataSummary
  {
    try read(paths: [path], plan: plan, options: options)
  }

  /// Reads the parts of one data set, in order, into one summary whose cells are the exact merge of the
  /// parts' cells (`SufficientStatistics.merge`).
  ///
  /// All parts must have one layout. Aggregated parts simply merge. Unit-level parts share one duplicate
  /// check, so a unit repeated in a later part is dropped as a duplicate exactly as within one file.
  ///
  /// Lin's regression (`covariates:`) needs every unit twice (its HC errors weigh each unit by its leverage under the
  /// fit): regular files are read twice, first for each cell's moments (`RegressionCells`), then for the sums of the
  /// units' HC terms under the fits those give (`RegressionSums`), with memory independent of the units. Each file's
  /// size and modification time must be the same after the second read as before the first, and so must the rows
  /// read and used (else a `DataError`: the file changed in between). A pipe (stdin), which cannot be read again,
  /// keeps the units' rows instead (`RegressionRows`, 8·(1 + k) bytes per unit and metric), as does
  /// `options.keepsRegressionRows`, and runs the same two passes over them (``replayingRows(_:plan:_:)``).
  ///
  /// A pipe (standard input, a FIFO) with unit-level data is read as it arrives in a regular file's chunks, with the
  /// file's deferred duplicate check, and copied to a temporary file for a second read (`InputSpool`, `PipeChunks`),
  /// or, without the check, with no copy; results and messages name it as given.
  public static func read(paths: [String], plan: AnalysisPlan, options: DataReadOptions = DataReadOptions()) throws
    -> DataSummary
  {
    precondition(!paths.isEmpty, "no data file")
    let copied = options.progress.map { report in { @Sendable (bytes: Int) in report(bytes, 0) } }
    let waits = Input.pipesWaitForTheirTurn(plan: plan, options: options)
    var inputs: [Input] = []
    for (index, path) in paths.enumerated() {
      // A pipe after the first is opened and looked at when its turn comes (`Input.how` nil): one writer may fill
      // the pipes in turn, and would wait on the first while this waited on the second's header.
      if index > 0 && waits && Input.isPipe(path) {
        inputs.append(Input(name: path, how: nil))
        continue
      }
      inputs.append(
        Input(name: path, how: try InputSpool.plan(for: path, plan: plan, options: options, progress: copied)))
    }
    do {
      return try read(inputs: inputs, plan: plan, options: options)
    } catch var error as DataError {
      if let input = inputs.first(where: { $0.path == error.file }) { error.file = input.name }
      throw error
    }
  }

  private static func read(inputs: [Input], plan: AnalysisPlan, options: DataReadOptions) throws -> DataSummary {
    let paths = inputs.map(\.path)
    let stamps = inputs.map { $0.isStreamed ? nil : Self.stamp($0.path) }
    // One progress bar over every part and read: the parts' sizes added (times two when the files are read twice),
    // no total when a part's size is unknown (a pipe).
    let size = stamps.allSatisfy({ $0 != nil }) ? stamps.reduce(0) { $0 + ($1?[0] ?? 0) } : 0
    guard plan.metrics.contains(where: { $0.regression != nil }), !options.keepsRegressionRows,
      stamps.allSatisfy({ $0 != nil })
    else {
      let read = try readOnce(inputs: inputs, plan: plan, options: options, progress: (before: 0, total: size))
      return try replayingRows(read, plan: plan, options)
    }
    var first = options
    first.regressionMode = .moments
    var summary = try readOnce(inputs: inputs, plan: plan, options: first, progress: (before: 0, total: 2 * size))
    guard let rows = summary.regressionRows, case .moments = rows.mode else { return summary }
    summary.regressionRows = nil
    summary.regressionCells = rows.moments
    let fits = RegressionFits(plan: plan, cells: rows.moments)
    var second = options
    second.regressionMode = .sums(fits.passTwo)
    let again = try readOnce(
      inputs: inputs, plan: plan, options: second, progress: (before: summary.bytes, total: 2 * size))
    let changed = zip(paths, zip(stamps, paths.map(Self.stamp))).first { $0.1.0 != $0.1.1 }?.0
    if let changed {
      throw DataError(
        file: changed, line: nil,
        message:
          "changed while it was read (Lin's regression reads the file twice: its size or modification time differs after the second read); analyze it again once it is complete"
      )
    }
    guard let sums = again.regressionRows, again.rowsRead == summary.rowsRead, again.rowsUsed == summary.rowsUsed
    else {
      throw DataError(
        file: summary.file, line: nil,
        message:
          "changed between the two reads of Lin's regression (\(summary.rowsRead) rows read, then \(again.rowsRead)); analyze it again once it is complete"
      )
    }
    summary.regressionSums = try fits.sums(from: sums, file: summary.file)
    return summary
  }

  /// A read that kept Lin's rows (a pipe, or `options.keepsRegressionRows`): the two passes run over them as over a
  /// regular file's two reads (`RegressionRows.replayedMoments`, `replayedSums`), giving the same cells and sums, so
  /// the analysis takes one way for both; the rows are then dropped unless the options keep them.
  private static func replayingRows(_ read: DataSummary, plan: AnalysisPlan, _ options: DataReadOptions) throws
    -> DataSummary
  {
    guard let rows = read.regressionRows, rows.mode == .rows, rows.available else { return read }
    var summary = read
    let cells = rows.replayedMoments(plan: plan)
    let fits = RegressionFits(plan: plan, cells: cells)
    summary.regressionCells = cells
    summary.regressionSums = try fits.sums(from: rows.replayedSums(fits.passTwo), file: summary.file)
    if !options.keepsRegressionRows { summary.regressionRows = nil }
    return summary
  }

  /// A regular file's size and modification time (nil for anything else: a pipe is read once).
  private static func stamp(_ path: String) -> [Int]? {
    guard StandardInput.isRegularFile(path) else { return nil }
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    #if canImport(Darwin)
      let modified = info.st_mtimespec
    #else
      let modified = info.st_mtim
    #endif
    return [Int(info.st_size), Int(modified.tv_sec), Int(modified.tv_nsec), Int(info.st_ino)]
  }

  /// One read of every part, as ``read(paths:plan:options:)`` describes.
  ///
  /// Each part reports its bytes to `options.progress` after `progress.before` and those of the parts before it, of
  /// `progress.total`.
  private static func readOnce(
    inputs: [Input], plan: AnalysisPlan, options: DataReadOptions, progress: (before: Int, total: Int)
  ) throws -> DataSummary {
    let seen = UnitHashSet()
    var total: DataSummary? = nil
    var before = progress.before
    let bar = progress.total
    for pending in inputs {
      var partOptions = options
      if let report = options.progress {
        partOptions.progress = { [before] bytes, _ in report(before + bytes, bar) }
      }
      let input = try pending.planned(plan: plan, options: partOptions)
      var part: DataSummary
      var path = input.path
      do {
        (part, path) = try readInput(input, plan: plan, options: partOptions, seen: seen)
      } catch var error as DataError {
        if error.file == input.path { error.file = input.name }  // a pipe planned at its turn: as given
        throw error
      }
      if path != input.name {
        part.file = input.name
        part.files = [input.name]
        part.spooledBytes = input.spool?.bytes ?? 0
      }
      before += part.bytes
      guard var summary = total else {
        total = part
        continue
      }
      guard part.format == summary.format else {
        throw DataError(
          file: path, line: 1,
          message:
            "is \(part.format.rawValue) data but \(StandardInput.displayName(summary.files[0])) is \(summary.format.rawValue); the data files of one analysis must share one layout"
        )
      }
      summary.add(part)
      total = summary
    }
    guard var summary = total else { preconditionFailure("at least one part was read") }
    if inputs.count > 1 { summary.duplicateDetectorBytes = summary.duplicatesChecked ? seen.memoryBytes : 0 }
    return summary
  }

  /// Reads one input (planned): its summary and the path it was read from (its copy's, or as given when the copy
  /// stopped).
  private static func readInput(_ input: Input, plan: AnalysisPlan, options: DataReadOptions, seen: UnitHashSet)
    throws -> (DataSummary, String)
  {
    if case .streamed(let spool, let source, let dataStart, let ended) = input.how {
      switch try ChunkedUnitReader.readStream(
        spool: spool, source: source, dataStart: dataStart, ended: ended, plan: plan, options: options, seen: seen)
      {
      case .summary(let summary): return (summary, input.path)
      case .copyStopped(let prefix):
        // As when the copy stops before the rows: read row by row from the start, named as given.
        return (try readPart(path: input.name, prefix: prefix, plan: plan, options: options, seen: seen), input.name)
      }
    }
    if case .arriving(let arrival) = input.how {
      let part = try ChunkedUnitReader.readArriving(arrival, name: input.name, plan: plan, options: options, seen: seen)
      return (part, input.path)
    }
    return (try readPart(path: input.path, prefix: input.prefix, plan: plan, options: options, seen: seen), input.path)
  }

  /// Reads one part: a regular file in chunks (`ChunkedUnitReader`), anything else row by row, `prefix`'s bytes first.
  private static func readPart(
    path: String, prefix: ReadPrefix?, plan: AnalysisPlan, options: DataReadOptions, seen: UnitHashSet
  ) throws -> DataSummary {
    if prefix == nil, let summary = try ChunkedUnitReader.read(path: path, plan: plan, options: options, seen: seen) {
      return summary
    }
    var scanner = try CSVScanner(path: path, prefix: prefix)
    defer { scanner.close() }
    var header: [String] = []
    var unitReader: UnitLevelRows? = nil
    var aggregateReader: AggregatedRows? = nil
    // Unit-level rows go into the chunks a regular file is cut into (a pipe gives the file's bytes).
    var chunks: DataChunks.Stream? = nil
    let progress = options.progress
    let size = scanner.fileSize
    try scanner.forEachRecord(progress: { progress?($0, size) }) { record in
      if header.isEmpty {
        try record.rejectUnreadableHeader(path: path)
        header = (0..<record.fieldCount).map { record.string($0).trimmingSpaces }
        if AggregatedRows.recognizes(header: header, plan: plan) {
          aggregateReader = try AggregatedRows(header: header, plan: plan, path: path, strict: options.strict)
        } else {
          let rows = try UnitLevelRows(header: header, plan: plan, path: path, options: options, seen: seen)
          unitReader = rows
          unitReader?.fileSize = size
          chunks = DataChunks.Stream(rows: rows, dataStart: record.end, chunkSize: options.chunkSize)
        }
        return true
      }
      if chunks?.startsChunk(record) == true, var rows = unitReader {
        unitReader = nil  // the only reference to its tables while they are merged and emptied
        try chunks?.cut(&rows)
        unitReader = rows
      }
      if !record.isBlank {
        try unitReader?.consume(record)  // exactly one of the two readers exists after the header
        try aggregateReader?.consume(record)
      }
      return true
    }
    guard !header.isEmpty else { throw DataError(file: path, line: nil, message: "is empty (no header row)") }
    if var rows = unitReader {
      unitReader = nil
      try rows.flush()
      try chunks?.finish(&rows)
      unitReader = rows
    }
    if var unitReader {
      var summary = DataSummary(
        file: path, format: .unitLevel, bytes: scanner.bytesRead, rowsRead: unitReader.rowsRead,
        rowsUsed: unitReader.rowsUsed,
        issues: unitReader.issues, statistics: unitReader.statistics, duplicatesChecked: unitReader.checksDuplicates,
        duplicateDetectorBytes: unitReader.checksDuplicates ? unitReader.seen.memoryBytes : 0)
      summary.missingUnitColumn = unitReader.unitColumn == nil ? plan.unitColumn : nil
      summary.header = header
      summary.regressionRows = unitReader.regressionRows.isEmpty ? nil : unitReader.regressionRows
      summary.zeroFillsCounted = true
      return summary
    }
    if let aggregateReader {
      var summary = DataSummary(
        file: path, format: .aggregated, bytes: scanner.bytesRead, rowsRead: aggregateReader.rowsRead,
        rowsUsed: aggregateReader.rowsUsed, issues: aggregateReader.issues, statistics: aggregateReader.statistics,
        duplicatesChecked: false, duplicateDetectorBytes: 0)
      summary.header = header
      summary.zeroFillsCounted = aggregateReader.zeroFillsCounted
      summary.regressionCells = aggregateReader.regressionCells
      summary.doubtfulCells = aggregateReader.doubtfulCells
      return summary
    }
    preconditionFailure("a header was read, so one of the readers exists")
  }

  /// How a missing column is described: `metric "revenue"`, or `numerator of "revenue_per_order"` /
  /// `covariate of "revenue"` for a column a ratio or covariate reads.
  static func purpose(of column: AnalysisPlan.Metric, plan: AnalysisPlan) -> String {
    if plan.metrics.contains(where: { $0.name == column.name && $0.column == column.column && !$0.kind.isRatio }) {
      return "metric \"\(column.name)\""
    }
    var uses: [String] = []
    for metric in plan.metrics {
      for use in metric.columnUses where use.column == column.column && use.part != .value {
        uses.append("\(use.part.rawValue) of \"\(metric.name)\"")
      }
    }
    return uses.isEmpty ? "metric \"\(column.name)\"" : uses.joined(separator: " and ")
  }

  /// Finds `name` in the header, or throws naming the columns that are there.
  static func column(_ name: String, in header: [String], path: String, purpose: String) throws -> Int {
    guard let index = header.firstIndex(of: name) else {
      throw DataError(
        file: path, line: 1,
        message: "has no \(purpose) column \"\(DisplayText.echo(name))\" (columns: \(DisplayText.list(header)))")
    }
    return index
  }
}

extension String {
  var trimmingSpaces: String {
    var s = Substring(self)
    while s.first == " " || s.first == "\u{FEFF}" { s.removeFirst() }
    while s.last == " " { s.removeLast() }
    return String(s)
  }
}
