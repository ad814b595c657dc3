import StrataTestSupport
import Testing

@testable import StrataAnalysis

/// The cells keep each column's moments in two parts (`RowMoments`, `ColumnExtras`): a row's update, merges, resets
/// and copies give what whole `ColumnMoments` give, bit for bit, shifted columns (values from 2²⁰ on) included.
@Suite("Cells in two parts")
struct CellMomentsTests {
  /// Seeded rows over 12 cells of two value columns: cells 3 and 7 start with values of about 10⁹ (a shift), the
  /// others with small ones; a value is missing one time in six, filled with 0 one time in twelve, -0 now and then.
  static func rows(count: Int, seed: UInt64) -> [(cell: Int, values: [Double], filled: [Bool])] {
    var random = SplitMix64(seed: seed)
    return (0..<count).map { _ in
      let cell = Int.random(in: 0..<12, using: &random)
      var values = [Double](repeating: 0, count: 2)
      var filled = [false, false]
      for column in 0..<2 {
        let draw = Double.random(in: 0...1, using: &random)
        if draw < 1.0 / 12 {
          filled[column] = true
        } else if draw < 1.0 / 6 {
          values[column] = .nan
        } else if draw < 0.2 {
          values[column] = -0.0
        } else {
          let scale = cell == 3 || cell == 7 ? 1e9 : 40
          values[column] = scale + Double.random(in: -50...50, using: &random)
        }
      }
      return (cell, values, filled)
    }
  }

  /// `rows` added with `addRow`, from `start` on.
  static func added(
    _ rows: [(cell: Int, values: [Double], filled: [Bool])], to start: SufficientStatistics
  ) -> SufficientStatistics {
    var statistics = start
    for row in rows {
      row.values.withUnsafeBufferPointer { values in
        row.filled.withUnsafeBufferPointer { filled in
          statistics.addRow(cell: row.cell, values: values.span, filled: filled.span, countsFilled: true)
        }
      }
    }
    return statistics
  }

  /// What whole `ColumnMoments` give for `rows`: per column `add`, `missing` or `zeroFilled`, as `addRow` documents.
  static func reference(_ rows: [(cell: Int, values: [Double], filled: [Bool])]) -> [ColumnMoments] {
    var columns = [ColumnMoments](repeating: ColumnMoments(), count: 24)
    for row in rows {
      for column in 0..<2 {
        let index = row.cell * 2 + column
        if row.values[column].isNaN {
          columns[index].missing += 1
        } else {
          columns[index].add(row.values[column])
          if row.filled[column] { columns[index].zeroFilled += 1 }
        }
      }
    }
    return columns
  }

  static func empty() -> SufficientStatistics { SufficientStatistics(variantCount: 3, segmentCount: 4, metricCount: 2) }

  @Test("a row's update gives ColumnMoments.add's moments bit for bit, shifted cells and -0 included")
  func rowsMatchWholeColumns() {
    let rows = Self.rows(count: 3_000, seed: 5)
    let statistics = Self.added(rows, to: Self.empty())
    let expected = Self.reference(rows)
    #expect(PipeChunksTests.bits(statistics.metrics) == PipeChunksTests.bits(expected))
    #expect(statistics.metric(0, variant: 0, segment: 3).shift != 0)
    #expect(statistics.metric(1, variant: 1, segment: 0).shift == 0)
  }

  @Test("merges, a reset and copies: the same cells as whole ColumnMoments; a copy keeps its values")
  func mergesResetsAndCopies() {
    let first = Self.rows(count: 1_500, seed: 6)
    let second = Self.rows(count: 1_500, seed: 7)
    let left = Self.added(first, to: Self.empty())
    var merged = left
    merged.merge(Self.added(second, to: Self.empty()))
    var expected = Self.reference(first)
    for (index, column) in Self.reference(second).enumerated() { expected[index].merge(column) }
    #expect(PipeChunksTests.bits(merged.metrics) == PipeChunksTests.bits(expected))
    // `left` shared its storage with `merged` until the merge wrote: it is unchanged.
    #expect(PipeChunksTests.bits(left.metrics) == PipeChunksTests.bits(Self.reference(first)))
    var reused = merged
    reused.reset()
    #expect(reused == Self.empty())
    let again = Self.added(second, to: reused)
    #expect(PipeChunksTests.bits(again.metrics) == PipeChunksTests.bits(Self.reference(second)))
  }

  /// Seeded rows into cells `cells` of a 3 × 4 table of two value columns (the rest left empty), with `rows`' mix of
  /// missing, zero-filled and -0 values; values of about 10⁹ (a shift) in cell 7 when `shifts`.
  static func sparseRows(count: Int, seed: UInt64, cells: [Int], shifts: Bool) -> [(
    cell: Int, values: [Double], filled: [Bool]
  )] {
    rows(count: count, seed: seed).enumerated().map { offset, row in
      let cell = cells[offset % cells.count]
      let values = row.values.map { value -> Double in
        guard !value.isNaN, value != 0 else { return value }  // missing, filled with 0, -0: as they are
        let small = abs(value) < 1e6 ? value : value - 1e9
        return shifts && cell == 7 ? small + 1e9 : small
      }
      return (cell, values, row.filled)
    }
  }

  /// `rows` added with `addRow` and, for a table with a pair, `addPairs` of columns 0 and 1.
  static func addedWithPairs(
    _ rows: [(cell: Int, values: [Double], filled: [Bool])], to start: SufficientStatistics
  ) -> SufficientStatistics {
    var statistics = added(rows, to: start)
    guard statistics.pairCount > 0 else { return statistics }
    for row in rows {
      row.values.withUnsafeBufferPointer {
        statistics.addPairs(cell: row.cell, values: $0.span, columns: [(first: 0, second: 1)])
      }
    }
    return statistics
  }

  @Test(
    "merging a chunk's table while emptying it: the cells of merge and reset, bit for bit, the emptied table as new",
    arguments: [false, true])
  func mergeEmptying(shifts: Bool) {
    // Chunks that leave different cells empty (cell 7 holds the shifted values when `shifts`), merged onto a table
    // that has cells of its own, with and without a pair.
    let chunks = [
      Self.sparseRows(count: 400, seed: 11, cells: [0, 1, 2, 7], shifts: shifts),
      Self.sparseRows(count: 400, seed: 12, cells: [1, 5, 9, 11], shifts: shifts),
      Self.sparseRows(count: 20, seed: 13, cells: [3], shifts: shifts),
      Self.sparseRows(count: 600, seed: 14, cells: Array(0..<12), shifts: shifts),
      // Small values without a missing or zero-filled one into cell 7, which has a shift by now when `shifts`: the
      // merge must go through this table's shift.
      [
        (cell: 7, values: [5.0, 6.5], filled: [false, false]),
        (cell: 7, values: [7.25, 8.0], filled: [false, false]),
      ],
    ]
    for pairCount in [0, 1] {
      let empty = SufficientStatistics(variantCount: 3, segmentCount: 4, metricCount: 2, pairCount: pairCount)
      var expected = Self.addedWithPairs(Self.sparseRows(count: 50, seed: 10, cells: [2, 4], shifts: false), to: empty)
      expected.settleUnits()
      var merged = expected
      var spare: SufficientStatistics? = nil
      for (number, rows) in chunks.enumerated() {
        var chunk = Self.addedWithPairs(rows, to: spare ?? empty)
        chunk.settleUnits()
        var reference = chunk
        expected.merge(reference)
        reference.reset()
        merged.merge(emptying: &chunk)
        let label = "chunk \(number), \(pairCount) pairs, shifts \(shifts)"
        #expect(PipeChunksTests.bits(merged) == PipeChunksTests.bits(expected), "\(label)")
        #expect(PipeChunksTests.bits(chunk) == PipeChunksTests.bits(empty), "\(label): emptied")
        #expect(chunk == reference, "\(label)")
        spare = chunk
      }
      let shifted = (0..<2).contains { expected.metric($0, variant: 1, segment: 3).shift != 0 }
      #expect(merged.units.reduce(0, +) == 1_472)
      #expect(shifted == shifts)
      // The emptied table takes rows as a new one does (no shift left behind).
      let later = Self.sparseRows(count: 300, seed: 15, cells: [3, 7, 8], shifts: false)
      #expect(
        PipeChunksTests.bits(Self.addedWithPairs(later, to: spare!))
          == PipeChunksTests.bits(Self.addedWithPairs(later, to: empty)))
    }
  }

  @Test("without value columns a chunk's units, counted per row, are merged as they are and emptied")
  func mergeEmptyingUnitsOnly() {
    let empty = SufficientStatistics(variantCount: 2, segmentCount: 3, metricCount: 0)
    var merged = empty
    merged.addUnit(cell: 4)
    var chunk = empty
    for cell in [0, 4, 4, 5] { chunk.addUnit(cell: cell) }
    merged.merge(emptying: &chunk)
    #expect(merged.units == [1, 0, 0, 0, 3, 1])
    #expect(chunk == empty)
  }

  @Test("a table's bits are its columns' bits: the walk sees units, column moments and pairs, not an address")
  func reflectionShowsTheColumns() {
    let statistics = Self.added(Self.rows(count: 200, seed: 8), to: Self.empty())
    let bits = PipeChunksTests.bits(statistics)
    #expect(bits.contains { $0.hasPrefix(".metrics.23.") })
    #expect(bits == PipeChunksTests.bits(Self.added(Self.rows(count: 200, seed: 8), to: Self.empty())))
    #expect(bits != PipeChunksTests.bits(Self.added(Self.rows(count: 200, seed: 9), to: Self.empty())))
  }
}
