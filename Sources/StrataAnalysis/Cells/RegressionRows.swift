import StrataStats

/// The unit rows a regression-adjusted metric (`covariates:`, Lin 2013) needs, kept beside the cell statistics.
///
/// Cell moments give a regression's point estimate but not its HC2/HC3 errors: the sandwich weighs each unit by
/// its own residual and leverage, 1/(1 − hᵢ) or 1/(1 − hᵢ)², which no finite set of moments determines. So the
/// unit-level reader keeps, per such metric and variant × segment cell, each unit's outcome and covariates, in
/// file order (chunks and files are appended in order, so the rows do not depend on `--threads`). Memory grows
/// with the units: 8·(1 + k) bytes per unit and metric with k covariates. `DataReader` then runs Lin's two passes over
/// them as over a file read twice (``replayedMoments(plan:)``, ``replayedSums(_:)``), so the analysis takes the cells'
/// way for both. Aggregated cells and SQL rows have no rows (`available` false).
///
/// Two other modes read a regular file twice instead of keeping its rows (`DataReader`, `Mode`): `.moments` keeps per
/// cell only the moments of the value and the covariates (`RegressionCells`, Lin's pass 1), `.sums` per cell the sums
/// of the units' HC terms given pass 1's fits (pass 2); memory O(metrics × cells × k²) either way.
public struct RegressionRows: Sendable, Hashable {
  /// What the reader keeps of each unit.
  public enum Mode: Sendable, Hashable {
    /// The rows themselves (a pipe, which cannot be read twice).
    case rows
    /// Pass 1: per cell the moments of [value, covariates] (`RegressionCells`).
    case moments
    /// Pass 2: per cell the sums of the units' HC terms under these fits (`RegressionFits.passTwo`).
    case sums(PassTwo)
  }

  /// Pass 2's fits in a form the reader applies per unit: per metric (position), per segment then overall, the fit
  /// (nil where there is none); and each variant's arm.
  public struct PassTwo: Sendable, Hashable {
    let fits: [[InteractedRegressionFit?]]
    let armOfVariant: [Int]
  }

  /// Per metric and cell in `.sums` mode: units, Σ term under the segment's fit and under the overall fit, and the
  /// units of leverage 1 under each.
  struct CellSums: Sendable, Hashable {
    var units = 0
    var segment = 0.0
    var overall = 0.0
    var segmentLeverageOne = 0
    var overallLeverageOne = 0
  }

  public let mode: Mode
  /// Indices in `AnalysisPlan.metrics` of the metrics with `covariates:`, in plan order.
  public let metrics: [Int]
  /// Per such metric: its value column, then its covariates' (`AnalysisPlan.columnIndices`).
  let columns: [[Int]]
  let cellCount: Int
  /// Whether the rows were read (unit-level input); false for cells without rows.
  public internal(set) var available: Bool
  /// Per metric, per cell (`variant * segmentCount + segment`): outcomes, one per unit.
  public internal(set) var outcomes: [[[Double]]]
  /// Per metric, per cell: the covariates, k per unit, unit after unit.
  public internal(set) var covariates: [[[Double]]]
  /// Per metric, per cell: units with an outcome whose covariates are not all there (`missing: exclude`).
  public internal(set) var incomplete: [[Int]]
  /// Per metric, per cell: the number of its outcomes at the end of each chunk of the data that added some (`cut`),
  /// so that the replay merges the chunks' moments and sums as a file's two reads do.
  var chunkEnds: ChunkEnds

  /// Where the chunks of the data ended, per metric and cell.
  ///
  /// Not part of the rows' value: the same rows read in other chunks compare equal (only the last digits of their
  /// replay differ, as a file's read in other chunks do).
  struct ChunkEnds: Sendable, Hashable {
    var counts: [[[Int]]]
    /// Per metric, per cell: the number of its outcomes where each later part of the data set started (`append`
    /// with `part`), for parts merge their own chunks first, as files read twice do.
    var parts: [[[Int]]]
    static func == (_: Self, _: Self) -> Bool { true }
    func hash(into hasher: inout Hasher) {}
  }
  /// `.moments` mode: pass 1 (with the incomplete units).
  public internal(set) var moments: RegressionCells
  /// `.sums` mode: per metric, per cell.
  var sums: [[CellSums]]
  let segmentCount: Int
  /// A unit's [value, covariates] (`.moments`) or covariates (`.sums`), reused.
  private var scratch: [Double] = []

  /// Empty rows for `plan`'s regression-adjusted metrics; `available` says whether rows will be read.
  public init(plan: AnalysisPlan, available: Bool, mode: Mode = .rows) {
    self.mode = mode
    metrics = plan.metrics.indices.filter { plan.metrics[$0].regression != nil }
    columns = metrics.map { plan.columnIndices(metric: $0) }
    cellCount = plan.variants.count * plan.segments.count
    segmentCount = plan.segments.count
    self.available = available
    outcomes = metrics.map { _ in [[Double]](repeating: [], count: plan.variants.count * plan.segments.count) }
    covariates = outcomes
    incomplete = metrics.map { _ in [Int](repeating: 0, count: plan.variants.count * plan.segments.count) }
    let noEnds = metrics.map { _ in [[Int]](repeating: [], count: plan.variants.count * plan.segments.count) }
    chunkEnds = ChunkEnds(counts: noEnds, parts: noEnds)
    moments = RegressionCells(plan: plan)
    sums = metrics.map { _ in [CellSums](repeating: CellSums(), count: plan.variants.count * plan.segments.count) }
  }

  /// Whether any metric needs rows.
  public var isEmpty: Bool { metrics.isEmpty }

  /// Adds one unit's values (`values[offset + c]` is value column c, NaN when missing) to cell `cell`.
  @inline(__always)
  mutating func add(cell: Int, values: [Double], offset: Int) {
    switch mode {
    case .rows: break
    case .moments:
      addMoments(cell: cell, values: values, offset: offset)
      return
    case .sums(let pass):
      addSums(pass, cell: cell, values: values, offset: offset)
      return
    }
    for (index, own) in columns.enumerated() {
      let outcome = values[offset + own[0]]
      if outcome.isNaN { continue }
      var complete = true
      for column in own.dropFirst() where values[offset + column].isNaN { complete = false }
      guard complete else {
        incomplete[index][cell] += 1
        continue
      }
      outcomes[index][cell].append(outcome)
      for column in own.dropFirst() { covariates[index][cell].append(values[offset + column]) }
    }
  }

  /// Pass 1 of one unit: its value and covariates into its cell's moments, or counted as incomplete.
  private mutating func addMoments(cell: Int, values: [Double], offset: Int) {
    for (index, own) in columns.enumerated() {
      if values[offset + own[0]].isNaN { continue }
      scratch.removeAll(keepingCapacity: true)
      for column in own {
        let value = values[offset + column]
        if value.isNaN { break }
        scratch.append(value)
      }
      guard scratch.count == own.count else {
        moments.addIncomplete(position: index, cell: cell)
        continue
      }
      moments.add(scratch, position: index, cell: cell)
    }
  }

  /// Pass 2 of one unit: its HC term under its segment's fit and under the overall fit.
  private mutating func addSums(_ pass: PassTwo, cell: Int, values: [Double], offset: Int) {
    let arm = pass.armOfVariant[cell / segmentCount], segment = cell % segmentCount
    for (index, own) in columns.enumerated() {
      let outcome = values[offset + own[0]]
      if outcome.isNaN { continue }
      scratch.removeAll(keepingCapacity: true)
      for column in own.dropFirst() {
        let value = values[offset + column]
        if value.isNaN { break }
        scratch.append(value)
      }
      guard scratch.count == own.count - 1 else { continue }  // pass 1 counted it
      Self.addTerms(
        into: &sums[index][cell], pass.fits[index][segment], pass.fits[index][segmentCount], arm: arm,
        outcome: outcome, covariates: scratch)
    }
  }

  /// `.rows` mode: marks the end of a chunk of the data (`DataChunks`): the units kept so far are one chunk's.
  mutating func cut() {
    guard mode == .rows else { return }
    for position in metrics.indices {
      for cell in 0..<cellCount {
        let count = outcomes[position][cell].count
        if count > (chunkEnds.counts[position][cell].last ?? 0) { chunkEnds.counts[position][cell].append(count) }
      }
    }
  }

  /// The units of each chunk in cell `cell` of metric `position`, in order and grouped by part of the data set
  /// (chunks and parts that added none left out).
  private func chunks(position: Int, cell: Int) -> [[Range<Int>]] {
    var out: [[Range<Int>]] = []
    var from = 0
    let partStarts = Set(chunkEnds.parts[position][cell])
    for end in chunkEnds.counts[position][cell] + [outcomes[position][cell].count] where end > from {
      if out.isEmpty || partStarts.contains(from) { out.append([]) }
      out[out.count - 1].append(from..<end)
      from = end
    }
    return out
  }

  /// `.rows` mode: pass 1 over the kept rows, as a regular file's first read (`.moments`) adds its units: per cell and
  /// chunk the moments of [value, covariates] of its units in file order, merged in chunk order (Chan et al.; a chunk
  /// without units leaves a cell as it is), and the incomplete units' count.
  ///
  /// So a pipe gives the cells, the fits and the results of the same file read twice, to the last digit: the
  /// sequential reader marks the chunks a regular file is read in (`DataChunks`, `cut`).
  public func replayedMoments(plan: AnalysisPlan) -> RegressionCells {
    precondition(mode == .rows, "only kept rows replay")
    var cells = RegressionCells(plan: plan)
    for (position, own) in columns.enumerated() {
      let k = own.count - 1
      var row = [Double](repeating: 0, count: own.count)
      for cell in 0..<cellCount {
        let y = outcomes[position][cell], x = covariates[position][cell]
        for part in chunks(position: position, cell: cell) {
          var partMoments = RegressionCells.Moments(columns: own.count)
          for chunk in part {
            var moments = RegressionCells.Moments(columns: own.count)
            for unit in chunk {
              row[0] = y[unit]
              for l in 0..<k { row[l + 1] = x[unit * k + l] }
              moments.add(row)
            }
            partMoments.merge(moments)
          }
          cells.merge(partMoments, position: position, variant: cell / segmentCount, segment: cell % segmentCount)
        }
        for _ in 0..<incomplete[position][cell] { cells.addIncomplete(position: position, cell: cell) }
      }
    }
    return cells
  }

  /// `.rows` mode: pass 2 over the kept rows under `pass`, as a regular file's second read (`.sums`) sums them: per
  /// metric, cell and chunk, the units' HC terms in file order, the chunks' sums added in chunk order.
  func replayedSums(_ pass: PassTwo) -> [[CellSums]] {
    precondition(mode == .rows, "only kept rows replay")
    var out = sums
    for (position, own) in columns.enumerated() {
      let k = own.count - 1
      var row = [Double](repeating: 0, count: k)
      for cell in 0..<cellCount {
        let arm = pass.armOfVariant[cell / segmentCount], segment = cell % segmentCount
        let y = outcomes[position][cell], x = covariates[position][cell]
        for part in chunks(position: position, cell: cell) {
          var partSums = CellSums()
          for chunk in part {
            var chunkSums = CellSums()
            for unit in chunk {
              for l in 0..<k { row[l] = x[unit * k + l] }
              Self.addTerms(
                into: &chunkSums, pass.fits[position][segment], pass.fits[position][segmentCount], arm: arm,
                outcome: y[unit], covariates: row)
            }
            Self.add(chunkSums, to: &partSums)
          }
          Self.add(partSums, to: &out[position][cell])
        }
      }
    }
    return out
  }

  /// A later chunk's sums added to a cell's, as the chunks of a file's second read are.
  private static func add(_ more: CellSums, to sums: inout CellSums) {
    sums.units += more.units
    sums.segment += more.segment
    sums.overall += more.overall
    sums.segmentLeverageOne += more.segmentLeverageOne
    sums.overallLeverageOne += more.overallLeverageOne
  }

  /// One unit's HC terms under its segment's fit and under the overall fit (nil: no fit), into its cell's sums.
  @inline(__always)
  private static func addTerms(
    into sums: inout CellSums, _ segmentFit: InteractedRegressionFit?, _ overallFit: InteractedRegressionFit?,
    arm: Int, outcome: Double, covariates: [Double]
  ) {
    sums.units += 1
    if let fit = segmentFit {
      if let term = try? fit.varianceTerm(arm: arm, outcome: outcome - fit.outcomeShift, covariates: covariates) {
        sums.segment += term
      } else {
        sums.segmentLeverageOne += 1
      }
    }
    if let fit = overallFit {
      if let term = try? fit.varianceTerm(arm: arm, outcome: outcome - fit.outcomeShift, covariates: covariates) {
        sums.overall += term
      } else {
        sums.overallLeverageOne += 1
      }
    }
  }

  /// Appends a later chunk's rows, or with `part` a later part's of the data set (a file), keeping file order.
  public mutating func append(_ other: RegressionRows, part: Bool = false) {
    precondition(metrics == other.metrics && cellCount == other.cellCount, "rows of another plan")
    available = available && other.available
    switch mode {
    case .rows: break
    case .moments:
      moments.merge(other.moments)
      return
    case .sums:
      for index in metrics.indices {
        for cell in 0..<cellCount { Self.add(other.sums[index][cell], to: &sums[index][cell]) }
      }
      return
    }
    // The part appended is a chunk of its own (or keeps its own chunks), marked at its end as the reader marks
    // every chunk's (`DataChunks.Stream`).
    cut()
    for index in metrics.indices {
      for cell in 0..<cellCount {
        let before = outcomes[index][cell].count
        if part { chunkEnds.parts[index][cell].append(before) }
        chunkEnds.counts[index][cell] += other.chunkEnds.counts[index][cell].map { before + $0 }
        chunkEnds.parts[index][cell] += other.chunkEnds.parts[index][cell].map { before + $0 }
        outcomes[index][cell] += other.outcomes[index][cell]
        covariates[index][cell] += other.covariates[index][cell]
        incomplete[index][cell] += other.incomplete[index][cell]
      }
    }
    cut()
  }

  /// The position of plan metric `metric` among `metrics`, nil when it has no `covariates:`.
  public func position(ofMetric metric: Int) -> Int? { metrics.firstIndex(of: metric) }
}
