import Foundation
import StrataAnalysis
import Testing

@testable import StrataWarehouse

/// Cells whose sums lost their variance's digits to a far shift (`ShiftedSums`), and the query that sums them again
/// about their own means (`CellQuery.refinement(of:)`, `CellQueryRun`).
@Suite struct RefinementTests {
  typealias V = QueryResult.Value

  /// Σ(x − K) and Σ(x − K)² of `values`, summed in order as an engine does.
  static func sums(_ values: [Double], about shift: Double) -> (count: Double, sum: Double, squares: Double) {
    var sum = 0.0
    var squares = 0.0
    for value in values {
      sum += value - shift
      squares += (value - shift) * (value - shift)
    }
    return (Double(values.count), sum, squares)
  }

  static func lost(_ values: [Double], about shift: Double) -> Bool {
    let s = sums(values, about: shift)
    return ShiftedSums.lostDigits(count: s.count, sum: s.sum, sumOfSquares: s.squares)
  }

  @Test func theTestFlagsAFarShiftAndNothingElse() {
    let spread = (0..<50).map { 250 + Double($0 % 89) + 0.5 }
    let mean = spread.reduce(0, +) / 50
    let sd = (spread.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 50).squareRoot()
    #expect(!Self.lost(spread, about: spread[0]))  // K one of the values
    #expect(!Self.lost(spread, about: mean + 900 * sd))  // 900 standard deviations away: 2²⁰ not reached
    #expect(Self.lost(spread, about: mean + 1100 * sd))
    #expect(Self.lost(spread, about: 1e12))  // the reviewer's first value
    #expect(Self.lost([Double](repeating: 0, count: 40), about: 1e12))  // the all-zero cell
    #expect(Self.lost([Double](repeating: 0.1, count: 7), about: 0.3))  // constant, not at K
    #expect(!Self.lost([Double](repeating: 0.1, count: 7), about: 0.1))  // constant at K: Σ(x − K)² = 0, exact
    #expect(!Self.lost([5, 1e12], about: 1e12))  // the far value's own cell: its variance is huge
    // K = 0 (no shift at all) with a mean far from 0 against the spread: 1e6 ± 100 loses 8 digits, 1e6 ± 1e4 does not.
    #expect(Self.lost((0..<100).map { 1e6 + Double($0 % 7) * 50 - 150 }, about: 0))
    #expect(!Self.lost((0..<100).map { 1e6 + Double($0 % 7) * 5000 - 15000 }, about: 0))
  }

  @Test func theThresholdIsTwoToTheTwentiethOfTheSquares() {
    // M2 = n exactly (a standard deviation of 1), the mean d away from K: Σ(x − K)² = n(1 + d²).
    let n = 1000.0
    func lost(_ d: Double) -> Bool { ShiftedSums.lostDigits(count: n, sum: n * d, sumOfSquares: n * (1 + d * d)) }
    #expect(!lost(1000))  // 1 + 10⁶ < 2²⁰
    #expect(lost(1100))  // 1 + 1.21e6 > 2²⁰
    #expect(ShiftedSums.doubtfulBits == 20)
  }

  @Test func fewValuesAndSumsThatAreNotFiniteAreNotDoubtful() {
    #expect(!ShiftedSums.lostDigits(count: 1, sum: -1e12, sumOfSquares: 1e24))  // one value: no variance
    #expect(!ShiftedSums.lostDigits(count: 0, sum: 0, sumOfSquares: 0))
    #expect(!ShiftedSums.lostDigits(count: 5, sum: 0, sumOfSquares: 0))
    #expect(!ShiftedSums.lostDigits(count: 5, sum: .nan, sumOfSquares: 1))
    #expect(!ShiftedSums.lostDigits(count: 5, sum: 1, sumOfSquares: .infinity))
    #expect(!ShiftedSums.lostDigits(count: 5, sum: .infinity, sumOfSquares: .infinity))
    #expect(!ShiftedSums.lostDigits(count: .infinity, sum: 1, sumOfSquares: 1))
  }

  /// A result of `SQLNameTests.plan()`'s query: per cell (variant, segment, revenue values), the first value 1e12;
  /// `shift` nil: each cell about its own first value (as a refinement sums it).
  static func result(_ query: CellQuery, cells: [(String, String, [Double])], shift: Double? = 1e12) -> QueryResult {
    let rows: [[V]] = cells.map { variant, segment, values in
      let shift = shift ?? values[0]
      let s = sums(values, about: shift)
      let n = V.integer(Int64(values.count))
      let named: [String: V] = [
        "variant": .text(variant), "segment": .text(segment), "n": n, "converted_n": n, "converted_sum": .integer(0),
        "revenue_n": n, "revenue_shift": .double(shift), "revenue_sum": .double(s.sum),
        "revenue_sum_sq": .double(s.squares),
      ]
      return query.columns.map { named[$0] ?? .integer(0) }
    }
    return QueryResult(columns: query.columns, rows: rows)
  }

  static let cells: [(String, String, [Double])] = [
    ("control", "a", [1e12, 300, 301.5, 299]),
    ("control", "b", [0, 0, 0]),
    ("treatment", "a", [310, 280.25, 299.75, 305]),
    ("treatment", "b", [299.99, 299.99]),
  ]

  @Test(arguments: SQLDialect.allCases)
  func theRefinementSumsTheDoubtfulCellsAboutTheirMeans(_ dialect: SQLDialect) throws {
    for source in [CellQuery.Source.units(table: "units"), .events(exposures: "exposures", events: "events")] {
      let query = try CellQuery(plan: SQLNameTests.plan(), dialect: dialect, source: source, countsZeroFills: false)
      #expect(!query.sql.contains("cell_constants"))  // the first query has one K (but for constant cells)
      let summary = try query.summary(of: Self.result(query, cells: Self.cells), source: "test")
      #expect(
        summary.doubtfulCells.map { [$0.variant, $0.segment, $0.column, $0.line] } == [
          [0, 1, 1, 2], [1, 0, 1, 3], [1, 1, 1, 4],
        ])
      let refinement = try #require(try query.refinement(of: summary))
      #expect(refinement.ownMeans == [1])
      #expect(refinement.columns == query.columns)
      #expect(
        refinement.sql.contains(
          "cell_constants AS (\n  SELECT\n    cell_variant AS shift_variant,\n    cell_segment AS shift_segment,\n    AVG(m1) AS k1\n  FROM unit_rows\n  GROUP BY cell_variant, cell_segment\n)\nSELECT"
        ))
      #expect(
        refinement.sql.contains(
          "LEFT JOIN cell_constants AS s ON s.shift_variant = u.cell_variant AND s.shift_segment = u.cell_segment\n"))
      #expect(refinement.sql.contains("COALESCE(SUM((u.m1 - COALESCE(s.k1, c.k1))), 0)"))
      #expect(
        refinement.sql.contains(
          "CASE WHEN MAX(u.m1) - MIN(u.m1) = 0 THEN MIN(u.m1) ELSE MIN(COALESCE(s.k1, c.k1)) END AS \(SQLName.alias("revenue_shift", dialect))"
        ))
      #expect(refinement.sql.contains("MAX(u.m1) - MIN(u.m1) = 0 THEN \(dialect.literal(0)) ELSE"))
      // One refinement: the refined query has none, nor does a result without doubtful cells.
      #expect(try refinement.refinement(of: summary) == nil)
      let ordinary = try query.summary(of: Self.result(query, cells: Self.cells, shift: nil), source: "test")
      #expect(ordinary.doubtfulCells.isEmpty)
      #expect(try query.refinement(of: ordinary) == nil)
    }
  }

  /// The first query already gives a cell whose values of a continuous column are all equal that value as K and sums
  /// of 0 (its own, and every cross-product and Lin's pass-1 sum with the column), so such a cell is never doubtful;
  /// the 0/1 column keeps its plain sum.
  @Test(arguments: SQLDialect.allCases)
  func theFirstQueryGivesAConstantCellItsValue(_ dialect: SQLDialect) throws {
    var plan = SQLNameTests.plan()
    plan.crossProducts = [AnalysisPlan.CrossProduct(first: 0, second: 1)]
    for source in [CellQuery.Source.units(table: "units"), .events(exposures: "exposures", events: "events")] {
      let query = try CellQuery(plan: plan, dialect: dialect, source: source, countsZeroFills: false)
      let constant = "MAX(u.m1) - MIN(u.m1) = 0"
      let zero = dialect.literal(0)
      for expected in [
        "CASE WHEN \(constant) THEN MIN(u.m1) ELSE MIN(c.k1) END AS \(SQLName.alias("revenue_shift", dialect))",
        "CASE WHEN \(constant) THEN \(zero) ELSE COALESCE(SUM((u.m1 - c.k1)), 0) END AS \(SQLName.alias("revenue_sum", dialect))",
        "CASE WHEN \(constant) THEN \(zero) ELSE COALESCE(SUM((u.m1 - c.k1) * (u.m1 - c.k1)), 0) END AS \(SQLName.alias("revenue_sum_sq", dialect))",
        "CASE WHEN \(constant) THEN \(zero) ELSE COALESCE(SUM(u.m0 * (u.m1 - c.k1)), 0) END AS",
        "COALESCE(SUM(u.m0), 0) AS \(SQLName.alias("converted_sum", dialect))",
      ] {
        #expect(query.sql.contains(expected), "\(expected)")
      }
      #expect(!query.sql.contains("MAX(u.m0)"))
      #expect(!query.sql.contains("cell_constants"))
      // Its result: the constant cells about their own value, the others about the first value; nothing doubtful.
      let cells: [(String, String, [Double])] = [
        ("control", "a", [310, 280.25, 299.75, 305]), ("control", "b", [0, 0, 0]),
        ("treatment", "a", [310, 280.25, 299.75, 305]), ("treatment", "b", [299.99, 299.99]),
      ]
      var result = Self.result(query, cells: cells, shift: 310)
      for row in [1, 3] { result.rows[row] = Self.result(query, cells: [cells[row]], shift: nil).rows[0] }
      let run = CellQueryRun(query, source: "db")
      #expect(try run.next(after: [result]) == nil)
      let reading = try run.reading(of: [result])
      #expect(reading.refinedCells == 0 && reading.summary.doubtfulCells.isEmpty)
      #expect(reading.summary.statistics.metric(1, variant: 1, segment: 1).mean == 299.99)
    }
  }

  @Test func ownMeansAreContinuousColumns() throws {
    for columns in [[0], [2], [-1]] {
      #expect(throws: WarehouseError.self) {
        _ = try CellQuery(
          plan: SQLNameTests.plan(), dialect: .duckdb, source: .units(table: "units"), ownMeans: columns)
      }
    }
  }

  @Test func theRunGoesFromTheQueryToTheRefinementAndStops() throws {
    let query = try CellQuery(
      plan: SQLNameTests.plan(), dialect: .sqlite, source: .units(table: "units"), countsZeroFills: false)
    let run = CellQueryRun(query, source: "db")
    #expect(run.first.sql == query.sql)
    let first = Self.result(query, cells: Self.cells)
    let step = try #require(try run.next(after: [first]))
    #expect(step.sql.contains("cell_constants") && step.columns == query.columns)
    // The refinement's result: the doubtful cells about their means, the rest as they were.
    var refined = Self.result(query, cells: Self.cells, shift: nil)
    refined.rows[0] = first.rows[0]
    #expect(try run.next(after: [first, refined]) == nil)
    let reading = try run.reading(of: [first, refined])
    #expect(reading.refinedCells == 3)
    #expect(
      reading.summary.file.hasPrefix("db, 3 cells had lost digits: summed again about each cell's own mean (query "))
    #expect(reading.summary.doubtfulCells.isEmpty)
    // Ordinary data: the query alone.
    let ordinary = Self.result(query, cells: Self.cells, shift: nil)
    #expect(try run.next(after: [ordinary]) == nil)
    #expect(try run.reading(of: [ordinary]).refinedCells == 0)
  }
}
