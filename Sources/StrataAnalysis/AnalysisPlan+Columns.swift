import StrataAssignment
import StrataDefinitions

extension AnalysisPlan {
  /// The value columns the cells carry (`SufficientStatistics` column `c` is `columns[c]`), each once.
  ///
  /// Every metric's columns in plan order (`Metric.columnUses`): a binomial or continuous metric's own column
  /// (the entry is the metric itself, without its covariate), a ratio's numerator and denominator and each
  /// covariate column (entries named by their column, continuous, with the metric's or the covariate's
  /// `missing:`). A data column read twice with the same policy and window is one column, so a `revenue`
  /// metric and a revenue-per-order ratio share `revenue_sum`. Without ratio or covariate metrics, and with no
  /// two metrics on one column, `columns` equals `metrics`.
  public var columns: [Metric] { Self.columns(of: metrics).columns }

  /// Metric `metric`'s columns in `columns`: [value] or [numerator, denominator], then its covariate's.
  public func columnIndices(metric: Int) -> [Int] { Self.columns(of: metrics).indices[metric] }

  /// The one column of a binomial or continuous metric.
  public func valueColumn(metric: Int) -> Int {
    precondition(!metrics[metric].kind.isRatio, "a ratio metric has two value columns")
    return columnIndices(metric: metric)[0]
  }

  /// The pairs whose co-moments the ratio and covariate metrics need: every two of each such metric's columns.
  public static func requiredCrossProducts(for metrics: [Metric]) -> [CrossProduct] {
    let layout = columns(of: metrics)
    var pairs: [CrossProduct] = []
    for (index, metric) in metrics.enumerated() where metric.needsCrossProducts {
      // A regression's covariates come last and need no co-moments (the regression reads unit rows).
      let own = Array(layout.indices[index].prefix(metric.valueColumns.count + (metric.covariate?.columns.count ?? 0)))
      for i in own.indices {
        for j in own.indices where j > i && own[i] != own[j] {
          let pair = CrossProduct(first: min(own[i], own[j]), second: max(own[i], own[j]))
          if !pairs.contains(pair) { pairs.append(pair) }
        }
      }
    }
    return pairs
  }

  private struct ColumnKey: Hashable {
    var column: String
    var window: AttributionWindow?
    var missing: Metric.MissingValuePolicy
  }

  private static func columns(of metrics: [Metric]) -> (columns: [Metric], indices: [[Int]]) {
    var columns: [Metric] = []
    var indices: [[Int]] = []
    var known: [ColumnKey: Int] = [:]
    for metric in metrics {
      var own: [Int] = []
      for use in metric.columnUses {
        let key = ColumnKey(column: use.column, window: use.window, missing: use.missing)
        if let index = known[key] {
          // A 0/1 metric on a column another metric reads as a number: the values are checked as 0/1.
          if use.binomial { columns[index].kind = .binomial }
          own.append(index)
          continue
        }
        var entry: Metric
        if use.part == .value {
          entry = metric
          entry.covariate = nil
          entry.regression = nil
        } else {
          entry = Metric(
            name: use.column, kind: use.binomial ? .binomial : .continuous, role: .secondary, column: use.column,
            missing: use.missing, window: use.window)
        }
        known[key] = columns.count
        own.append(columns.count)
        columns.append(entry)
      }
      indices.append(own)
    }
    return (columns, indices)
  }
}

extension AnalysisPlan.Metric {
  /// The arms' variances are p(1 − p)/n: a 0/1 metric without a covariate (a covariate-adjusted rate has the
  /// adjusted variance its comparison reports, as its standard deviation).
  public var hasBinomialVariance: Bool { kind == .binomial && covariate == nil && regression == nil }
}
