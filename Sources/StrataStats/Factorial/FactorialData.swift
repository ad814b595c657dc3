import StrataDesign

/// One unit's outcome in a factorial experiment: its cell (one level label per factor) and its outcome
/// (a value, or 0/1 for a binary metric).
public struct FactorialObservation: Sendable, Hashable {
  public var levels: [String]
  public var outcome: Double

  public init(levels: [String], outcome: Double) {
    self.levels = levels
    self.outcome = outcome
  }
}

/// Sufficient statistics of one cell: unit count, sum and sum of squares of the outcome.
///
/// For a binary metric, `sum` and `sumOfSquares` are both the number of conversions.
public struct FactorialCellSummary: Sendable, Hashable {
  public var levels: [String]
  public var count: Double
  public var sum: Double
  public var sumOfSquares: Double

  public init(levels: [String], count: Double, sum: Double, sumOfSquares: Double) {
    self.levels = levels
    self.count = count
    self.sum = sum
    self.sumOfSquares = sumOfSquares
  }

  /// A binary metric's cell: `conversions` successes out of `count` units.
  public init(levels: [String], conversions: Double, count: Double) {
    self.init(levels: levels, count: count, sum: conversions, sumOfSquares: conversions)
  }

  /// Σ(y − ȳ)², when known directly; it then replaces `sumOfSquares − sum²/count`, which cancels badly when
  /// the mean is large relative to the spread.
  public var sumOfSquaredDeviations: Double?

  /// A continuous metric's cell from its count, mean and sample standard deviation (ddof = 1), exactly.
  public init(levels: [String], summary: SampleSummary) {
    let sum = summary.count * summary.mean
    let deviations = summary.variance * (summary.count - 1)
    self.init(levels: levels, count: summary.count, sum: sum, sumOfSquares: deviations + sum * summary.mean)
    sumOfSquaredDeviations = deviations
  }
}

/// Outcomes of a factorial experiment reduced to per-cell moments (count, mean, within-cell sum of squared deviations).
///
/// Every row of the model's design matrix is constant within a cell, so these moments are exactly sufficient for the
/// least-squares fit, its residual sum of squares and every standard error the analysis offers (classical and HC0–HC3):
/// see `FactorialRegression`.
public struct FactorialData: Sendable, Hashable {
  public let design: FactorialDesign
  /// Moments per cell, keyed by the cell's level indices; only cells with at least one unit.
  public let cells: [[Int]: RunningMoments]

  /// Aggregates unit-level rows (Welford updates per cell, so no sum-of-squares cancellation).
  public init(design: FactorialDesign, observations: [FactorialObservation]) throws(StatsError) {
    let runs = Set(design.runs)
    var cells: [[Int]: RunningMoments] = [:]
    for (index, observation) in observations.enumerated() {
      let field = "row \(index + 1)"
      let key = try FactorialData.cellKey(observation.levels, design: design, runs: runs, field: field)
      try StatsError.require(observation.outcome.isFinite, field, "outcome must be finite, got \(observation.outcome)")
      cells[key, default: RunningMoments()].add(observation.outcome)
    }
    try StatsError.require(!cells.isEmpty, "data", "has no rows")
    self.design = design
    self.cells = cells
  }

  /// Uses per-cell sufficient statistics.
  ///
  /// The within-cell sum of squares is `sumOfSquaredDeviations` when given, else `sumOfSquares − sum²/count`, which
  /// loses precision when the mean is large relative to the spread (cancellation); a result below zero by more than
  /// rounding is rejected. A cell listed twice is merged.
  public init(design: FactorialDesign, cellSummaries: [FactorialCellSummary]) throws(StatsError) {
    let runs = Set(design.runs)
    var cells: [[Int]: RunningMoments] = [:]
    for (index, summary) in cellSummaries.enumerated() {
      let field = "cell \(index + 1) (\(summary.levels.joined(separator: ", ")))"
      let key = try FactorialData.cellKey(summary.levels, design: design, runs: runs, field: field)
      try StatsError.require(
        summary.count >= 1 && summary.count <= 1e15 && summary.count == summary.count.rounded(), field,
        "count must be a whole number between 1 and 1e15, got \(summary.count)")
      try StatsError.require(summary.sum.isFinite, field, "sum must be finite, got \(summary.sum)")
      try StatsError.require(
        summary.sumOfSquares.isFinite && summary.sumOfSquares >= 0, field,
        "sum of squares must be finite and ≥ 0, got \(summary.sumOfSquares)")
      let mean = summary.sum / summary.count
      if let deviations = summary.sumOfSquaredDeviations {
        try StatsError.require(
          deviations >= 0 && deviations.isFinite, field,
          "sum of squared deviations must be finite and ≥ 0, got \(deviations)")
        cells[key, default: RunningMoments()].merge(RunningMoments(count: summary.count, mean: mean, m2: deviations))
        continue
      }
      var m2 = summary.sumOfSquares - summary.sum * mean
      // Rounding in sumOfSquares can leave m2 slightly negative; more than that is inconsistent input.
      let slack = 1e-9 * max(summary.sumOfSquares, 1)
      try StatsError.require(
        m2 >= -slack, field,
        "sum of squares \(summary.sumOfSquares) is below sum²/count = \(summary.sum * mean); the summary is inconsistent"
      )
      m2 = max(0, m2)
      cells[key, default: RunningMoments()].merge(RunningMoments(count: summary.count, mean: mean, m2: m2))
    }
    try StatsError.require(!cells.isEmpty, "data", "has no cells")
    self.design = design
    self.cells = cells
  }

  private static func cellKey(
    _ labels: [String], design: FactorialDesign, runs: Set<[Int]>, field: String
  ) throws(StatsError) -> [Int] {
    try StatsError.require(
      labels.count == design.factors.count, field,
      "has \(labels.count) levels but the design has \(design.factors.count) factors")
    var key: [Int] = []
    for (factor, label) in zip(design.factors, labels) {
      do {
        key.append(try factor.levelIndex(of: label))
      } catch {
        throw .invalidInput(field: field, message: "\(error)")
      }
    }
    try StatsError.require(
      runs.contains(key), field, "cell (\(labels.joined(separator: ", "))) is not a run of the design")
    return key
  }

  /// Total number of units.
  public var unitCount: Double { cells.values.reduce(0) { $0 + $1.count } }

  /// Cells with data in the design's run order.
  var orderedCells: [(levels: [Int], moments: RunningMoments)] {
    design.runs.compactMap { run in cells[run].map { (run, $0) } }
  }
}
