import StrataAnalysis
import StrataDefinitions

/// How event-level data (`strata sql --events`, the service) fills one value column of a plan.
///
/// A metric's own column, or a ratio's numerator or denominator, sums (0/1 metrics: takes the maximum of) the
/// unit's events of that name at or after its first exposure and, with the metric's `window:`, before
/// exposure + window. A covariate column (`covariate:`, CUPED, or one of `covariates:`, Lin's regression) is the same quantity before the experiment: the
/// sum of the unit's events named as the covariate's column **before** its first exposure and, when the metric
/// has a `window:`, at or after exposure − window (the same length before as the metric counts after; without a
/// window, every earlier event). A unit with no such event has a missing value, handled by the covariate's
/// `missing:` policy.
public struct EventColumn: Sendable, Hashable {
  /// Which side of the unit's first exposure the events are taken from.
  public enum Period: String, Sendable, Hashable {
    /// `exposed_at ≤ time < exposed_at + window` (a metric's value).
    case afterExposure = "after"
    /// `exposed_at − window ≤ time < exposed_at` (a covariate).
    case beforeExposure = "before"
  }

  /// `events.metric` of the events that make the value.
  public var event: String
  public var period: Period
  /// The length of the period; nil: unbounded (every event after, or before, the first exposure).
  public var window: AttributionWindow?

  /// One entry per `plan.columns` entry, in order.
  ///
  /// Throws when event-level data cannot give a column one meaning: the same column is one metric's value and
  /// another's covariate (events after exposure for one, before it for the other), or one covariate column is
  /// read by metrics with different windows.
  public static func columns(of plan: AnalysisPlan) throws(WarehouseError) -> [EventColumn] {
    let columns = plan.columns
    var result = columns.map { EventColumn(event: $0.name, period: .afterExposure, window: $0.window) }
    // Per column: the first metric (by index) reading it as a value, and as a covariate with its window.
    var valueReader: [Int: Int] = [:]
    var covariateReader: [Int: (metric: Int, field: String, window: AttributionWindow?)] = [:]
    for (index, metric) in plan.metrics.enumerated() {
      for (use, column) in zip(metric.columnUses, plan.columnIndices(metric: index)) {
        switch use.part {
        case .covariate, .covariates, .covariateNumerator, .covariateDenominator:
          if let earlier = covariateReader[column], earlier.window != metric.window {
            throw WarehouseError(
              "metrics[\(index)].\(use.part.field) \(SQLName.display(use.column)) is also the covariate of metrics[\(earlier.metric)] (\(SQLName.display(plan.metrics[earlier.metric].name))), whose window differs; in event-level data a covariate sums the events before exposure over its metric's window, so one column needs one window: give one of them another covariate column"
            )
          }
          if covariateReader[column] == nil {
            covariateReader[column] = (index, "metrics[\(index)].\(use.part.field)", metric.window)
          }
        case .value, .numerator, .denominator:
          if valueReader[column] == nil { valueReader[column] = index }
        }
      }
    }
    for (column, covariate) in covariateReader.sorted(by: { $0.key < $1.key }) {
      if let value = valueReader[column] {
        throw WarehouseError(
          "\(covariate.field) \(SQLName.display(columns[column].column)) is also a value of metrics[\(value)] (\(SQLName.display(plan.metrics[value].name))); in event-level data a covariate is the events of that name before exposure and a metric those after it, so one name cannot be both: name the covariate's column after another event"
        )
      }
      result[column] = EventColumn(event: columns[column].name, period: .beforeExposure, window: covariate.window)
    }
    return result
  }
}
