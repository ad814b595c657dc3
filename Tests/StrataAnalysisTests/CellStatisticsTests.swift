import Foundation
import StrataAnalysis
import StrataTestSupport
import Testing

/// Cell statistics: merging partial cells (files, partitions, SQL rows) in any order gives the one-pass cells,
/// and shifted sums keep the variance of data with a huge mean.
@Suite("Cell statistics")
struct CellStatisticsTests {
  /// Random values: a unit's (a, b) with b correlated with a; some a missing.
  static func values(count: Int, seed: UInt64, mean: Double = 50, spread: Double = 20) -> [(Double?, Double)] {
    var random = SplitMix64(seed: seed)
    return (0..<count).map { _ in
      let a = mean + spread * (Double.random(in: -1...1, using: &random) + Double.random(in: -1...1, using: &random))
      let b = 0.5 * a + Double.random(in: 0...10, using: &random)
      return (Double.random(in: 0...1, using: &random) < 0.1 ? nil : a, b)
    }
  }

  static func cell(_ rows: ArraySlice<(Double?, Double)>) -> SufficientStatistics.Cell {
    var a = ColumnMoments(), b = ColumnMoments(), ab = CrossMoments()
    for (x, y) in rows {
      if let x {
        a.add(x)
        ab.add(x, y)
      } else {
        a.missing += 1
      }
      b.add(y)
    }
    return SufficientStatistics.Cell(units: rows.count, columns: [a, b], pairs: [ab])
  }

  static func expectClose(_ x: SufficientStatistics.Cell, _ y: SufficientStatistics.Cell, _ label: String) {
    #expect(x.units == y.units, "\(label)")
    for (p, q) in zip(x.columns, y.columns) {
      #expect(p.count == q.count && p.missing == q.missing, "\(label)")
      #expect(isClose(p.mean, q.mean, relativeTolerance: 1e-12), "\(label): mean \(p.mean) vs \(q.mean)")
      #expect(isClose(p.m2, q.m2, relativeTolerance: 1e-12), "\(label): M2 \(p.m2) vs \(q.m2)")
      #expect(isClose(p.sum, q.sum, relativeTolerance: 1e-12), "\(label): sum \(p.sum) vs \(q.sum)")
    }
    for (p, q) in zip(x.pairs, y.pairs) {
      #expect(p.count == q.count, "\(label)")
      #expect(isClose(p.meanA, q.meanA, relativeTolerance: 1e-12), "\(label)")
      #expect(isClose(p.covariance, q.covariance, relativeTolerance: 1e-12), "\(label)")
      #expect(isClose(p.meanB, q.meanB, relativeTolerance: 1e-12), "\(label)")
      #expect(isClose(p.comoment, q.comoment, relativeTolerance: 1e-12), "\(label): C \(p.comoment) vs \(q.comoment)")
    }
  }

  /// Random cut points: `parts` non-empty slices of 0..<count.
  static func partition(count: Int, parts: Int, using random: inout SplitMix64) -> [Range<Int>] {
    var cuts = Set<Int>()
    while cuts.count < parts - 1 { cuts.insert(Int.random(in: 1..<count, using: &random)) }
    let bounds = [0] + cuts.sorted() + [count]
    return (0..<parts).map { bounds[$0]..<bounds[$0 + 1] }
  }

  @Test(arguments: 0..<40)
  func mergedPartitionsEqualOnePass(seed: Int) {
    var random = SplitMix64(seed: UInt64(1000 + seed))
    let count = Int.random(in: 20...3000, using: &random)
    // Means up to 50 spreads from 0. Far beyond, the one-pass (Welford) reference itself carries rounding of
    // about n·ε·|x̄|/s (1e-11 relative at |x̄|/s = 5e4), so it is no longer a 1e-12 yardstick.
    // Seeds from 30 on: a mean of 1e9 with a spread of 1, where the cells keep their moments about a shift.
    let rows =
      seed < 30
      ? Self.values(count: count, seed: UInt64(seed), mean: Double.random(in: -1e3...1e3, using: &random))
      : Self.values(count: count, seed: UInt64(seed), mean: 1e9, spread: 1)
    let whole = Self.cell(rows[...])
    let parts = Self.partition(count: count, parts: Int.random(in: 2...12, using: &random), using: &random)
    var cells = parts.map { Self.cell(rows[$0]) }
    cells.shuffle(using: &random)
    // Left to right in a shuffled order.
    var sequential = cells[0]
    for cell in cells.dropFirst() { sequential.merge(cell) }
    Self.expectClose(sequential, whole, "seed \(seed), \(parts.count) parts, sequential")
    // A random merge tree.
    var pending = cells
    while pending.count > 1 {
      let i = Int.random(in: 0..<pending.count, using: &random)
      let left = pending.remove(at: i)
      let j = Int.random(in: 0..<pending.count, using: &random)
      pending[j].merge(left)
    }
    Self.expectClose(pending[0], whole, "seed \(seed), \(parts.count) parts, tree")
  }

  @Test func shiftedSumsRoundTrip() {
    let rows = Self.values(count: 500, seed: 7, mean: 1e6, spread: 3)
    let cell = Self.cell(rows[...])
    let a = cell.columns[0]
    for shift in [0, -12.5, 1e6 - 40, 1e6, a.mean] {
      let sums = a.shiftedSums(about: shift)
      let back = ColumnMoments(count: a.count, shift: shift, sum: sums.sum, sumOfSquares: sums.sumOfSquares)
      #expect(isClose(back.mean, a.mean, relativeTolerance: 1e-12))
      // The documented bound: about ε·(1 + n(x̄ − K)²/M2) relative (a factor 8 of slack for the sums' own rounding).
      let bound = 8 * Double.ulpOfOne * (1 + a.count * (a.mean - shift) * (a.mean - shift) / a.m2)
      #expect(abs(back.m2 - a.m2) <= bound * a.m2, "shift \(shift): \(back.m2) vs \(a.m2), bound \(bound)")
      if abs(a.mean - shift) < 50 { #expect(isClose(back.m2, a.m2, relativeTolerance: 1e-12), "shift \(shift)") }
    }
    let pair = cell.pairs[0]
    let products = pair.shiftedSumOfProducts(shiftA: 1e6, shiftB: 5e5)
    let back = CrossMoments(
      count: pair.count, shiftA: 1e6, shiftB: 5e5, sumA: pair.count * (pair.meanA - 1e6),
      sumB: pair.count * (pair.meanB - 5e5), sumOfProducts: products)
    #expect(isClose(back.comoment, pair.comoment, relativeTolerance: 1e-9))
  }
}
