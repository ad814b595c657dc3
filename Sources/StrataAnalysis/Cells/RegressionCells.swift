import StrataStats

/// Pass 1 of Lin's regression (`covariates:`) from cells: per regression-adjusted metric and variant × segment cell,
/// the count, means and co-moments of the metric's value and its covariates over the units that have all of them,
/// and the count of units with a value but not every covariate.
///
/// A query (`strata sql`, `analyze --database`, the service) returns them as sums in columns named by
/// ``names(plan:metric:)``; `InteractedRegressionFit` needs nothing more for the point estimates, and the second
/// query sums each unit's HC2/HC3 term given the fit (`RegressionFits`, docs/warehouse.md). Rows for one cell merge
/// exactly (Chan et al.), as the other cell statistics do.
public struct RegressionCells: Sendable, Hashable {
  /// One metric's pass-1 numbers in one cell, in the plan's order of its columns: value, then covariates.
  public struct Moments: Sendable, Hashable {
    /// Units with a value and every covariate.
    public private(set) var count: Double = 0
    /// Units with a value but not every covariate (the analysis stops on them, as on the unit rows).
    public var incomplete: Int = 0
    /// Per column: the shift the means are kept about, and the mean less it.
    public private(set) var shifts: [Double]
    public private(set) var means: [Double]
    /// Σ(xᵢ − x̄ᵢ)(xⱼ − x̄ⱼ), symmetric.
    public private(set) var comoments: [[Double]]
    /// `add`'s deviations, reused.
    private var deltas: [Double] = []

    public init(columns: Int) {
      shifts = [Double](repeating: 0, count: columns)
      means = shifts
      comoments = [[Double]](repeating: shifts, count: columns)
    }

    /// From shifted sums over `count` units: `sums[i]` = Σ(xᵢ − Kᵢ), `products[i][j]` = Σ(xᵢ − Kᵢ)(xⱼ − Kⱼ).
    public init(count: Double, incomplete: Int, shifts: [Double], sums: [Double], products: [[Double]]) {
      self.init(columns: shifts.count)
      self.incomplete = incomplete
      guard count > 0 else { return }
      self.count = count
      self.shifts = shifts
      means = sums.map { $0 / count }
      for i in shifts.indices {
        for j in shifts.indices { comoments[i][j] = products[i][j] - sums[i] * sums[j] / count }
      }
    }

    /// Adds one unit's values (Welford's update about the first unit's values, kept as the shifts).
    public mutating func add(_ row: [Double]) {
      if count == 0 {
        shifts = row
        deltas = [Double](repeating: 0, count: row.count)
      }
      count += 1
      for i in shifts.indices { deltas[i] = (row[i] - shifts[i]) - means[i] }
      let weight = (count - 1) / count
      for i in shifts.indices {
        means[i] += deltas[i] / count
        // Σ δᵢδⱼ(n − 1)/n: the same product for (i, j) and (j, i), so the matrix stays symmetric.
        for j in shifts.indices { comoments[i][j] += deltas[i] * deltas[j] * weight }
      }
    }

    /// Adds `other`'s units (Chan et al.'s pairwise update), about this part's shifts.
    public mutating func merge(_ other: Moments) {
      incomplete += other.incomplete
      guard other.count > 0 else { return }
      guard count > 0 else {
        let incomplete = self.incomplete
        self = other
        self.incomplete = incomplete
        return
      }
      let total = count + other.count
      let delta = shifts.indices.map { (other.shifts[$0] - shifts[$0]) + other.means[$0] - means[$0] }
      let weight = count * other.count / total
      for i in shifts.indices {
        means[i] += delta[i] * other.count / total
        for j in shifts.indices {
          comoments[i][j] += other.comoments[i][j] + delta[i] * delta[j] * weight
        }
      }
      count = total
    }
  }

  /// Indices in `AnalysisPlan.metrics` of the metrics with `covariates:`, in plan order.
  public let metrics: [Int]
  let segmentCount: Int
  /// Per metric, per cell (`variant * segmentCount + segment`).
  public private(set) var cells: [[Moments]]

  /// Empty cells for `plan`'s regression-adjusted metrics.
  public init(plan: AnalysisPlan) {
    metrics = plan.metrics.indices.filter { plan.metrics[$0].regression != nil }
    segmentCount = plan.segments.count
    let cellCount = plan.variants.count * plan.segments.count
    cells = metrics.map { Moments(columns: plan.columnIndices(metric: $0).count).repeated(cellCount) }
  }

  public var isEmpty: Bool { metrics.isEmpty }

  /// Merges one row's moments of metric `position` (an index into `metrics`) into its cell.
  public mutating func merge(_ moments: Moments, position: Int, variant: Int, segment: Int) {
    cells[position][variant * segmentCount + segment].merge(moments)
  }

  /// Merges every cell of `other` (the same plan).
  public mutating func merge(_ other: RegressionCells) {
    precondition(metrics == other.metrics && cells.count == other.cells.count, "cells of another plan")
    for position in cells.indices {
      for cell in cells[position].indices { cells[position][cell].merge(other.cells[position][cell]) }
    }
  }

  /// Adds one unit's [value, covariates] to cell `cell` (`variant * segmentCount + segment`) of metric `position`.
  mutating func add(_ row: [Double], position: Int, cell: Int) { cells[position][cell].add(row) }

  /// Counts a unit with a value but not every covariate in cell `cell` of metric `position`.
  mutating func addIncomplete(position: Int, cell: Int) { cells[position][cell].incomplete += 1 }

  public func moments(position: Int, variant: Int, segment: Int) -> Moments {
    cells[position][variant * segmentCount + segment]
  }

  /// The result columns of metric `metric`'s pass 1 (`<metric>_lin_...`).
  ///
  /// The units with every column, those with a value but not every covariate, per column (value, then covariates)
  /// its shifted sum, and per pair i ≤ j the sum of shifted products. The shifts are the columns' own `<col>_shift`
  /// (0 for 0/1 columns).
  public static func names(plan: AnalysisPlan, metric: Int) -> (
    count: String, incomplete: String, sums: [String], products: [[String]]
  ) {
    let prefix = plan.metrics[metric].name + "_lin_"
    let columns = plan.columnIndices(metric: metric).map { plan.columns[$0].column }
    var products = [[String]](repeating: [String](repeating: "", count: columns.count), count: columns.count)
    for i in columns.indices {
      for j in columns.indices {
        products[i][j] = prefix + columns[min(i, j)] + "_x_" + columns[max(i, j)] + "_sum"
      }
    }
    return (prefix + "n", prefix + "incomplete", columns.map { prefix + $0 + "_sum" }, products)
  }

  /// Every pass-1 column name of `plan`, in result order.
  public static func columnNames(plan: AnalysisPlan) -> [String] {
    var out: [String] = []
    for metric in plan.metrics.indices where plan.metrics[metric].regression != nil {
      let names = names(plan: plan, metric: metric)
      out += [names.count, names.incomplete] + names.sums
      for i in names.sums.indices { for j in i..<names.sums.count { out.append(names.products[i][j]) } }
    }
    return out
  }

  /// Reads one row's pass-1 numbers of every regression metric into its cell.
  ///
  /// `value(name)` is the row's number in that column (nil when it is absent or not a number), `shifts[c]` the shift
  /// of `plan.columns[c]`. Throws the column and what is wrong with it.
  public mutating func read(
    plan: AnalysisPlan, variant: Int, segment: Int, shifts: [Double], units: Int,
    value: (String) -> Double?
  ) throws(ColumnProblem) {
    for (position, metric) in metrics.enumerated() {
      let names = Self.names(plan: plan, metric: metric)
      func whole(_ name: String) throws(ColumnProblem) -> Int {
        guard let number = value(name), number >= 0, number == number.rounded(), number <= Double(units) else {
          throw ColumnProblem(column: name, problem: "must be a whole number between 0 and n = \(units)")
        }
        return Int(number)
      }
      func number(_ name: String) throws(ColumnProblem) -> Double {
        guard let number = value(name) else { throw ColumnProblem(column: name, problem: "must be a finite number") }
        return number
      }
      let count = try whole(names.count)
      let incomplete = try whole(names.incomplete)
      var sums: [Double] = []
      for name in names.sums { sums.append(try number(name)) }
      var products = [[Double]](repeating: [Double](repeating: 0, count: sums.count), count: sums.count)
      for i in sums.indices {
        for j in i..<sums.count {
          products[i][j] = try number(names.products[i][j])
          products[j][i] = products[i][j]
        }
        guard products[i][i] >= 0 else {
          throw ColumnProblem(column: names.products[i][i], problem: "is a sum of squares and must be ≥ 0")
        }
      }
      let columnShifts = plan.columnIndices(metric: metric).map { shifts[$0] }
      merge(
        Moments(
          count: Double(count), incomplete: incomplete, shifts: columnShifts, sums: sums, products: products),
        position: position, variant: variant, segment: segment)
    }
  }

  /// A column of a pass-1 or pass-2 result that does not hold what the query writes.
  public struct ColumnProblem: Error, Sendable {
    public var column: String
    public var problem: String
  }
}

extension RegressionCells.Moments {
  fileprivate func repeated(_ count: Int) -> [Self] { [Self](repeating: self, count: count) }
}
