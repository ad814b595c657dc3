import StrataTestSupport
import Testing

@testable import StrataAnalysis

/// The per-row update leaves the unit counts to `settleUnits()` (`SufficientStatistics.addRow`): the settled cells
/// are those of counting each unit as it comes (`addUnit`, then `add`/`addMissing`/`addZeroFilled`).
@Suite("Settled unit counts")
struct SettledUnitsTests {
  /// Seeded rows over `cells` cells of two value columns: each value missing (NaN) one time in five, and a missing
  /// value of the first column filled with 0 one time in two.
  static func rows(count: Int, cells: Int, seed: UInt64) -> [(cell: Int, values: [Double], filled: [Bool])] {
    var random = SplitMix64(seed: seed)
    return (0..<count).map { _ in
      let cell = Int.random(in: 0..<cells, using: &random)
      var values = [Double](repeating: 0, count: 2)
      var filled = [false, false]
      for column in 0..<2 {
        if Double.random(in: 0...1, using: &random) < 0.2 {
          if column == 0 && Bool.random(using: &random) {
            filled[column] = true
          } else {
            values[column] = .nan
          }
        } else {
          values[column] = Double.random(in: -50...50, using: &random)
        }
      }
      return (cell, values, filled)
    }
  }

  static func byRow(_ rows: [(cell: Int, values: [Double], filled: [Bool])]) -> SufficientStatistics {
    var statistics = SufficientStatistics(variantCount: 3, segmentCount: 4, metricCount: 2)
    for row in rows {
      row.values.withUnsafeBufferPointer { values in
        row.filled.withUnsafeBufferPointer { filled in
          statistics.addRow(cell: row.cell, values: values.span, filled: filled.span, countsFilled: true)
        }
      }
    }
    return statistics
  }

  static func byUnit(_ rows: [(cell: Int, values: [Double], filled: [Bool])]) -> SufficientStatistics {
    var statistics = SufficientStatistics(variantCount: 3, segmentCount: 4, metricCount: 2)
    for row in rows {
      let (variant, segment) = (row.cell / 4, row.cell % 4)
      statistics.addUnit(variant: variant, segment: segment)
      for column in 0..<2 {
        if row.values[column].isNaN {
          statistics.addMissing(metric: column, variant: variant, segment: segment)
        } else {
          statistics.add(row.values[column], metric: column, variant: variant, segment: segment)
          if row.filled[column] { statistics.addZeroFilled(metric: column, variant: variant, segment: segment) }
        }
      }
    }
    return statistics
  }

  @Test(arguments: [0, 1, 7, 500])
  func settledRowsAreCountedUnits(rowCount: Int) {
    let rows = Self.rows(count: rowCount, cells: 12, seed: UInt64(rowCount) + 3)
    var settled = Self.byRow(rows)
    settled.settleUnits()
    let expected = Self.byUnit(rows)
    #expect(settled == expected)
    #expect(settled.units.reduce(0, +) == rowCount)
  }

  /// Cells settled, merged and settled again (as a chunked read's are) keep the counted units.
  @Test func mergedCellsStaySettled() {
    let rows = Self.rows(count: 900, cells: 12, seed: 11)
    var first = Self.byRow(Array(rows[..<400]))
    first.settleUnits()
    var second = Self.byRow(Array(rows[400...]))
    second.settleUnits()
    first.merge(second)
    var expected = Self.byUnit(Array(rows[..<400]))
    expected.merge(Self.byUnit(Array(rows[400...])))
    #expect(first == expected)
    first.settleUnits()
    #expect(first == expected)
  }

  /// Without value columns a row's unit is counted at once, and settling leaves the counts.
  @Test func noValueColumns() {
    var statistics = SufficientStatistics(variantCount: 2, segmentCount: 2, metricCount: 0)
    let none: [Double] = []
    let flags: [Bool] = []
    none.withUnsafeBufferPointer { values in
      flags.withUnsafeBufferPointer { filled in
        for cell in [0, 3, 3, 1, 3] {
          statistics.addRow(cell: cell, values: values.span, filled: filled.span, countsFilled: false)
        }
      }
    }
    statistics.settleUnits()
    #expect(statistics.units == [1, 1, 0, 3])
  }
}
