import Foundation
import StrataAnalysis
import StrataWarehouse

/// How the running cell totals of one experiment are kept (``LiveTotals``): which values a unit contributes, and the
/// per-unit query that reads them from the stored exposures and events.
///
/// A unit's values are exactly those of the event-level `CellQuery` (`strata sql`): its first exposure (earliest
/// time, then segment, then variant) gives its cell; a unit exposed to two variants is excluded and counted; per
/// metric the MAX (0/1 metrics) or SUM of its events at or after that exposure and inside the metric's window, per
/// covariate (CUPED) the SUM of its events before that exposure over the metric's window (`EventColumn`), then the
/// `missing:` policy; a unit whose 0/1 value is anything else is left out. The per-unit query
/// spells the same conditions in the same dialect, so the database compares times exactly as the results query
/// does.
///
/// A unit's contribution to its cell is a vector: units, then per metric the count of values and their (shifted)
/// sum, plus the sum of squares for a continuous metric, then one cross-product per declared pair, and last the
/// unit's stored events of the plan's metrics at any time (the dashboard's count per variant). Cells are sums
/// of contributions, so a change to a unit (a new event, an earlier exposure, a second variant, an erasure) is
/// its old contribution subtracted and its new one added.
struct LivePlan: Sendable {
  let experiment: String
  let plan: AnalysisPlan
  /// The value columns (`AnalysisPlan.columns`): a metric's own, or a ratio's numerator and denominator, each named
  /// by the event metric it sums.
  let columns: [AnalysisPlan.Metric]
  /// SHA-256 over everything that shapes the totals; stored totals with another key are rebuilt.
  let key: String
  /// Per value column: the fixed shift (the primary continuous metric's baseline, as the results query uses), else nil
  /// (then the first value stored).
  let fixedShifts: [Double?]
  /// The per-unit query: parameters experiment id, unit id; one row (variant, segment, variants, v0, v1, ...), or
  /// none for a unit without exposures.
  let unitSQL: String
  /// PostgreSQL: the per-unit query for many units at once (parameters experiment id, unit ids as `text[]`): one
  /// row per unit, `unit_key` first, NULLs for a unit without exposures.
  let unitsSQL: String
  /// The length of a contribution vector.
  let width: Int

  init(plan: AnalysisPlan, dialect: SQLDialect) throws(WarehouseError) {
    // The results query validates every name the same way (and the live totals feed its reader).
    _ = try CellQuery(plan: plan, dialect: dialect, source: .events(exposures: "exposures", events: "events"))
    experiment = plan.id
    self.plan = plan
    columns = plan.columns
    let primary = plan.primaryMetricIndex.flatMap {
      plan.metrics[$0].kind.isRatio ? nil : plan.valueColumn(metric: $0)
    }
    fixedShifts = columns.enumerated().map { index, metric in
      if index == primary, metric.kind == .continuous, let baseline = plan.baseline, baseline.isFinite {
        return baseline
      }
      return nil
    }
    width = 1 + columns.reduce(0) { $0 + ($1.kind == .binomial ? 2 : 3) } + plan.crossProducts.count + 1
    let text = "TEXT"
    let double = dialect == .postgres ? "DOUBLE PRECISION" : "REAL"
    let segment =
      plan.segments.count == 1
      ? "CAST(\(SQLName.literal(plan.segments[0])) AS \(text))" : "TRIM(CAST(x.segment AS \(text)))"
    var selects = [
      "CAST(x.variant AS \(text)) AS variant", "\(segment) AS segment",
      "(SELECT count(*) FROM exposures y WHERE y.experiment_id = x.experiment_id AND y.unit_id = x.unit_id) AS variants",
    ]
    let eventColumns = try EventColumn.columns(of: plan)
    for (index, metric) in columns.enumerated() {
      let column = eventColumns[index]
      var condition = "e.unit_id = x.unit_id AND e.metric = \(SQLName.literal(column.event))"
      switch column.period {
      case .afterExposure:
        condition += " AND e.occurred_at >= x.exposed_at"
        if let window = column.window {
          condition += " AND e.occurred_at < \(dialect.adding(seconds: window.seconds, to: "x.exposed_at"))"
        }
      case .beforeExposure:
        // A covariate: the events before the first exposure, over the metric's window (the results query's rule).
        condition += " AND e.occurred_at < x.exposed_at"
        if let window = column.window {
          condition += " AND \(dialect.adding(seconds: window.seconds, to: "e.occurred_at")) >= x.exposed_at"
        }
      }
      let aggregate = metric.kind == .binomial ? "MAX" : "SUM"
      selects.append("(SELECT \(aggregate)(CAST(e.value AS \(double))) FROM events e WHERE \(condition)) AS v\(index)")
    }
    // The unit's stored events of these metrics, at any time (the dashboard's account per variant).
    let eventMetrics = Set(eventColumns.map(\.event)).sorted()
    selects.append(
      eventMetrics.isEmpty
        ? "0 AS events"
        : "(SELECT count(*) FROM events e WHERE e.unit_id = x.unit_id AND e.metric IN (\(eventMetrics.map(SQLName.literal).joined(separator: ", ")))) AS events"
    )
    let query = { (experiment: String, unit: String) in
      """
      SELECT \(selects.joined(separator: ",\n  "))
      FROM exposures x WHERE x.experiment_id = \(experiment) AND x.unit_id = \(unit)
      ORDER BY x.exposed_at, \(segment), CAST(x.variant AS \(text)) LIMIT 1
      """
    }
    unitSQL = dialect == .postgres ? query("$1", "$2") : query("?", "?")
    unitsSQL = """
      SELECT u.unit AS unit_key, f.* FROM unnest($2::text[]) AS u(unit)
      LEFT JOIN LATERAL (\(query("$1", "u.unit"))) AS f ON true
      """
    var shape = "strata-live-2\n\(dialect)\n\(plan.segments.count == 1 ? plan.segments[0] : "*")\n"
    for (metric, column) in zip(columns, eventColumns) {
      // A covariate's line says so; the others keep their earlier form, so stored totals stay valid.
      shape += "\(column.event)\t\(metric.kind.name)\t\(metric.missing)\t\(column.window?.seconds ?? -1)"
      shape += column.period == .beforeExposure ? "\tbefore\n" : "\n"
    }
    for pair in plan.crossProducts { shape += "x\t\(pair.first)\t\(pair.second)\n" }
    for shift in fixedShifts { shape += "k\t\(shift.map { "\($0)" } ?? "first")\n" }
    shape += "e\t\(eventMetrics.joined(separator: "\t"))\n"
    key = Catalog.sha256(shape.utf8)
  }

  /// A unit as the per-unit query read it.
  struct UnitRow {
    var variant: String
    var segment: String
    /// How many variants the unit was exposed to.
    var variants: Int
    /// Per metric: the aggregate of its events (nil: none).
    var values: [Double?]
    /// Its stored events of the plan's metrics, at any time.
    var events: Int
  }

  /// The unit's state: nil without an exposure.
  ///
  /// Sets a continuous metric's shift from this unit's value when none is set yet.
  func unit(_ row: UnitRow?, shifts: inout [Double?]) -> LiveTotals.Unit? {
    guard let row else { return nil }
    guard row.variants == 1 else {
      return LiveTotals.Unit(variant: "", segment: "", state: .excluded, contribution: [])
    }
    var values: [Double?] = []
    for (index, metric) in columns.enumerated() {
      let value = metric.missing == .zero ? (row.values[index] ?? 0) : row.values[index]
      if metric.kind == .binomial, let value, value != 0, value != 1 {
        return LiveTotals.Unit(variant: row.variant, segment: row.segment, state: .dropped, contribution: [])
      }
      if metric.kind == .continuous, let value, shifts[index] == nil { shifts[index] = fixedShifts[index] ?? value }
      values.append(value)
    }
    var contribution = [1.0]
    contribution.reserveCapacity(width)
    var shifted: [Double?] = []
    for (index, metric) in columns.enumerated() {
      let value = values[index].map { $0 - (metric.kind == .binomial ? 0 : shifts[index] ?? 0) }
      shifted.append(value)
      contribution.append(value == nil ? 0 : 1)
      contribution.append(value ?? 0)
      if metric.kind == .continuous { contribution.append(value.map { $0 * $0 } ?? 0) }
    }
    for pair in plan.crossProducts {
      if let a = shifted[pair.first], let b = shifted[pair.second] {
        contribution.append(a * b)
      } else {
        contribution.append(0)
      }
    }
    contribution.append(Double(row.events))
    return LiveTotals.Unit(variant: row.variant, segment: row.segment, state: .counted, contribution: contribution)
  }
}

/// The live plans of a catalog on one database dialect, and which experiments read each metric.
public struct LivePlans: Sendable {
  let etag: String
  let byExperiment: [String: LivePlan]
  let byMetric: [String: [String]]

  init(catalog: Catalog, dialect: SQLDialect) {
    etag = catalog.etag
    var plans: [String: LivePlan] = [:]
    var metrics: [String: [String]] = [:]
    for entry in catalog.entries {
      guard let plan = try? LivePlan(plan: entry.analysisPlan, dialect: dialect) else { continue }
      plans[plan.experiment] = plan
      for column in plan.columns { metrics[column.name, default: []].append(plan.experiment) }
    }
    byExperiment = plans
    byMetric = metrics
  }

  /// No plan: every touched experiment's totals are dropped (and rebuilt when read).
  public static let empty = LivePlans()
  private init() {
    etag = ""
    byExperiment = [:]
    byMetric = [:]
  }
}
