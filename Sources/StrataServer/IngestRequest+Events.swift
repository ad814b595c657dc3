import Hummingbird

extension IngestRequest {
  static let eventFields = ["id", "unit", "metric", "value", "time"]

  /// The largest magnitude of an event's value.
  ///
  /// The results sum each unit's events and then the squares of those totals about a shift (`CellQuery`; the
  /// running totals alike), and Welch's degrees of freedom square the variances again: with events within ±1e50,
  /// a unit's total stays below 1e70 even over 10²⁰ events, its square below 1e140 and that squared below 1e280,
  /// so the stored data always gives finite sums. One event of 1e155, accepted before, made `revenue_sum_sq`
  /// infinite, and the experiment's results and planned looks failed with 409 `not_analysable` naming a row of
  /// the results query.
  static let largestEventValue = 1e50

  /// Reads `{"events": [{"id", "unit", "metric", "value", "time"?}]}`.
  ///
  /// `metric` must be a metric of an experiment in the catalog (its `name:`), `value` a number within
  /// ±``largestEventValue``, and 0 or 1 for a metric any experiment reads as 0/1 (a conversion's event has value 1).
  static func events(_ body: ByteBuffer, catalog: Catalog, now: IngestTime) throws(IngestFailure) -> [EventRow] {
    let key = "events"
    var rows: [EventRow] = []
    for (index, item) in try items(body, key: key).enumerated() {
      let item = try fields(item, key, index, known: eventFields)
      let id = try text(item, "id", key, index)
      let unit = try text(item, "unit", key, index)
      let metric = try text(item, "metric", key, index, bounded: false)
      guard let binomial = catalog.metrics[metric] else {
        let known = catalog.metrics.keys.sorted().joined(separator: ", ")
        throw IngestFailure(
          message:
            "\(key)[\(index)].metric: \"\(metric)\" is not a metric of any experiment in the catalog (metrics: \(known))",
          index: index, field: "metric")
      }
      let value: Double
      switch item["value"] {
      case .integer(let number)?: value = Double(number)
      case .number(let number)?: value = number
      case nil: throw IngestFailure(message: "\(key)[\(index)].value: missing", index: index, field: "value")
      default:
        throw IngestFailure(message: "\(key)[\(index)].value: expected a number", index: index, field: "value")
      }
      guard value.isFinite else {
        throw IngestFailure(
          message: "\(key)[\(index)].value: must be a finite number", index: index, field: "value")
      }
      guard abs(value) <= largestEventValue else {
        throw IngestFailure(
          message:
            "\(key)[\(index)].value: must be a number between -1e50 and 1e50 (beyond that the results' sums of "
            + "squares overflow), got \(value)",
          index: index, field: "value")
      }
      if binomial && value != 0 && value != 1 {
        throw IngestFailure(
          message:
            "\(key)[\(index)].value: \(value) for \"\(metric)\", a 0/1 metric: its events have value 1 (or 0)",
          index: index, field: "value")
      }
      rows.append(
        EventRow(id: id, unit: unit, metric: metric, value: value, time: try time(item, key, index, now: now)))
    }
    return rows
  }
}
