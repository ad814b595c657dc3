import StrataAssignment

/// Turns unit-level rows into sufficient statistics (the hot path of `strata analyze`).
struct UnitLevelRows {
  let plan: AnalysisPlan
  let path: String
  let strict: Bool
  let checksDuplicates: Bool
  let fieldCount: Int
  let unitColumn: Int?
  let variantColumn: Int
  let segmentColumn: Int?
  /// Per value column (`AnalysisPlan.columns`): its field, name, whether it is 0/1 and whether missing is 0.
  let metricColumns: [Int]
  let columnNames: [String]
  let binomial: [Bool]
  let missingIsZero: [Bool]
  /// The columns every row is checked on (quoting, field count, variant, segment).
  let columns: CellColumns
  /// The cells so far, their unit counts not yet settled: the per-row update leaves them to
  /// `SufficientStatistics.settleUnits()` (`addRow`), which `statistics` runs.
  private var cells: SufficientStatistics
  /// The cells so far, with their unit counts (settled when read, once per chunk or file).
  var statistics: SufficientStatistics {
    mutating get {
      cells.settleUnits()
      return cells
    }
    set { cells = newValue }
  }
  /// Empties the cells in place (`SufficientStatistics.reset`), keeping their tables.
  mutating func resetCells() { cells.reset() }
  /// Unit rows for regression-adjusted metrics (`covariates:`); empty when the plan has none.
  var regressionRows: RegressionRows
  var issues = DataIssues()
  /// Unit ids seen so far; shared by the parts of a data set read one after another.
  let seen: UnitHashSet
  /// Units in `seen` from earlier parts.
  let unitsBefore: Int
  /// The plan's cross-products as metric indices (`AnalysisPlan.crossProducts`).
  let pairs: [(first: Int, second: Int)]
  var rowsRead = 0
  var rowsUsed = 0
  /// How the duplicate check runs (see `DuplicateMode`); `.check` unless a chunked read says otherwise.
  var duplicateMode = DuplicateMode.check
  /// `.collect`: the hash of every row that reached the duplicate check, in order (its index is the row's ordinal).
  var hashes: HashScratch? = nil
  /// `.dropRepeats`: the keys (`UnitHashSet.key`) that occur more than once, each with the log chunk of its first
  /// occurrence, and the log chunk being read.
  var repeats: [UInt64: Int] = [:]
  var logChunk = 0
  /// `.dropRepeats`: the repeated keys whose first occurrence this chunk has used.
  private var keptHere: Set<UInt64> = []

  /// How a reader checks duplicate units.
  enum DuplicateMode {
    /// Against `seen`, a batch at a time, first occurrence wins (one reader over a whole file, or the rest of one).
    case check
    /// Every row is used; the hashes of the rows that reach the check are collected in `hashes` for the caller's
    /// log (the first pass over one chunk of a file).
    case collect
    /// A row whose key is in `repeats` is a duplicate unless this chunk holds the key's first occurrence and has
    /// not used it yet (a file read again after its log showed repeats).
    case dropRepeats
  }
  /// Per value column, what the per-row loop needs of it in one place: its field, whether it is 0/1 and whether
  /// missing is 0 (the same as `metricColumns`, `binomial` and `missingIsZero`, one array read instead of three).
  private let valueColumns: [ValueColumn]
  private struct ValueColumn {
    var field: Int
    var binomial: Bool
    var missingIsZero: Bool
  }
  /// Whether any column counts a missing value as 0; then a row's `filled` flags say which of its values were filled.
  private let fillsZeros: Bool
  /// The row's values as an array, for the regression rows (`RegressionRows.add` takes one); empty without them.
  private var regressionValues: [Double] = []
  private var pendingFilled: [Bool] = []
  /// Valid rows waiting for the duplicate check, which runs a batch at a time (see `UnitHashSet`).
  private var pending: [PendingRow] = []
  private var pendingValues: [Double] = []
  private var pendingHashes: [UInt64] = []
  private var pendingIds: [UInt8] = []
  private var inserted = [Bool](repeating: false, count: Self.batchSize)
  static let batchSize = 256
  /// Whether rows wait in `pending` for their cells to be fetched ahead (`flush`): when the cells are too large for
  /// the caches (thousands of segments), a row's update would otherwise wait on memory, one row after another.
  private let prefetchesCells: Bool
  /// Cells fetched this many rows ahead of their update.
  static let prefetchDistance = 8
  /// Beyond this many bytes of cells a reader fetches them ahead.
  ///
  /// The second-level cache of one core (1 MiB on the benchmark machine): cells that fit there (2,000 segments × 3
  /// variants × 2 metrics, 720 kB) wait little on memory, and batching their rows cost more than it saved
  /// (docs/performance.md, "Many segments").
  static let prefetchBytes = 1 << 20
  /// Value columns per row (`values.count`).
  private let valueCount: Int
  /// Cross-products per row (`pairs.count`).
  private let pairCount: Int

  private struct PendingRow {
    var variant: Int
    var segment: Int
    var line: Int
    var idStart: Int
    var idEnd: Int
  }

  init(
    header: [String], plan: AnalysisPlan, path: String, options: DataReadOptions, seen: UnitHashSet = UnitHashSet()
  ) throws {
    self.plan = plan
    self.seen = seen
    unitsBefore = seen.count
    pairs = plan.crossProducts.map { ($0.first, $0.second) }
    self.path = path
    strict = options.strict
    fieldCount = header.count
    let read =
      [plan.unitColumn, plan.variantColumn] + (plan.segments.count > 1 ? [plan.segmentColumn] : [])
      + plan.columns.map(\.column)
    if let problem = RepeatedColumns.problem(reading: read, in: header) {
      throw DataError(file: path, line: 1, message: problem)
    }
    unitColumn = header.firstIndex(of: plan.unitColumn)
    if unitColumn == nil && options.checkDuplicates && options.strict {
      // Without the unit column duplicates cannot be checked; strict reading refuses instead of warning.
      throw DataError(
        file: path, line: 1,
        message:
          "has no unit id column \"\(plan.unitColumn)\" (the definition's unit:), so duplicate units cannot be checked (columns: \(DataSummary.columnList(header)))",
        hint: .duplicateCheck)
    }
    checksDuplicates = options.checkDuplicates && unitColumn != nil
    variantColumn = try DataReader.column(plan.variantColumn, in: header, path: path, purpose: "variant")
    if plan.segments.count > 1 {
      segmentColumn = try DataReader.column(plan.segmentColumn, in: header, path: path, purpose: "segment")
    } else {
      segmentColumn = nil  // one segment: whatever a segment column holds, every row belongs to it
    }
    let valueColumns = plan.columns
    metricColumns = try valueColumns.map {
      try DataReader.column($0.column, in: header, path: path, purpose: DataReader.purpose(of: $0, plan: plan))
    }
    columnNames = valueColumns.map(\.name)
    binomial = valueColumns.map { $0.kind == .binomial }
    missingIsZero = valueColumns.map { $0.missing == .zero }
    columns = CellColumns(
      fieldCount: fieldCount, variantColumn: variantColumn, segmentColumn: segmentColumn,
      variantNames: ByteNameTable(plan.variants), segmentNames: ByteNameTable(plan.segments))
    shortNames = columns.variantNames.hasShortTable && (segmentColumn == nil || columns.segmentNames.hasShortTable)
    cells = SufficientStatistics(plan: plan)
    prefetchesCells = cells.memoryBytes > Self.prefetchBytes
    valueCount = valueColumns.count
    pairCount = plan.crossProducts.count
    regressionRows = RegressionRows(plan: plan, available: true, mode: options.regressionMode)
    fillsZeros = missingIsZero.contains(true)
    let (fields, zeros) = (metricColumns, missingIsZero)
    self.valueColumns = zip(valueColumns, fields.indices).map {
      ValueColumn(field: fields[$1], binomial: $0.kind == .binomial, missingIsZero: zeros[$1])
    }
  }

  /// The data file's size, for sizing the duplicate check up front; 0 when unknown (a pipe).
  var fileSize = 0 {
    didSet { sampleLimit = checksDuplicates && fileSize > 0 ? Self.sampleRows : 0 }
  }
  private var sampledBytes = 0
  static let sampleRows = 4096
  /// The rows whose length is sampled (`sampleRows` when the duplicate check is sized from the file, else 0): one
  /// comparison per row instead of three tests.
  private var sampleLimit = 0

  /// Reads one data row into the cells (or the pending batch), or records (under `--strict` throws) why it is not used.
  ///
  /// Always inlined into its callers' per-record closures: the row's whole path (cell lookup, values, cell update)
  /// is one function, with no call per row but the number parser's.
  @inline(__always)
  mutating func consume(_ record: CSVScanner.Record) throws {
    rowsRead &+= 1
    if rowsRead <= sampleLimit { sample(record) }
    // With few short names, the usual row's cell from the inlined lookups alone, anything else (a name with spaces
    // around it, a bad row) from `cell(of:)`, out of line; with many names (their hash table), `cell(of:)` inlined.
    let cell =
      shortNames ? columns.quickCell(of: record) ?? generalCell(of: record) : columns.cell(of: record)
    guard let (variant, segment) = cell else {
      let problem = columns.problem(with: record, plan: plan)
      return try reject(problem.kind, record, problem.message)
    }
    // The row's values (NaN for missing) and whether each was missing and counted as 0, on the stack: stored arrays
    // written on every row cost a uniqueness check per write (`swift_isUniquelyReferenced`, 2.8% of the instructions
    // of `analyze`), and scratch stored in the reader could not be handed to the cells without a copy. Up to 8 value
    // columns (the usual case): fixed-size arrays, reached through spans rather than a closure, so that nothing
    // stands between the row and the compiler's inlining; more columns take the out-of-line path.
    guard valueCount <= 8 else { return try consumeWide(record, variant: variant, segment: segment) }
    var values = InlineArray<8, Double>(repeating: 0)
    var filled = InlineArray<8, Bool>(repeating: false)
    var valueSpan = values.mutableSpan
    var filledSpan = filled.mutableSpan
    try consume(record, variant: variant, segment: segment, values: &valueSpan, filled: &filledSpan)
  }

  /// Whether the variant and segment names have the collision-free table of short names (`ByteNameTable`), so that
  /// `CellColumns.quickCell(of:)` finds the usual row's cell.
  private let shortNames: Bool

  /// The row's cell, or nil (`CellColumns.cell(of:)`), for the rows `quickCell(of:)` leaves.
  ///
  /// Mutating, like its caller: a non-mutating method called from it copied the whole reader for every call.
  @inline(never)
  private mutating func generalCell(of record: CSVScanner.Record) -> (variant: Int, segment: Int)? {
    columns.cell(of: record)
  }

  /// `consume(_:)` for rows of more than 8 value columns: scratch from a temporary allocation.
  @inline(never)
  private mutating func consumeWide(_ record: CSVScanner.Record, variant: Int, segment: Int) throws {
    try withUnsafeTemporaryAllocation(of: Double.self, capacity: valueCount) { values in
      try withUnsafeTemporaryAllocation(of: Bool.self, capacity: valueCount) { filled in
        values.initialize(repeating: 0)
        filled.initialize(repeating: false)
        var valueSpan = values.mutableSpan
        var filledSpan = filled.mutableSpan
        try consume(record, variant: variant, segment: segment, values: &valueSpan, filled: &filledSpan)
      }
    }
  }

  /// Adds the record's length to the sample that sizes the duplicate check (the first `sampleRows` rows).
  @inline(never)
  private mutating func sample(_ record: CSVScanner.Record) {
    sampledBytes += record.ends[record.fieldCount - 1] - record.starts[0] + 1
    if rowsRead == Self.sampleRows {
      // Estimate the number of rows from the first ones' length. Early ids tend to be shorter, so the
      // estimate runs high: reserve 90% of it, which keeps the table within its documented 10.7–21.3
      // bytes per unit (an underestimate just costs one late resize, as without the estimate).
      // Earlier parts of the data set are already in the table.
      seen.reserve(unitsBefore + Int(Double(fileSize) / (Double(sampledBytes) / Double(Self.sampleRows)) * 0.9))
    }
  }

  /// `consume(_:)` once the row's cell is known, with scratch room for its values and flags (`valueCount` of each).
  ///
  /// Transparent, not just `@inline(__always)`: the optimizer inlines an always-inline function of more than 64
  /// blocks only into a caller of fewer than 64, which the cell lookup before it is not, so this stayed a call of
  /// its own per row (with its own prologue, spills and reloads).
  @_transparent
  private mutating func consume(
    _ record: CSVScanner.Record, variant: Int, segment: Int, values: inout MutableSpan<Double>,
    filled: inout MutableSpan<Bool>
  ) throws {
    for metric in 0..<valueCount {
      let column = valueColumns[metric]
      let field = record.field(column.field)
      // The parser returns nil for an empty field (nothing but spaces) too, so the usual row, with every value
      // present, is parsed without testing for emptiness first.
      if let value = NumberParser.parse(field) {
        // `value * (value - 1) == 0` is `value == 0 || value == 1` (parsed numbers are finite) without a branch on
        // which: for a 0/1 column that branch went the row's way and mispredicted.
        guard !column.binomial || value * (value - 1) == 0 else { return try rejectNumber(metric, record) }
        values[metric] = value  // `filled[metric]` is false already
      } else if isEmpty(field) {
        values[metric] = column.missingIsZero ? 0 : .nan
        filled[metric] = column.missingIsZero
      } else {
        return try rejectNumber(metric, record)
      }
    }
    if let unitColumn {
      let unit = record.field(unitColumn)
      if isEmpty(unit) { return try reject(.missingUnit, record, "has an empty unit id") }
      if checksDuplicates && duplicateMode != .check {
        if duplicateMode == .collect {
          hashes?.append(UnitHashSet.hash(unit))
        } else {
          let key = UnitHashSet.key(UnitHashSet.hash(unit))
          if let first = repeats[key], first < logChunk || !keptHere.insert(key).inserted {
            let id = String(decoding: unit, as: UTF8.self)
            return try reject(.duplicateUnit, record, "repeats unit \"\(id)\" (only its first row is used)")
          }
        }
      } else if checksDuplicates {
        pending.append(
          PendingRow(
            variant: variant, segment: segment, line: record.line, idStart: pendingIds.count,
            idEnd: pendingIds.count + unit.count))
        pendingIds.append(contentsOf: unit)
        appendPendingValues(values.span, filled.span)
        pendingHashes.append(UnitHashSet.hash(unit))
        if pending.count == Self.batchSize { try flush() }
        return
      }
    }
    guard prefetchesCells else {
      accumulate(variant: variant, segment: segment, values: values.span, filled: filled.span)
      return
    }
    // Cells too large for the caches: the row waits in the batch, whose cells are fetched ahead (`flush`).
    pending.append(PendingRow(variant: variant, segment: segment, line: record.line, idStart: 0, idEnd: 0))
    appendPendingValues(values.span, filled.span)
    if pending.count == Self.batchSize { try flush() }
  }

  /// Accumulates the pending rows in order: with the duplicate check against `seen` (`.check`), only the first
  /// occurrences; otherwise every one (rows that wait only for their cells to be fetched, `prefetchesCells`).
  mutating func flush() throws {
    guard !pending.isEmpty else { return }
    let count = pending.count
    let checking = checksDuplicates && duplicateMode == .check
    if checking {
      pendingHashes.withUnsafeBufferPointer { hashes in
        inserted.withUnsafeMutableBufferPointer {
          seen.insert(batch: hashes, inserted: UnsafeMutableBufferPointer(rebasing: $0[0..<count]))
        }
      }
    }
    if prefetchesCells {
      for index in 0..<min(count, Self.prefetchDistance) { prefetchCell(of: pending[index]) }
    }
    for index in 0..<count {
      let row = pending[index]
      if prefetchesCells && index + Self.prefetchDistance < count {
        prefetchCell(of: pending[index + Self.prefetchDistance])
      }
      if !checking || inserted[index] {
        accumulate(variant: row.variant, segment: row.segment, pendingRow: index)
      } else {
        let id = String(decoding: pendingIds[row.idStart..<row.idEnd], as: UTF8.self)
        let message = "repeats unit \"\(id)\" (only its first row is used)"
        if strict {
          clearPending()
          throw DataError(file: path, line: row.line, message: "row " + message, hint: .strict)
        }
        issues.record(.duplicateUnit, line: row.line, example: message)
      }
    }
    clearPending()
  }

  /// Asks the processor for `row`'s cell ahead of its update.
  ///
  /// Mutating, like its callers: a non-mutating method called from them copied the whole reader for every call.
  @inline(__always)
  private mutating func prefetchCell(of row: PendingRow) {
    cells.prefetch(variant: row.variant, segment: row.segment, columns: valueCount, pairs: pairCount)
  }

  /// The row's values (and which were filled) onto the pending ones.
  @inline(__always)
  private mutating func appendPendingValues(_ values: Span<Double>, _ filled: Span<Bool>) {
    for metric in 0..<valueCount { pendingValues.append(values[metric]) }
    if fillsZeros {
      for metric in 0..<valueCount { pendingFilled.append(filled[metric]) }
    }
  }

  private mutating func clearPending() {
    pending.removeAll(keepingCapacity: true)
    pendingValues.removeAll(keepingCapacity: true)
    pendingFilled.removeAll(keepingCapacity: true)
    pendingHashes.removeAll(keepingCapacity: true)
    pendingIds.removeAll(keepingCapacity: true)
  }

  /// Adds pending row `index` to the cells (its values copied to scratch room first).
  private mutating func accumulate(variant: Int, segment: Int, pendingRow index: Int) {
    withUnsafeTemporaryAllocation(of: Double.self, capacity: max(1, valueCount)) { values in
      withUnsafeTemporaryAllocation(of: Bool.self, capacity: max(1, valueCount)) { filled in
        values.initialize(repeating: 0)
        filled.initialize(repeating: false)
        let offset = index * valueCount
        for metric in 0..<valueCount {
          values[metric] = pendingValues[offset + metric]
          filled[metric] = fillsZeros && pendingFilled[offset + metric]
        }
        accumulate(variant: variant, segment: segment, values: values.span, filled: filled.span)
      }
    }
  }

  /// Adds a row to the cells: `values[c]` is value column c's (NaN when missing), `filled[c]` whether it was missing
  /// and counted as 0 (read only when `fillsZeros`).
  ///
  /// Transparent, as `consume(_:variant:segment:values:filled:)`: merely always-inline, it became a call of its own
  /// per row once the row's update no longer counted the unit (the optimizer's size limits, not its cost).
  @_transparent
  private mutating func accumulate(variant: Int, segment: Int, values: Span<Double>, filled: Span<Bool>) {
    let cell = variant &* cells.segmentCount &+ segment  // a cell of the table: it cannot overflow
    cells.addRow(cell: cell, values: values, filled: filled, countsFilled: fillsZeros)
    if !regressionRows.isEmpty {
      regressionValues.removeAll(keepingCapacity: true)
      for metric in 0..<valueCount { regressionValues.append(values[metric]) }
      regressionRows.add(cell: cell, values: regressionValues, offset: 0)
    }
    if pairCount > 0 { cells.addPairs(cell: cell, values: values, columns: pairs) }
    rowsUsed &+= 1
  }

  /// Rejects the row for metric `metric`'s value (not a number, or not 0/1 for a binomial metric).
  @inline(never)
  private mutating func rejectNumber(_ metric: Int, _ record: CSVScanner.Record) throws {
    let expectation = binomial[metric] ? "0 or 1" : "a number"
    try reject(
      .badNumber, record,
      "has \"\(record.echo(metricColumns[metric]))\" for \(binomial[metric] ? "metric" : "column") \"\(columnNames[metric])\", which must be \(expectation)"
    )
  }

  @inline(__always)
  private func isEmpty(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
    for byte in field where byte != UInt8(ascii: " ") { return false }
    return true
  }

  private mutating func reject(_ kind: DataIssues.Kind, _ record: CSVScanner.Record, _ message: String) throws {
    if strict {
      try flush()  // an earlier duplicate still waiting in the batch is the first bad row
      throw DataError(file: path, line: record.line, message: "row " + message, hint: .strict)
    }
    issues.record(kind, line: record.line, example: message)
  }
}
