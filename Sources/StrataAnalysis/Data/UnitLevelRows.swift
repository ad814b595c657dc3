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
  /// The values read as missing besides an empty field (`DataReadOptions.missingValues`), as bytes.
  let missingValues: [[UInt8]]
  /// The columns every row is checked on (quoting, field count, variant, segment).
  let columns: CellColumns
  /// The cells so far, their unit counts not yet settled: the per-row update leaves them to
  /// `SufficientStatistics.settleUnits()` (`addRow`), which `statistics` runs.
  private var cells: SufficientStatistics
  /// The cells so far, with their unit counts (settled when read, once per chunk or file).
  var statistics: SufficientStatistics {
    mutating get {
      if waiting.count > 0 { addWaitingRows() }
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
  ///
  /// A buffer of no room otherwise. A value of plain pointers, so that a row's append retains nothing.
  var hashes = HashScratch()
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
  /// Whether rows wait for their cells to be fetched ahead (`waitForCell`, or in `pending` for `flush`): when the cells
  /// are too large for the caches (thousands of segments), a row's update would otherwise wait on memory, one row
  /// after another.
  ///
  /// Set from the cells' size; tests set it to compare both ways.
  var prefetchesCells: Bool
  /// Cells fetched this many rows ahead of their update.
  static let prefetchDistance = 8
  /// Rows of up to 8 value columns whose cells are being fetched (`prefetchesCells`) and that need no duplicate check
  /// against `seen`, from `consume` and `consumeFast` alike.
  ///
  /// Each row's cell is fetched when it arrives and the row added `prefetchDistance` rows later, in order
  /// (`waitForCell`), from fixed-size storage of the reader's own, with no array written per row (the batch in
  /// `pending`, its appends, uniqueness checks and a temporary copy per row, cost several hundred instructions per
  /// row at 20,000 segments). `flush()` adds the rows still waiting.
  private var waiting = WaitingRows()
  private struct WaitingRows {
    var variants = InlineArray<8, Int>(repeating: 0)
    var segments = InlineArray<8, Int>(repeating: 0)
    /// Row `slot`'s values and filled flags at `8 * slot + metric`.
    var values = InlineArray<64, Double>(repeating: 0)
    var filled = InlineArray<64, Bool>(repeating: false)
    /// The slot of the oldest row waiting, and how many wait.
    var head = 0
    var count = 0
  }
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
  /// Per field of a row, what `consumeFast` does with it (`FastRole`), for the first `fastFields` fields; `fastFields`
  /// is 0 when the layout does not allow the fast path (names with none of `ByteNameTable`'s tables, which only names
  /// that share a key can cause, and then only up to 8 of them; more than 8 value columns or 16 fields; one field
  /// read for two purposes).
  let fastRoles: InlineArray<16, UInt8>
  let fastFields: Int

  /// What a field is to `consumeFast`: skipped (its bytes only checked), the unit id, the variant, the segment (either
  /// with `hashed` set when its names have no table of short names, and `wide` as well when they have the wide table,
  /// as every such set but those whose names share a key does, and `twoWords` as well when a name is longer than 8
  /// bytes; `hashed` alone: the hash table's lookup), or value column `role & 7` (`value`, with `binomial` set for a
  /// 0/1 metric and `missingIsZero` for one whose missing values count as 0).
  enum FastRole {
    static let skipped: UInt8 = 0
    static let unit: UInt8 = 1
    static let variant: UInt8 = 2
    static let segment: UInt8 = 3
    static let wide: UInt8 = 0x04
    /// With `wide` and `hashed`: names of more than 8 bytes among them, looked up by their first two words.
    ///
    /// The wide table's names of at most 8 bytes (`ByteNameTable.hasWideWords`) have `wide` and `hashed` alone: so the
    /// two words' role is the largest name role, and one comparison sends a field there, as before the words' branch
    /// (20,000 segments' rows paid 8 instructions more for a second one). The same bit as `missingIsZero`, which only
    /// value columns have.
    static let twoWords: UInt8 = 0x10
    static let hashed: UInt8 = 0x08
    static let value: UInt8 = 0x40
    static let binomial: UInt8 = 0x20
    static let missingIsZero: UInt8 = 0x10
  }

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
    missingValues = options.missingValues.map { Array($0.utf8) }
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
    fetchesEarly =
      !prefetchesCells && cells.memoryBytes > Self.earlyFetchBytes && (segmentColumn ?? -1) > variantColumn
      && columns.segmentNames.hasWideTable
    valueCount = valueColumns.count
    pairCount = plan.crossProducts.count
    regressionRows = RegressionRows(plan: plan, available: true, mode: options.regressionMode)
    fillsZeros = missingIsZero.contains(true)
    let (fields, zeros) = (metricColumns, missingIsZero)
    self.valueColumns = zip(valueColumns, fields.indices).map {
      ValueColumn(field: fields[$1], binomial: $0.kind == .binomial, missingIsZero: zeros[$1])
    }
    (fastRoles, fastFields) = Self.fastLayout(
      fieldCount: fieldCount, unit: unitColumn, variant: variantColumn, segment: segmentColumn, values: metricColumns,
      binomial: binomial, missingIsZero: missingIsZero, variantNames: columns.variantNames,
      segmentNames: columns.segmentNames)
  }

  /// The fast path's roles per field (`fastRoles`, `fastFields`), or no fields when the layout does not allow it.
  private static func fastLayout(
    fieldCount: Int, unit: Int?, variant: Int, segment: Int?, values: [Int], binomial: [Bool], missingIsZero: [Bool],
    variantNames: ByteNameTable, segmentNames: ByteNameTable
  ) -> (InlineArray<16, UInt8>, Int) {
    var roles = InlineArray<16, UInt8>(repeating: FastRole.skipped)
    // A name column's role: the short table's word lookup, the wide table's (`hashed` and `wide`; with `twoWords`
    // unless every name is at most 8 bytes), the hash table's (`hashed`), or none (no fast path).
    func nameRole(_ role: UInt8, _ names: ByteNameTable) -> UInt8? {
      if names.hasShortTable { return role }
      if names.hasWideWords { return role | FastRole.hashed | FastRole.wide }
      if names.hasWideTable { return role | FastRole.hashed | FastRole.wide | FastRole.twoWords }
      return names.hasHashTable ? role | FastRole.hashed : nil
    }
    guard let variantRole = nameRole(FastRole.variant, variantNames), values.count <= 8, fieldCount >= 1,
      fieldCount <= 16
    else { return (roles, 0) }
    var taken = Set<Int>()
    var uses: [(field: Int, role: UInt8)] = [(variant, variantRole)]
    if let unit { uses.append((unit, FastRole.unit)) }
    if let segment {
      guard let segmentRole = nameRole(FastRole.segment, segmentNames) else { return (roles, 0) }
      uses.append((segment, segmentRole))
    }
    for (metric, field) in values.enumerated() {
      let flags = (binomial[metric] ? FastRole.binomial : 0) | (missingIsZero[metric] ? FastRole.missingIsZero : 0)
      uses.append((field, FastRole.value | UInt8(metric) | flags))
    }
    for use in uses {
      guard use.field >= 0, use.field < fieldCount, taken.insert(use.field).inserted else { return (roles, 0) }
      roles[use.field] = use.role
    }
    return (roles, fieldCount)
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

  /// Whether this reader takes rows through `consumeFast` (`CSVScanner.forEachRecord(progress:fast:_:)`): the layout
  /// allows it, the row-length sample is not taken and duplicates are not checked here (or only collected,
  /// `.collect`).
  ///
  /// Cells fetched ahead (`prefetchesCells`) are no obstacle: its rows wait for them as `consume`'s do.
  var takesFastRows: Bool {
    fastFields > 0 && sampleLimit == 0 && (!checksDuplicates || duplicateMode == .collect)
  }

  /// How many bytes from a row's start `consumeFast` may read: the row must end within them (longer rows, and rows
  /// that start less than this before the end of the bytes read, take the usual path).
  static let fastRowBytes = 256

  /// The scanner's and `consume(_:)`'s work for the usual row in one pass over its bytes: the row at
  /// `bytes[start...]`, with `end` the end of the bytes read; returns the offset just past its line end when the row
  /// was used, or -1 when nothing was done (the scanner and `consume(_:)` then take it as any other).
  ///
  /// The usual row: no quote, space or carriage return in its skipped fields, unit id, variant and segment (no byte
  /// below `-` but the commas and the line end), a line end of LF or CRLF (a carriage return right before the line
  /// feed, which the scanner drops from the last field as well), the header's number of fields, variant and segment
  /// names of the table of short names (at most 32 names of at most 8 bytes), of the wide table (every other set of
  /// names: any number, any length; names of at most 8 bytes one word, as short ones, `ByteNameTable.wordWideIndex`;
  /// names of more than 16 bytes a word more per 8 bytes, `longName`) or, when their
  /// keys collide, of the hash table and at most `ByteNameTable.inlineBytes` bytes long, a nonempty unit id, and plain
  /// decimals of 1 to 19 digits (`NumberParser.scanDecimal`, each read as its bytes are seen, no second pass; more than
  /// 15 out of line), 0 or 1 for a 0/1 metric, or empty values. A record with a quote that this leaves is tried again
  /// by `consumeOther`, out of line, where the scanner meets the quote. The row must end within `fastRowBytes` of its
  /// start, which bounds a name's length too. Such a row is exactly what the scanner and `consume(_:)` would use, and
  /// it is used the same way (`accumulate`, with the same values bit for bit); anything else, a bad row included, is
  /// left untouched before any value is added, so the usual path decides it.
  @_transparent
  mutating func consumeFast(_ bytes: UnsafeMutablePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
    guard start &+ Self.fastRowBytes <= end else { return -1 }
    // Every field starts before `limit`; no read reaches past `limit + 15` (a wide table's name's two words and the
    // byte after them, a short name's word and the byte after it, a number's two bytes past `limit`, a longer name's
    // or skipped field's words up to `limit + 7`, and the line feed after a carriage return), which is inside the
    // bytes read.
    let limit = start &+ (Self.fastRowBytes &- 16)
    var values = InlineArray<8, Double>(repeating: 0)
    var filled = InlineArray<8, Bool>(repeating: false)
    var variant = 0
    var segment = 0
    var unitStart = 0
    var unitEnd = 0
    var position = start
    let last = fastFields &- 1
    var field = 0
    // Each field's end is tested last, after its work (which touches nothing but locals): its terminator, or else a
    // CRLF line end after the last field (`endsLine`, then the loop ends there), in a branch of its own that the
    // usual row never takes, so that rows with LF line ends pay nothing for CRLF ones.
    fields: while true {
      guard position < limit else { return -1 }
      let role = fastRoles[field]
      let terminator = field == last ? UInt8(ascii: "\n") : UInt8(ascii: ",")
      if role >= FastRole.value {
        let metric = Int(role & 7)
        if let (value, after) = NumberParser.scanDecimal(bytes, position, limit) {
          // As in `consume`: `value * (value - 1) == 0` is `value == 0 || value == 1`.
          if role & FastRole.binomial != 0 && value * (value - 1) != 0 { return -1 }
          values[metric] = value
          if bytes[after] != terminator {
            guard field == last, Self.endsLine(bytes, after) else { return -1 }
            position = after &+ 2
            break fields
          }
          position = after &+ 1
        } else {
          // An empty field is a missing value, as in `consume` (a field of spaces is left to it).
          let zero = role & FastRole.missingIsZero != 0
          values[metric] = zero ? 0 : .nan
          filled[metric] = zero
          if bytes[position] != terminator {
            guard field == last, Self.endsLine(bytes, position) else { return -1 }
            position &+= 2
            break fields
          }
          position &+= 1
        }
      } else if role >= FastRole.hashed {
        if role >= FastRole.twoWords | FastRole.wide | FastRole.hashed {
          // A name of the wide table (the names without the table of short names), inlined: out of line (a call of
          // its own, its constants loaded again) it cost 2,000 segments' rows about 55 instructions more. Two words,
          // the name's length from the first byte below `-` in either (16 when none; then the byte after them must
          // end the field), each masked to the name's bytes without a branch. A longer name, or one before a CRLF
          // line end, is `longName`'s.
          let first = Self.word(bytes, position)
          let second = Self.word(bytes, position &+ 8)
          let inFirst = CSVScanner.candidateBytes(first)
          let inSecond = CSVScanner.candidateBytes(second)
          let length = inFirst != 0 ? inFirst.trailingZeroBitCount &>> 3 : 8 &+ inSecond.trailingZeroBitCount &>> 3
          guard length > 0 else { return -1 }
          if bytes[position &+ length] == terminator {
            // The bytes before a word's first candidate (all of them when there is none): its lowest bit, moved down
            // to the start of its byte, minus one.
            let one = first & (((inFirst & (0 &- inFirst)) &>> 7) &- 1)
            let two = inFirst != 0 ? 0 : second & (((inSecond & (0 &- inSecond)) &>> 7) &- 1)
            if role == FastRole.variant | FastRole.hashed | FastRole.wide | FastRole.twoWords {
              variant = columns.variantNames.wideIndex(one, two, length)
              guard variant >= 0 else { return -1 }
            } else {
              segment = columns.segmentNames.wideIndex(one, two, length)
              guard segment >= 0 else { return -1 }
              if fetchesEarly { cells.prefetchFirstLine(cell: variant &* cells.segmentCount &+ segment) }
            }
            position = position &+ length &+ 1
          } else {
            let found = longName(
              bytes, position, position &+ length, limit, terminator,
              variant: role == FastRole.variant | FastRole.hashed | FastRole.wide | FastRole.twoWords)
            guard found >= 0 else { return -1 }
            if role == FastRole.variant | FastRole.hashed | FastRole.wide | FastRole.twoWords {
              variant = found &>> 16
            } else {
              segment = found &>> 16
            }
            position = position &+ found & 0xffff
          }
        } else if role >= FastRole.wide | FastRole.hashed {
          // A name of the wide table whose names are at most 8 bytes (`ByteNameTable.hasWideWords`), inlined: as a
          // short name, one word to its first byte below `-` (8 when none; then the byte after the word must end the
          // field), then the wide table's slot and one comparison of the word (`wordWideIndex`), where the two words'
          // branch above cost 2,000 segments' rows 21 instructions more and names of 32 bytes, not 8 (docs/
          // performance.md, "Names of at most 8 bytes as one word"). A longer field is no name: the usual path
          // decides. The same steps as the short names' branch below but the lookup and the early fetch, repeated
          // rather than shared: each branch is inlined into the row, whose registers a shared step would tie.
          let word = Self.word(bytes, position)
          let length = CSVScanner.candidateBytes(word).trailingZeroBitCount &>> 3
          guard length > 0 else { return -1 }
          let name = word & (UInt64.max &>> UInt64(64 &- 8 &* length))
          if role == FastRole.variant | FastRole.hashed | FastRole.wide {
            variant = columns.variantNames.wordWideIndex(name, length)
            guard variant >= 0 else { return -1 }
          } else {
            segment = columns.segmentNames.wordWideIndex(name, length)
            guard segment >= 0 else { return -1 }
            if fetchesEarly { cells.prefetchFirstLine(cell: variant &* cells.segmentCount &+ segment) }
          }
          let at = position &+ length
          if bytes[at] != terminator {
            guard field == last, Self.endsLine(bytes, at) else { return -1 }
            position = at &+ 2
            break fields
          }
          position = at &+ 1
        } else {
          // A name of the hash table, out of line: inlined, its words and lookup cost the usual row (the table of
          // short names) about 21 instructions of spills and reloads.
          let found = hashedName(
            bytes, position, limit, terminator, variant: role == FastRole.variant | FastRole.hashed)
          guard found >= 0 else { return -1 }
          if role == FastRole.variant | FastRole.hashed { variant = found &>> 16 } else { segment = found &>> 16 }
          position = position &+ found & 0xffff
        }
      } else if role >= FastRole.variant {
        // A name: one word, its length from the first byte below `-` (8 when none; then the byte after the word must
        // end the field), looked up as `ByteNameTable.usualIndex` would.
        let word = Self.word(bytes, position)
        let length = CSVScanner.candidateBytes(word).trailingZeroBitCount &>> 3
        guard length > 0 else { return -1 }
        let name = word & (UInt64.max &>> UInt64(64 &- 8 &* length))
        if role == FastRole.variant {
          variant = columns.variantNames.wordIndex(name, length)
          guard variant >= 0 else { return -1 }
        } else {
          segment = columns.segmentNames.wordIndex(name, length)
          guard segment >= 0 else { return -1 }
        }
        let at = position &+ length
        if bytes[at] != terminator {
          guard field == last, Self.endsLine(bytes, at) else { return -1 }
          position = at &+ 2
          break fields
        }
        position = at &+ 1
      } else {
        // The unit id or a skipped field: to its first byte below `-`, a word at a time. `firstCandidate`'s loop, kept
        // here as its own: the shared helper's test of its result cost the usual row 2.0 instructions (callgrind).
        var at = position
        var mask = CSVScanner.candidateBytes(Self.word(bytes, at))
        while mask == 0 {
          at &+= 8
          guard at < limit else { return -1 }
          mask = CSVScanner.candidateBytes(Self.word(bytes, at))
        }
        at &+= mask.trailingZeroBitCount &>> 3
        if role == FastRole.unit {
          guard at > position else { return -1 }
          unitStart = position
          unitEnd = at
        }
        if bytes[at] != terminator {
          guard field == last, Self.endsLine(bytes, at) else { return -1 }
          position = at &+ 2
          break fields
        }
        position = at &+ 1
      }
      if field == last { break }
      field &+= 1
    }
    useRow(bytes, unitStart, unitEnd, variant: variant, segment: segment, values: &values, filled: &filled)
    return position
  }

  /// The row is used: what `consume(_:)` does for it, in the same order, for `consumeFast` and `consumeOther` once
  /// they have read the whole row (its unit id at `bytes[unitStart..<unitEnd]`, its cell, and its values and filled
  /// flags as `accumulate` takes them).
  ///
  /// Counted, its unit id's hash collected for the duplicate check (both run only when its mode is `.collect`,
  /// `takesFastRows`), and added to its cell, or made to wait for it (`prefetchesCells`).
  ///
  /// Transparent, as `accumulate`: merely always-inline, it stayed a call of its own from the scanner's closure that
  /// `consumeFast` is inlined into (the optimizer's size limits), which cost the usual row 76 instructions. The arrays
  /// `inout`, the callers' own, not copied: by value they cost the usual row 22 instructions, as spans the rows that
  /// wait for their cells 2 (docs/performance.md, "One \"row is used\" step").
  ///
  /// A row that waits for its cell (`prefetchesCells`) takes the oldest waiting row's place in the ring once
  /// `prefetchDistance` wait (the same order as `waitForCell`'s: the oldest row added first), and that row is added
  /// through the same inlined `accumulate` as a row that does not wait: the ring's own update in a function of its
  /// own, out of line, cost each row at 20,000 segments about 120 instructions more (docs/performance.md, "The
  /// waiting ring's update inlined …").
  @_transparent
  mutating func useRow(
    _ bytes: UnsafeMutablePointer<UInt8>, _ unitStart: Int, _ unitEnd: Int, variant: Int, segment: Int,
    values: inout InlineArray<8, Double>, filled: inout InlineArray<8, Bool>
  ) {
    rowsRead &+= 1
    if checksDuplicates {
      hashes.append(UnitHashSet.hash(UnsafeBufferPointer(start: bytes + unitStart, count: unitEnd &- unitStart)))
    }
    if prefetchesCells {
      var variant = variant
      var segment = segment
      cells.prefetch(variant: variant, segment: segment, columns: valueCount, pairs: pairCount)
      guard waiting.count == Self.prefetchDistance else {
        // Fewer rows wait (a chunk's first rows, or the first after `addWaitingRows`): this one waits too.
        let slot = (waiting.head &+ waiting.count) & (Self.prefetchDistance &- 1)
        waiting.count &+= 1
        waiting.variants[slot] = variant
        waiting.segments[slot] = segment
        for metric in 0..<valueCount {
          waiting.values[slot &* 8 &+ metric] = values[metric]
          waiting.filled[slot &* 8 &+ metric] = filled[metric]
        }
        return
      }
      // The oldest row leaves its slot for this one and is added below.
      let slot = waiting.head
      waiting.head = (slot &+ 1) & (Self.prefetchDistance &- 1)
      swap(&variant, &waiting.variants[slot])
      swap(&segment, &waiting.segments[slot])
      for metric in 0..<valueCount {
        swap(&values[metric], &waiting.values[slot &* 8 &+ metric])
        swap(&filled[metric], &waiting.filled[slot &* 8 &+ metric])
      }
      accumulate(variant: variant, segment: segment, values: values.span, filled: filled.span)
    } else {
      // Its own copy of the update, as before the ring's was inlined: one shared copy after both branches cost the
      // rows that do not wait 3 instructions (the number parser's blocks laid out differently).
      accumulate(variant: variant, segment: segment, values: values.span, filled: filled.span)
    }
  }

  /// `consumeFast`'s lookup of the variant's (`variant`) or segment's name in the hash table, for the field at
  /// `bytes[position...]`: its index times 65,536 plus the bytes to the next field (the name's and its terminator's,
  /// `fieldEnd`), or -1 when it is not the usual case (`consumeFast` then leaves the row to the usual path).
  ///
  /// Only for names without the wide table (which almost every set of names without the short table has): up to
  /// `ByteNameTable.inlineBytes` bytes as three words, each to the first byte below `-` (the next word loaded only when
  /// there is none), zero past the name, looked up as `ByteNameTable.index(in:_:_:)` would (the field has no space to
  /// trim). A longer name, and one that starts less than 24 bytes before `limit`, is left to it.
  /// Mutating, like its caller: a non-mutating method would copy the reader for every call.
  @inline(never)
  private mutating func hashedName(
    _ bytes: UnsafeMutablePointer<UInt8>, _ position: Int, _ limit: Int, _ terminator: UInt8, variant: Bool
  ) -> Int {
    let first = Self.word(bytes, position)
    var second: UInt64 = 0
    var third: UInt64 = 0
    var length = CSVScanner.candidateBytes(first).trailingZeroBitCount &>> 3
    if length == 8 {
      // Then the reads reach at most `position + 25` (the third word, the terminator and a line feed after a carriage
      // return): below `limit + 10`.
      guard position &+ 16 < limit else { return -1 }
      second = Self.word(bytes, position &+ 8)
      length = 8 &+ CSVScanner.candidateBytes(second).trailingZeroBitCount &>> 3
      if length == 16 {
        third = Self.word(bytes, position &+ 16)
        length = 16 &+ CSVScanner.candidateBytes(third).trailingZeroBitCount &>> 3
      }
    }
    guard length > 0 else { return -1 }
    let step = Self.fieldEnd(bytes, position &+ length, terminator)
    guard step != 0 else { return -1 }
    let (one, two, three) = (
      first & ByteNameTable.mask(length), second & ByteNameTable.mask(length &- 8),
      third & ByteNameTable.mask(length &- 16)
    )
    let index =
      variant
      ? columns.variantNames.wordsIndex(length: length, one, two, three)
      : columns.segmentNames.wordsIndex(length: length, one, two, three)
    return index < 0 ? -1 : index &<< 16 | (length &+ step)
  }

  /// `consumeFast`'s lookup of the variant's (`variant`) or segment's name in the wide table when the byte after its
  /// first two words' part is not its terminator (a name longer than `ByteNameTable.wideBytes`, or one before a CRLF
  /// line end), for the field at `bytes[position...]` whose first byte below `-` is at `from` or later (at `from`
  /// when the name is shorter than 16 bytes): its index times 65,536 plus the bytes to the next field (`fieldEnd`),
  /// or -1 when it is not the usual case.
  ///
  /// From `from` to the first byte below `-`, a word at a time as the unit id's, each word loaded only before `limit`
  /// (so a name reaches at most `limit + 7`, and it is left to the usual path when it would reach further), each
  /// hashed as it is seen, then `ByteNameTable.wideSlotIndex` (inlined: one slot, then the words past the first two
  /// compared with the name's). Out of line: only rows with such names call it, and inlined its loop would stand in
  /// the way of every other row's registers.
  /// Mutating, like its caller: a non-mutating method would copy the reader for every call.
  @inline(never)
  private mutating func longName(
    _ bytes: UnsafeMutablePointer<UInt8>, _ position: Int, _ from: Int, _ limit: Int, _ terminator: UInt8,
    variant: Bool
  ) -> Int {
    guard from < limit else { return -1 }
    let field = UnsafeRawPointer(bytes + position)
    guard from == position &+ ByteNameTable.wideBytes else {
      // A name of fewer than 16 bytes whose first byte below `-` is not its terminator: its row's CRLF line end, or
      // anything else (left to the usual path).
      let step = Self.fieldEnd(bytes, from, terminator)
      guard step != 0 else { return -1 }
      let length = from &- position
      let index =
        variant ? columns.variantNames.longIndex(field, length) : columns.segmentNames.longIndex(field, length)
      return index < 0 ? -1 : index &<< 16 | (length &+ step)
    }
    // The first 16 bytes hold no byte below `-`: the later words to the first such byte, each hashed as it is seen
    // (`ByteNameTable.tailHash`, the last one's bytes before that byte, when there are any).
    var at = from
    var tail: UInt64 = 0
    var word = Self.word(bytes, at)
    var mask = CSVScanner.candidateBytes(word)
    while mask == 0 {
      tail = ByteNameTable.tailHash(tail, word)
      at &+= 8
      guard at < limit else { return -1 }
      word = Self.word(bytes, at)
      mask = CSVScanner.candidateBytes(word)
    }
    let offset = mask.trailingZeroBitCount &>> 3
    if offset > 0 { tail = ByteNameTable.tailHash(tail, word & ((1 &<< UInt64(truncatingIfNeeded: 8 &* offset)) &- 1)) }
    at &+= offset
    let step = Self.fieldEnd(bytes, at, terminator)
    guard step != 0 else { return -1 }
    let length = at &- position
    let (first, second) = (Self.word(bytes, position), Self.word(bytes, position &+ 8))
    let index =
      variant
      ? columns.variantNames.wideSlotIndex(first, second, tail, length, field)
      : columns.segmentNames.wideSlotIndex(first, second, tail, length, field)
    return index < 0 ? -1 : index &<< 16 | (length &+ step)
  }

  /// How many bytes end a field at `bytes[at]` for `consumeFast`'s out-of-line lookups: 1 for its `terminator`, 2 for
  /// a CRLF line end after the last field (`endsLine`), else 0.
  @inline(__always)
  static func fieldEnd(_ bytes: UnsafeMutablePointer<UInt8>, _ at: Int, _ terminator: UInt8) -> Int {
    bytes[at] == terminator ? 1 : terminator == UInt8(ascii: "\n") && endsLine(bytes, at) ? 2 : 0
  }

  /// Whether `bytes[at]` is a carriage return right before a line feed.
  ///
  /// Where the row's last field ends, a CRLF line end, whose carriage return the scanner drops from the last field as
  /// well (`CSVScanner`), so the field is the same. The caller makes sure the field is the last (elsewhere a carriage
  /// return is part of the field).
  ///
  /// Only where the terminator is not: rows with LF line ends never look. Reads `bytes[at + 1]` only after a carriage
  /// return that ends a field within `consumeFast`'s bytes (at most `limit + 8`: a short name's end).
  @inline(__always)
  static func endsLine(_ bytes: UnsafeMutablePointer<UInt8>, _ at: Int) -> Bool {
    bytes[at] == UInt8(ascii: "\r") && bytes[at &+ 1] == UInt8(ascii: "\n")
  }

  /// The first byte below `-` (`CSVScanner.candidateBytes`) at or after `from`, a word at a time, or -1 when none is in
  /// the words loaded: the first one, and each next one only while it starts before `limit`.
  ///
  /// For the unit id and skipped fields of `consumeOther` (`consumeFast` has the same loop inlined as its own).
  @inline(__always)
  static func firstCandidate(_ bytes: UnsafeMutablePointer<UInt8>, _ from: Int, _ limit: Int) -> Int {
    var at = from
    var mask = CSVScanner.candidateBytes(word(bytes, at))
    while mask == 0 {
      at &+= 8
      guard at < limit else { return -1 }
      mask = CSVScanner.candidateBytes(word(bytes, at))
    }
    return at &+ mask.trailingZeroBitCount &>> 3
  }

  /// The eight bytes at `bytes[at...]` as a little-endian word.
  @inline(__always)
  static func word(_ bytes: UnsafeMutablePointer<UInt8>, _ at: Int) -> UInt64 {
    UInt64(littleEndian: UnsafeRawPointer(bytes + at).loadUnaligned(as: UInt64.self))
  }

  /// Whether the variant and segment names have the collision-free table of short names (`ByteNameTable`), so that
  /// `CellColumns.quickCell(of:)` finds the usual row's cell.
  private let shortNames: Bool

  /// Whether `consumeFast` asks for the row's cell as soon as its segment's name is found in the wide table
  /// (`SufficientStatistics.prefetchFirstLine`), before the row's values are read: the cells are larger than
  /// `earlyFetchBytes`, the segment's names have the wide table, the segment field comes after the variant's (so both
  /// are known there), and the rows do not wait for their cells (`prefetchesCells`).
  ///
  /// With 2,000 segments the cells (384 KiB of row parts) are in the second-level cache, not the first; the row's
  /// update asked for its cell only after its values were read.
  private let fetchesEarly: Bool
  /// The first-level cache of one core (32 KiB on the benchmark machine): smaller cells are found there anyway.
  static let earlyFetchBytes = 1 << 15

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
        switch spelledValue(field, binomial: column.binomial) {
        case .missing:
          values[metric] = column.missingIsZero ? 0 : .nan
          filled[metric] = column.missingIsZero
        case .logical(let value): values[metric] = value
        case .none: return try rejectNumber(metric, record)
        }
      }
    }
    if let unitColumn {
      let unit = record.field(unitColumn)
      if isEmpty(unit) { return try reject(.missingUnit, record, "has an empty unit id") }
      if checksDuplicates && duplicateMode != .check {
        if duplicateMode == .collect {
          hashes.append(UnitHashSet.hash(unit))
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
    // Cells too large for the caches: the row waits while its cell is fetched (`waitForCell`), or with more than 8
    // value columns in the batch, whose cells are fetched ahead (`flush`).
    if valueCount <= 8 {
      return waitForCell(variant: variant, segment: segment, values: values.span, filled: filled.span)
    }
    pending.append(PendingRow(variant: variant, segment: segment, line: record.line, idStart: 0, idEnd: 0))
    appendPendingValues(values.span, filled.span)
    if pending.count == Self.batchSize { try flush() }
  }

  /// Accumulates the pending rows in order: with the duplicate check against `seen` (`.check`), only the first
  /// occurrences; otherwise every one (rows that wait only for their cells to be fetched, `prefetchesCells`).
  mutating func flush() throws {
    if waiting.count > 0 { addWaitingRows() }
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

  /// Fetches the row's cell and adds the row `prefetchDistance` rows later (`waiting`).
  ///
  /// The oldest waiting row is added first when as many wait already. Up to 8 value columns; `values` and `filled`
  /// as in `accumulate`.
  @inline(never)
  private mutating func waitForCell(variant: Int, segment: Int, values: Span<Double>, filled: Span<Bool>) {
    cells.prefetch(variant: variant, segment: segment, columns: valueCount, pairs: pairCount)
    let slot = waitingSlot(variant: variant, segment: segment)
    for metric in 0..<valueCount {
      waiting.values[slot &* 8 &+ metric] = values[metric]
      waiting.filled[slot &* 8 &+ metric] = filled[metric]
    }
  }

  /// A new waiting row's slot, its variant and segment stored (the oldest row added first when
  /// `prefetchDistance` wait already); the caller stores its values there (`waiting.values[8 * slot + metric]`).
  @inline(__always)
  private mutating func waitingSlot(variant: Int, segment: Int) -> Int {
    if waiting.count == Self.prefetchDistance { addOldestWaitingRow() }
    let slot = (waiting.head &+ waiting.count) & (Self.prefetchDistance &- 1)
    waiting.count &+= 1
    waiting.variants[slot] = variant
    waiting.segments[slot] = segment
    return slot
  }

  /// Adds the oldest waiting row to the cells and frees its slot.
  @inline(never)
  private mutating func addOldestWaitingRow() {
    addWaitingRow(waiting.head)
    waiting.head = (waiting.head &+ 1) & (Self.prefetchDistance &- 1)
    waiting.count &-= 1
  }

  /// Adds the waiting row in `slot` to the cells: `accumulate` on its values where they wait (copied out first, they
  /// cost the update of each row at 20,000 segments about 25 instructions).
  @inline(__always)
  private mutating func addWaitingRow(_ slot: Int) {
    let first = slot &* 8
    let cell = waiting.variants[slot] &* cells.segmentCount &+ waiting.segments[slot]
    let values = waiting.values.span.extracting(first..<first &+ valueCount)
    let filled = waiting.filled.span.extracting(first..<first &+ valueCount)
    // As `accumulate(variant:segment:values:filled:)`, line for line: change both together.
    cells.addRow(cell: cell, values: values, filled: filled, countsFilled: fillsZeros)
    if !regressionRows.isEmpty {
      regressionValues.removeAll(keepingCapacity: true)
      for metric in 0..<valueCount { regressionValues.append(values[metric]) }
      regressionRows.add(cell: cell, values: regressionValues, offset: 0)
    }
    if pairCount > 0 { cells.addPairs(cell: cell, values: values, columns: pairs) }
    rowsUsed &+= 1
  }

  /// Adds every waiting row, oldest first.
  @inline(never)
  private mutating func addWaitingRows() {
    for index in 0..<waiting.count { addWaitingRow((waiting.head &+ index) & (Self.prefetchDistance &- 1)) }
    waiting.head = 0
    waiting.count = 0
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
  ///
  /// `addWaitingRow` repeats this body for rows that wait for their cells (its values are borrowed from the reader's
  /// own `waiting`, which a call of this mutating method cannot take): change both together.
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

  /// What a value field that is not a number means, if anything: one of `missingValues` (missing), or for a 0/1
  /// metric a logical as R, pandas and SQL exports write it (`TRUE`/`FALSE`, `True`/`False`, `true`/`false`: 1 or 0).
  ///
  /// Out of line and reached only after the number parser declined the field, so rows of numbers pay nothing.
  @inline(never)
  private func spelledValue(_ field: UnsafeBufferPointer<UInt8>, binomial: Bool) -> SpelledValue? {
    var start = field.startIndex
    var end = field.endIndex
    while start < end && field[start] == UInt8(ascii: " ") { start += 1 }
    while end > start && field[end - 1] == UInt8(ascii: " ") { end -= 1 }
    let bytes = UnsafeBufferPointer(rebasing: field[start..<end])
    for token in missingValues where token.elementsEqual(bytes) { return .missing }
    guard binomial else { return nil }
    switch String(decoding: bytes, as: UTF8.self) {
    case "TRUE", "True", "true": return .logical(1)
    case "FALSE", "False", "false": return .logical(0)
    default: return nil
    }
  }

  /// A value field that is not a number but has a meaning (`spelledValue`).
  private enum SpelledValue {
    /// One of `missingValues`: a missing value.
    case missing
    /// A logical of a 0/1 metric, as 1 or 0.
    case logical(Double)
  }

  /// Spellings of a missing value that other tools write; a row rejected for one says how to read it as missing.
  static let commonMissingSpellings: Set<String> = ["NA", "N/A", "NaN", "nan", "NULL", "null", "None", "\\N", "#N/A"]

  /// `text` as one word for a shell: as it is when it has only letters and `/`, else in single quotes.
  static func shellWord(_ text: String) -> String {
    text.allSatisfy { $0.isASCII && ($0.isLetter || $0 == "/") } ? text : "'" + text + "'"
  }

  /// Rejects the row for metric `metric`'s value (not a number, or not 0/1 for a binomial metric).
  @inline(never)
  private mutating func rejectNumber(_ metric: Int, _ record: CSVScanner.Record) throws {
    let expectation = binomial[metric] ? "0 or 1" : "a number"
    let echo = record.echo(metricColumns[metric])
    let spelling = echo.trimmingSpaces
    let hint =
      Self.commonMissingSpellings.contains(spelling)
      ? " (if \"\(spelling)\" means a missing value here, --missing-value \(Self.shellWord(spelling)) reads it as one)"
      : ""
    try reject(
      .badNumber, record,
      "has \"\(echo)\" for \(binomial[metric] ? "metric" : "column") \"\(columnNames[metric])\", which must be \(expectation)\(hint)"
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
