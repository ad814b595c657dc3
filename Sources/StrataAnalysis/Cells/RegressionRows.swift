/// The unit rows a regression-adjusted metric (`covariates:`, Lin 2013) needs, kept beside the cell statistics.
///
/// Cell moments give a regression's point estimate but not its HC2/HC3 errors: the sandwich weighs each unit by
/// its own residual and leverage, 1/(1 − hᵢ) or 1/(1 − hᵢ)², which no finite set of moments determines. So the
/// unit-level reader keeps, per such metric and variant × segment cell, each unit's outcome and covariates, in
/// file order (chunks and files are appended in order, so the rows do not depend on `--threads`). Memory grows
/// with the units: 8·(1 + k) bytes per unit and metric with k covariates. Aggregated cells and SQL rows have no
/// rows, so `available` is false for them and the analysis refuses such metrics with a sentence.
public struct RegressionRows: Sendable, Hashable {
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

  /// Empty rows for `plan`'s regression-adjusted metrics; `available` says whether rows will be read.
  public init(plan: AnalysisPlan, available: Bool) {
    metrics = plan.metrics.indices.filter { plan.metrics[$0].regression != nil }
    columns = metrics.map { plan.columnIndices(metric: $0) }
    cellCount = plan.variants.count * plan.segments.count
    self.available = available
    outcomes = metrics.map { _ in [[Double]](repeating: [], count: plan.variants.count * plan.segments.count) }
    covariates = outcomes
    incomplete = metrics.map { _ in [Int](repeating: 0, count: plan.variants.count * plan.segments.count) }
  }

  /// Whether any metric needs rows.
  public var isEmpty: Bool { metrics.isEmpty }

  /// Adds one unit's values (`values[offset + c]` is value column c, NaN when missing) to cell `cell`.
  @inline(__always)
  mutating func add(cell: Int, values: [Double], offset: Int) {
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

  /// Appends a later part's rows (the next chunk or file), keeping file order.
  public mutating func append(_ other: RegressionRows) {
    precondition(metrics == other.metrics && cellCount == other.cellCount, "rows of another plan")
    available = available && other.available
    for index in metrics.indices {
      for cell in 0..<cellCount {
        outcomes[index][cell] += other.outcomes[index][cell]
        covariates[index][cell] += other.covariates[index][cell]
        incomplete[index][cell] += other.incomplete[index][cell]
      }
    }
  }

  /// The position of plan metric `metric` among `metrics`, nil when it has no `covariates:`.
  public func position(ofMetric metric: Int) -> Int? { metrics.firstIndex(of: metric) }
}
