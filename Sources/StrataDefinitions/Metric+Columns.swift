import StrataAssignment

extension Metric {
  /// One data column a metric reads, and how: what the cells need to carry for it.
  public struct ColumnUse: Sendable, Hashable {
    /// What the column is to the metric.
    public enum Part: String, Sendable, Hashable {
      case value, numerator, denominator, covariate
      case covariateNumerator = "covariate.numerator"
      case covariateDenominator = "covariate.denominator"
      /// One of a regression's `covariates:`.
      case covariates

      /// The definition key under the metric that names the column.
      public var field: String {
        switch self {
        case .value: return "column"
        case .numerator, .denominator, .covariateNumerator, .covariateDenominator: return rawValue
        case .covariate: return "covariate"
        case .covariates: return "covariates"
        }
      }
    }

    public var column: String
    public var part: Part
    /// Values must be 0 or 1 (the column of a binomial metric).
    public var binomial: Bool
    public var missing: MissingValuePolicy
    /// Event-level data: the metric's attribution window (covariates: none here; event-level data reads them before
    /// the exposure over their metric's window, `StrataWarehouse.EventColumn`).
    public var window: AttributionWindow?
  }

  /// The columns the metric reads: its value columns, then its covariate's, then a regression's covariates.
  public var columnUses: [ColumnUse] {
    var uses: [ColumnUse] = []
    switch kind {
    case .binomial, .continuous:
      uses.append(ColumnUse(column: column, part: .value, binomial: kind.isBinomial, missing: missing, window: window))
    case .ratio(let numerator, let denominator):
      uses.append(ColumnUse(column: numerator, part: .numerator, binomial: false, missing: missing, window: window))
      uses.append(ColumnUse(column: denominator, part: .denominator, binomial: false, missing: missing, window: window))
    }
    if let covariate {
      let parts: [ColumnUse.Part] = covariate.isRatio ? [.covariateNumerator, .covariateDenominator] : [.covariate]
      for (column, part) in zip(covariate.columns, parts) {
        uses.append(ColumnUse(column: column, part: part, binomial: false, missing: covariate.missing, window: nil))
      }
    }
    for column in regression?.columns ?? [] {
      uses.append(
        ColumnUse(
          column: column, part: .covariates, binomial: false, missing: regression?.missing ?? .exclude, window: nil))
    }
    return uses
  }
}

extension Metric {
  /// The event names that carry this metric in event-level data.
  ///
  /// In the service's events and `strata sql --events`: the metric's name, or a ratio's numerator and
  /// denominator columns, counted from the first exposure. A covariate's events (`covariate:` or `covariates:`) are
  /// named by its column and counted before the exposure (`StrataWarehouse.EventColumn`).
  public var eventNames: [(name: String, binomial: Bool)] {
    var names: [(name: String, binomial: Bool)]
    switch kind {
    case .binomial: names = [(name, true)]
    case .continuous: names = [(name, false)]
    case .ratio(let numerator, let denominator): names = [(numerator, false), (denominator, false)]
    }
    // A covariate is summed, whatever the metric's kind (a count of earlier visits for a 0/1 metric).
    for column in covariate?.columns ?? [] { names.append((column, false)) }
    // So are Lin's regression covariates (`covariates:`).
    for column in regression?.columns ?? [] { names.append((column, false)) }
    return names
  }
}

extension ExperimentDefinition {
  /// A column read by a ratio or covariate with one missing-value policy and elsewhere with another would need
  /// two sets of cells under one name (`<column>_sum` in aggregated input and SQL): an error naming both.
  static func checkColumnUses(_ metrics: [Metric]) throws(DefinitionError) {
    var seen: [String: (index: Int, use: Metric.ColumnUse)] = [:]
    for (index, metric) in metrics.enumerated() {
      for use in metric.columnUses {
        let key = use.column + "\u{0}" + (use.window.map { "\($0)" } ?? "")
        guard let earlier = seen[key] else {
          seen[key] = (index, use)
          continue
        }
        guard earlier.use.missing != use.missing, metric.needsJointMoments || metrics[earlier.index].needsJointMoments
        else { continue }
        let missingField =
          use.part == .covariates
          ? "metrics[\(index)].covariates.missing"
          : use.part == .covariate || use.part == .covariateNumerator || use.part == .covariateDenominator
            ? "metrics[\(index)].covariate.missing" : "metrics[\(index)].missing"
        throw DefinitionError(
          field: missingField,
          message:
            "column \"\(use.column)\" is read with missing: \(use.missing.rawValue) here but missing: \(earlier.use.missing.rawValue) by metrics[\(earlier.index)] (\(metrics[earlier.index].name)); one column has one missing-value policy"
        )
      }
    }
  }
}
