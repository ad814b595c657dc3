import StrataStats

extension SufficientStatistics {
  /// The joint moments of value columns `columns` (metric indices, in the order given) in one variant ×
  /// segment cell, or over all segments when `segment` is nil: what the ratio and CUPED estimators read.
  ///
  /// Diagonal co-moments are the columns' M2, off-diagonal ones the declared pairs' C
  /// (`pairIndices[i][j]` names the pair of `columns[i]` and `columns[j]`, from `AnalysisPlan.crossProducts`).
  /// Every column and pair must count the same units: a unit with a missing value in one column but not in
  /// another would make the moments describe different units, so that is an error naming the columns
  /// (declare `missing: zero`, or filter the units first).
  public func momentMatrix(columns: [Int], pairIndices: [[Int?]], variant: Int, segment: Int?) throws(StatsError)
    -> MomentMatrix
  {
    // A range and one flat array of pairs (row i, column j at i·k + j), not arrays per call and per row: a plain
    // metric's post-stratified estimate builds a matrix per segment and variant (320,000 at 20,000 × 16).
    let segments = segment.map { $0..<($0 + 1) } ?? 0..<segmentCount
    let k = columns.count
    var moments = [ColumnMoments](repeating: ColumnMoments(), count: k)
    var pairs = [CrossMoments](repeating: CrossMoments(), count: k > 1 ? k * k : 0)
    for s in segments {
      for (i, column) in columns.enumerated() {
        moments[i].merge(metric(column, variant: variant, segment: s))
        for j in 0..<k where j > i {
          guard let index = pairIndices[i][j] else { preconditionFailure("no declared pair for columns \(i), \(j)") }
          pairs[i * k + j].merge(pair(index, variant: variant, segment: s))
        }
      }
    }
    let count = moments[0].count
    var comoments = [[Double]](repeating: [Double](repeating: 0, count: columns.count), count: columns.count)
    for i in columns.indices {
      try StatsError.require(
        moments[i].count == count, "value columns",
        "count \(Int64(moments[0].count)) and \(Int64(moments[i].count)) units with a value in one cell; ratio "
          + "and covariate columns need a value on the same units (missing: zero, or filter the units)")
      comoments[i][i] = moments[i].m2
      for j in 0..<k where j > i {
        try StatsError.require(
          pairs[i * k + j].count == count, "cross-product",
          "counts \(Int64(pairs[i * k + j].count)) units but its columns count \(Int64(count))")
        comoments[i][j] = pairs[i * k + j].comoment
        comoments[j][i] = pairs[i * k + j].comoment
      }
    }
    return try MomentMatrix(count: count, means: moments.map(\.mean), comoments: comoments)
  }
}
