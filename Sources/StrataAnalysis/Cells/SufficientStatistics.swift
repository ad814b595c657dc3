/// Cell statistics: the seam between every data source and the analysis.
///
/// Per variant × segment the units, per value column its moments (`ColumnMoments`) and per
/// declared pair of columns their co-moment (`CrossMoments`). The unit-level CSV stream, the aggregated CSV
/// (docs/analyze.md, "Aggregated input"), several files or
/// partitions merged, or cells built in memory all produce this value, and `Analyzer` reads nothing else.
///
/// The memory is fixed by the plan's shape, never by the number of rows. Value column `c` is
/// `AnalysisPlan.columns[c]` (metric `c` when no metric is a ratio or has a covariate); pair `p` is `AnalysisPlan.crossProducts[p]`.
///
/// The column moments are stored in two parts (docs/performance.md, "The cells' hot line"): what a row updates
/// (`RowMoments`: count, mean, M2 and sum, 32 bytes a column, from a 64-byte boundary, so that a cell of two value
/// columns is one cache line) and the rest (`ColumnExtras`: the shift, missing and zero-filled counts), which a row
/// touches only for a missing or zero-filled value, or once some cell has a shift (`shifted`).
public struct SufficientStatistics: Sendable, Hashable {
  /// One variant × segment cell.
  public struct Cell: Sendable, Hashable {
    public var units: Int
    /// One per value column (metric), in plan order.
    public var columns: [ColumnMoments]
    /// One per declared pair, in plan order.
    public var pairs: [CrossMoments]

    public init(units: Int = 0, columns: [ColumnMoments], pairs: [CrossMoments] = []) {
      self.units = units
      self.columns = columns
      self.pairs = pairs
    }

    /// Adds `other`'s units, exactly in real arithmetic and in any order (Chan et al.).
    public mutating func merge(_ other: Cell) {
      precondition(columns.count == other.columns.count && pairs.count == other.pairs.count, "cells differ in shape")
      units += other.units
      for index in columns.indices { columns[index].merge(other.columns[index]) }
      for index in pairs.indices { pairs[index].merge(other.pairs[index]) }
    }
  }

  public let variantCount: Int
  public let segmentCount: Int
  public let metricCount: Int
  public let pairCount: Int
  /// Units per cell, index `variant * segmentCount + segment`.
  public internal(set) var units: [Int]
  /// Column moments, index `(variant * segmentCount + segment) * metricCount + metric`.
  public internal(set) var metrics: [ColumnMoments] {
    get { (0..<moments.count).map { column(at: $0) } }
    set {
      precondition(newValue.count == moments.count, "the columns' count differs")
      for (index, column) in newValue.enumerated() { setColumn(column, at: index) }
    }
  }
  /// The row's part of each column moments (`RowMoments`), index as in `metrics`.
  private var moments: MomentStorage
  /// The rest of each column moments (`ColumnExtras`), index as in `metrics`.
  private var extras: [ColumnExtras]
  /// Whether some column may have a shift other than +0 (set when one is stored, cleared by `reset`): until then
  /// a row's update reads no `extras`, its values' shifted values being the values themselves.
  private var shifted = false
  /// Co-moments, index `(variant * segmentCount + segment) * pairCount + pair`.
  public internal(set) var pairs: [CrossMoments]

  /// Empty cells for `variantCount` × `segmentCount`, with `metricCount` columns and `pairCount` pairs each.
  public init(variantCount: Int, segmentCount: Int, metricCount: Int, pairCount: Int = 0) {
    self.variantCount = variantCount
    self.segmentCount = segmentCount
    self.metricCount = metricCount
    self.pairCount = pairCount
    units = [Int](repeating: 0, count: variantCount * segmentCount)
    moments = MomentStorage(count: variantCount * segmentCount * metricCount)
    extras = [ColumnExtras](repeating: ColumnExtras(), count: variantCount * segmentCount * metricCount)
    pairs = [CrossMoments](repeating: CrossMoments(), count: variantCount * segmentCount * pairCount)
  }

  /// Empty cells shaped by `plan` (its variants, segments, value columns and cross-products).
  public init(plan: AnalysisPlan) {
    self.init(
      variantCount: plan.variants.count, segmentCount: plan.segments.count, metricCount: plan.columns.count,
      pairCount: plan.crossProducts.count)
  }

  public func units(variant: Int, segment: Int) -> Int { units[variant * segmentCount + segment] }

  /// Units of `variant` over all segments.
  public func units(variant: Int) -> Int { (0..<segmentCount).reduce(0) { $0 + units(variant: variant, segment: $1) } }

  public func metric(_ metric: Int, variant: Int, segment: Int) -> ColumnMoments {
    column(at: (variant * segmentCount + segment) * metricCount + metric)
  }

  /// Column moments `index` (as in `metrics`), from its two parts.
  @inline(__always)
  func column(at index: Int) -> ColumnMoments {
    precondition(index >= 0 && index < moments.count, "no such column")
    return ColumnMoments(moments.base[index], extras[index])
  }

  /// Stores `column` as column moments `index` (as in `metrics`).
  @inline(__always)
  private mutating func setColumn(_ column: ColumnMoments, at index: Int) {
    precondition(index >= 0 && index < moments.count, "no such column")
    uniqueMoments()[index] = column.rowMoments
    extras[index] = column.extras
    if column.shift.bitPattern != 0 { shifted = true }
  }

  /// The row parts, for writing: copied first when another value shares them.
  @inline(__always)
  private mutating func uniqueMoments() -> UnsafeMutablePointer<RowMoments> {
    if !isKnownUniquelyReferenced(&moments) { copyMoments() }
    return moments.base
  }

  @inline(never)
  private mutating func copyMoments() { moments = MomentStorage(copying: moments) }

  public static func == (left: SufficientStatistics, right: SufficientStatistics) -> Bool {
    left.variantCount == right.variantCount && left.segmentCount == right.segmentCount
      && left.metricCount == right.metricCount && left.pairCount == right.pairCount && left.units == right.units
      && left.pairs == right.pairs && left.metrics == right.metrics
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(variantCount)
    hasher.combine(segmentCount)
    hasher.combine(metricCount)
    hasher.combine(pairCount)
    hasher.combine(units)
    hasher.combine(metrics)
    hasher.combine(pairs)
  }

  /// `metric` of `variant` merged over all segments.
  public func metric(_ metric: Int, variant: Int) -> ColumnMoments {
    var total = ColumnMoments()
    for segment in 0..<segmentCount { total.merge(self.metric(metric, variant: variant, segment: segment)) }
    return total
  }

  public func pair(_ pair: Int, variant: Int, segment: Int) -> CrossMoments {
    pairs[(variant * segmentCount + segment) * pairCount + pair]
  }

  /// The whole cell of `variant` × `segment`.
  public func cell(variant: Int, segment: Int) -> Cell {
    let index = variant * segmentCount + segment
    return Cell(
      units: units[index], columns: (index * metricCount..<(index + 1) * metricCount).map { column(at: $0) },
      pairs: Array(pairs[index * pairCount..<(index + 1) * pairCount]))
  }

  /// Merges `cell` into `variant` × `segment`.
  public mutating func merge(_ cell: Cell, variant: Int, segment: Int) {
    precondition(cell.columns.count == metricCount && cell.pairs.count == pairCount, "the cell's shape differs")
    let index = variant * segmentCount + segment
    units[index] += cell.units
    for metric in 0..<metricCount { mergeColumn(cell.columns[metric], at: index * metricCount + metric) }
    for pair in 0..<pairCount { pairs[index * pairCount + pair].merge(cell.pairs[pair]) }
  }

  /// Merges every cell of `other` (same shape) into this one: partial statistics from files, partitions or
  /// SQL rows combine in any order.
  public mutating func merge(_ other: SufficientStatistics) {
    precondition(
      variantCount == other.variantCount && segmentCount == other.segmentCount && metricCount == other.metricCount
        && pairCount == other.pairCount, "statistics differ in shape")
    for index in units.indices { units[index] += other.units[index] }
    let count = moments.count
    let target = uniqueMoments()
    let source = other.moments.base
    var shifts = false
    extras.withUnsafeMutableBufferPointer { extras in
      other.extras.withUnsafeBufferPointer { otherExtras in
        for index in 0..<count {
          var merged = ColumnMoments(target[index], extras[index])
          merged.merge(ColumnMoments(source[index], otherExtras[index]))
          target[index] = merged.rowMoments
          extras[index] = merged.extras
          if merged.shift.bitPattern != 0 { shifts = true }
        }
      }
    }
    if shifts { shifted = true }
    for index in pairs.indices { pairs[index].merge(other.pairs[index]) }
  }

  /// Merges every cell of `other` (same shape) into this one as `merge(_:)` does, and empties `other` as `reset()`
  /// does, in one pass over its cells: the chunked reader's merge of a chunk's table, which it hands to a later chunk.
  ///
  /// The same merges in the same arithmetic, column by column, with two shortcuts that change no value:
  /// - A column of `other` with every bit zero (no value, no missing or zero-filled one in the chunk) is passed
  ///   over on both sides. `merge(_:)` would add +0 to this column's sum, which changes no sum but −0, and no sum
  ///   that rows made is −0 (it starts at +0, and under rounding to nearest x + y is −0 only when both are).
  /// - While neither table has a shift (`shifted`), a column whose extras are zero in `other` (no missing or
  ///   zero-filled value) merges its row part alone: this column's extras would come out as they are (their counts
  ///   plus 0, their shift 0), so they are neither read nor written.
  ///
  /// At 20,000 segments a table is 7 MB or more per 8 MiB chunk: emptied apart (`reset()`), it was written once
  /// more after the merge had read it, and the extras, which few rows touch, were read on both sides.
  mutating func merge(emptying other: inout SufficientStatistics) {
    precondition(
      variantCount == other.variantCount && segmentCount == other.segmentCount && metricCount == other.metricCount
        && pairCount == other.pairCount, "statistics differ in shape")
    units.withUnsafeMutableBufferPointer { target in
      other.units.withUnsafeMutableBufferPointer { source in
        for index in target.indices where source[index] != 0 {
          target[index] += source[index]
          source[index] = 0
        }
      }
    }
    let count = moments.count
    let target = uniqueMoments()
    let source = other.uniqueMoments()
    let plain = !shifted && !other.shifted
    var shifts = false
    extras.withUnsafeMutableBufferPointer { extras in
      other.extras.withUnsafeMutableBufferPointer { otherExtras in
        for index in 0..<count {
          let row = source[index]
          let rest = otherExtras[index]
          let restEmpty = rest.missing | rest.zeroFilled == 0 && rest.shift.bitPattern == 0
          let rowEmpty = row.count.bitPattern | row.mean.bitPattern | row.m2.bitPattern | row.sum.bitPattern == 0
          if restEmpty && (rowEmpty || plain) {
            guard !rowEmpty else { continue }
            var merged = ColumnMoments(target[index], ColumnExtras())
            merged.merge(ColumnMoments(row, ColumnExtras()))
            target[index] = merged.rowMoments
          } else {
            var merged = ColumnMoments(target[index], extras[index])
            merged.merge(ColumnMoments(row, rest))
            target[index] = merged.rowMoments
            extras[index] = merged.extras
            if merged.shift.bitPattern != 0 { shifts = true }
            otherExtras[index] = ColumnExtras()
          }
          source[index] = RowMoments()
        }
      }
    }
    if shifts { shifted = true }
    other.shifted = false
    pairs.withUnsafeMutableBufferPointer { target in
      other.pairs.withUnsafeMutableBufferPointer { source in
        for index in target.indices {
          target[index].merge(source[index])
          source[index] = CrossMoments()
        }
      }
    }
  }

  /// Merges `other` into column moments `index` (`ColumnMoments.merge`).
  @inline(__always)
  private mutating func mergeColumn(_ other: ColumnMoments, at index: Int) {
    var merged = column(at: index)
    merged.merge(other)
    setColumn(merged, at: index)
  }

  /// Empties every cell in place, as `init` makes them; the shape stays.
  mutating func reset() {
    units.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    uniqueMoments().update(repeating: RowMoments(), count: moments.count)
    extras.withUnsafeMutableBufferPointer { $0.update(repeating: ColumnExtras()) }
    shifted = false
    pairs.withUnsafeMutableBufferPointer { $0.update(repeating: CrossMoments()) }
  }

  /// The bytes of the cells (units, column moments and co-moments).
  var memoryBytes: Int {
    units.count * MemoryLayout<Int>.stride + moments.count * MemoryLayout<RowMoments>.stride
      + extras.count * MemoryLayout<ColumnExtras>.stride + pairs.count * MemoryLayout<CrossMoments>.stride
  }

  /// Asks the processor to bring `variant` × `segment`'s cell into the caches, so that a later update of it need
  /// not wait on memory.
  ///
  /// What the row's update writes (`addRow`, `addPairs`): its `columns` column moments and `pairs` co-moments, or
  /// without value columns its unit count (`addUnit(cell:)`; with them the units are settled later, not written per
  /// row). Changes no value; mutating because its caller is about to write the cell (a read-only access from the
  /// reader's mutating methods copied the reader).
  ///
  /// Read-only access to the arrays: a mutable one cost each a uniqueness check per row, and the empty array of
  /// co-moments (no pairs), never uniquely referenced, a new buffer as well; with the unit count, whose line the row
  /// does not write, 100 instructions and one needless fetch per row at 20,000 segments.
  ///
  /// The row parts' lines without `Prefetch.range`'s checks of the range (about 30 instructions per row at 20,000
  /// segments): one unsigned comparison keeps the cell in the table, and then its `columns` row parts are too.
  @inline(__always)
  mutating func prefetch(variant: Int, segment: Int, columns: Int, pairs pairCount: Int) {
    // Wrapping arithmetic: `Prefetch.range` asks for nothing outside the array, and a hint changes no value (the
    // overflow checks were a third of the fetch's instructions).
    let cell = variant &* segmentCount &+ segment
    if columns == 0 { units.withUnsafeBufferPointer { Prefetch.range($0, from: cell, count: 1) } }
    if columns == metricCount && UInt(bitPattern: cell) < UInt(bitPattern: units.count) {
      Prefetch.lines(moments.base + cell &* columns, count: columns)
    }
    if shifted { extras.withUnsafeBufferPointer { Prefetch.range($0, from: cell &* columns, count: columns) } }
    if pairCount > 0 {
      pairs.withUnsafeBufferPointer { Prefetch.range($0, from: cell &* pairCount, count: pairCount) }
    }
  }

  /// Asks the processor for the first cache line of cell `cell`'s row parts (all of them for up to two value
  /// columns), a hint: no check, as a prefetch never faults and changes no value.
  @inline(__always)
  mutating func prefetchFirstLine(cell: Int) {
    Prefetch.line(UnsafeRawPointer(moments.base + cell &* metricCount))
  }

  @inline(__always)
  mutating func addUnit(variant: Int, segment: Int) { units[variant * segmentCount + segment] += 1 }

  @inline(__always)
  mutating func add(_ value: Double, metric: Int, variant: Int, segment: Int) {
    let index = (variant * segmentCount + segment) * metricCount + metric
    var updated = column(at: index)
    updated.add(value)
    setColumn(updated, at: index)
  }

  /// Adds one unit-level row to cell `cell` (`variant * segmentCount + segment`), its unit uncounted while there are
  /// value columns (`settleUnits()` counts it).
  ///
  /// Per value column c `values[c]` as `add` does, or a missing value when it is NaN; with `countsFilled`, a value
  /// with `filled[c]` also counts as zero-filled. The same as `add`/`addMissing`/`addZeroFilled` column by column,
  /// with one write access to the column moments instead of one per value (each a uniqueness check). The unit is
  /// left to `settleUnits()`: counting it here was a second write access per row, to `units`, with its own
  /// uniqueness and bounds checks. Without value columns it is counted here (`addUnit(cell:)`).
  @inline(__always)
  mutating func addRow(cell: Int, values: Span<Double>, filled: Span<Bool>, countsFilled: Bool) {
    let count = metricCount
    guard count > 0 else { return addUnit(cell: cell) }
    // One test that the cell is in the table (an unsigned comparison also refuses a negative one) instead of the
    // slice's checks of its bounds and their arithmetic.
    precondition(UInt(bitPattern: cell) < UInt(bitPattern: variantCount &* segmentCount), "no such cell")
    let first = cell &* count
    let moments = uniqueMoments() + first
    for metric in 0..<count {
      let value = values[metric]
      if value.isNaN {
        countMissing(first &+ metric)
      } else {
        // `ColumnMoments.add(_:)`: a first value this large starts the column's shift; then the shifted value is
        // value − K (value − 0 is value, bit for bit, for any column while no shift is stored).
        if moments[metric].count == 0 && abs(value) >= ColumnMoments.shiftThreshold {
          startShift(first &+ metric, value)
        }
        let x = shifted ? value - extras[first &+ metric].shift : value
        moments[metric].add(shifted: x, value: value)
        if countsFilled && filled[metric] { countZeroFilled(first &+ metric) }
      }
    }
  }

  /// A missing value of column moments `index`, out of line: the usual row has none.
  @inline(never)
  private mutating func countMissing(_ index: Int) { extras[index].missing += 1 }

  /// A zero-filled value of column moments `index`, out of line.
  @inline(never)
  private mutating func countZeroFilled(_ index: Int) { extras[index].zeroFilled += 1 }

  /// The shift of column moments `index`, from its first value `value` (`ColumnMoments.add(_:)`).
  @inline(never)
  private mutating func startShift(_ index: Int, _ value: Double) {
    extras[index].shift = value
    shifted = true
  }

  /// Counts a unit in cell `cell` at once (`addRow` without value columns).
  ///
  /// Out of line, so that the per-row code keeps only the call (its uniqueness and bounds checks made the optimizer
  /// stop inlining the row's update).
  @inline(never)
  mutating func addUnit(cell: Int) { units[cell] += 1 }

  /// Sets each cell's unit count from its first value column: its values plus its missing ones.
  ///
  /// For cells that only unit-level rows (`addRow`) and merges of such cells reached: every such row adds to each
  /// column either a value or a missing one, and a merge adds the units, counts and missing ones alike, so this is
  /// the number of rows whether or not `addRow` counted them. Without value columns the counts are left as they are.
  mutating func settleUnits() {
    let count = metricCount
    guard count > 0 else { return }
    let moments = moments.buffer
    extras.withUnsafeBufferPointer { extras in
      units.withUnsafeMutableBufferPointer { units in
        for cell in units.indices { units[cell] = Int(moments[cell * count].count) + extras[cell * count].missing }
      }
    }
  }

  /// Adds one unit-level row's pairs to cell `cell`.
  ///
  /// Pair p (`columns[p]`, value column indices) from `values`, as `add(_:_:pair:variant:segment:)` does, when both
  /// of its values are present (not NaN). One write access to the co-moments for the row instead of one per pair.
  @inline(__always)
  mutating func addPairs(cell: Int, values: Span<Double>, columns: [(first: Int, second: Int)]) {
    let count = pairCount
    pairs.withUnsafeMutableBufferPointer { pairs in
      let moments = UnsafeMutableBufferPointer(rebasing: pairs[cell * count..<(cell + 1) * count])
      for pair in 0..<count {
        let a = values[columns[pair].first]
        let b = values[columns[pair].second]
        if !a.isNaN && !b.isNaN { moments[pair].add(a, b) }
      }
    }
  }

  @inline(__always)
  mutating func add(_ a: Double, _ b: Double, pair: Int, variant: Int, segment: Int) {
    pairs[(variant * segmentCount + segment) * pairCount + pair].add(a, b)
  }

  @inline(__always)
  mutating func addZeroFilled(metric: Int, variant: Int, segment: Int) {
    extras[(variant * segmentCount + segment) * metricCount + metric].zeroFilled += 1
  }

  @inline(__always)
  mutating func addMissing(metric: Int, variant: Int, segment: Int) {
    extras[(variant * segmentCount + segment) * metricCount + metric].missing += 1
  }
}
