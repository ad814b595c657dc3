import StrataDefinitions

extension DataSummary {
  /// The missing values of one value column over all cells, and what its `missing:` policy did with them.
  public struct MissingValues: Sendable, Hashable {
    /// The data column (`AnalysisPlan.columns`).
    public var column: String
    /// What reads it: `metric "revenue"`, `covariate of "revenue"`, `numerator of "revenue_per_order"`.
    public var purpose: String
    public var policy: Metric.MissingValuePolicy
    /// Units with an empty value: left out of the column (`exclude`) or counted as 0 (`zero`); nil when the input
    /// cannot tell (aggregated cells and SQL rows hold zero-filled sums without the number filled).
    public var units: Int?
    /// The same per variant (plan order), nil where `units` is nil.
    public var byVariant: [Int]?
  }

  /// Per value column of `plan`, in plan order: its missing values and the policy applied to them.
  ///
  /// Excluded values are counted for every input (`<c>_n` below `n` in aggregated cells and SQL rows); values
  /// counted as 0 when the input says (`zeroFillsCounted`: a unit-level CSV, whose reader sees each empty cell, or
  /// cells with `<c>_zero_filled`).
  public func missingValues(plan: AnalysisPlan) -> [MissingValues] {
    plan.columns.enumerated().map { index, column in
      let known = column.missing == .exclude || zeroFillsCounted
      let byVariant = plan.variants.indices.map { variant in
        let moments = statistics.metric(index, variant: variant)
        return column.missing == .exclude ? moments.missing : moments.zeroFilled
      }
      return MissingValues(
        column: column.column, purpose: DataReader.purpose(of: column, plan: plan), policy: column.missing,
        units: known ? byVariant.reduce(0, +) : nil, byVariant: known ? byVariant : nil)
    }
  }
}
