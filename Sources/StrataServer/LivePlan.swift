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
/// A unit's contribution to its cell is a vector: units, then per metric the count of values, for `missing: zero` the
/// count of values counted as 0 (none was stored), their sum (shifted by its cell's shift, ``LiveTotals``), plus the
/// sum of squares for a continuous metric, then one cross-product per declared pair (with the pair's units and their
/// two sums when a column of it has `missing: exclude`), and last the unit's stored events of the plan's metrics at
/// any time (the dashboard's count per variant). Cells are sums
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
  /// (then each cell's first value: ``LiveTotals``).
  let fixedShifts: [Double?]
  /// The per-unit query: parameters experiment id, unit id; one row (variant, segment, variants, v0, v1, ...), or
  /// none for a unit without exposures.
  let unitSQL: String
  /// PostgreSQL: the per-unit query for many units at once (parameters experiment id, unit ids as `text[]`): one
  /// row per unit, `unit_key` first, NULLs for a unit without exposures, in the order of the ids sent.
  let unitsSQL: String
  /// The length of a contribution vector.
  let width: Int
  /// Per cross-product of the plan: whether it carries its own units and sums (`CellQuery.pairUnitsColumns`), worked
  /// out once instead of for every unit.
  let pairHasUnits: [Bool]
  /// The database the queries are written for (how times compare: ``timeKey(_:)``).
  let dialect: SQLDialect
  /// The event metrics the plan reads (the unit's `events` count).
  let eventMetrics: Set<String>
  /// Per value column: the events it reads, and on which side of the first exposure (`EventColumn`).
  let eventColumns: [EventColumn]

  init(plan: AnalysisPlan, dialect: SQLDialect) throws(WarehouseError) {
    // The results query validates every name the same way (and the live totals feed its reader).
    _ = try CellQuery(plan: plan, dialect: dialect, source: .events(exposures: "exposures", events: "events"))
    // Lin's regression (`covariates:`) reads the units a second time (`RegressionQuery`): no running totals.
    if let metric = plan.metrics.first(where: { $0.regression != nil }) {
      throw WarehouseError("metric \(metric.name) declares covariates:, whose second query has no running totals")
    }
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
    pairHasUnits = plan.crossProducts.map { CellQuery.pairUnitsColumns($0, plan: plan) != nil }
    width =
      1 + columns.reduce(0) { $0 + ($1.kind == .binomial ? 2 : 3) + ($1.missing == .zero ? 1 : 0) }
      + pairHasUnits.reduce(0) { $0 + ($1 ? 4 : 1) } + 1
    self.dialect = dialect
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
    self.eventColumns = eventColumns
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
    // The bounds of the unit's windows (``Bounds``), as text that orders as the database compares the times: SQLite
    // compares the stored text (the window's end is the expression the conditions use), PostgreSQL timestamps (to the
    // microsecond, fixed width).
    let timeText = { (time: String) in
      dialect == .postgres ? "to_char(\(time), 'YYYY-MM-DD HH24:MI:SS.US')" : time
    }
    selects.append("\(timeText("x.exposed_at")) AS bound_start")
    for (index, column) in eventColumns.enumerated() where column.period == .afterExposure {
      if let window = column.window {
        selects.append("\(timeText(dialect.adding(seconds: window.seconds, to: "x.exposed_at"))) AS bound_end\(index)")
      }
    }
    // The unit's stored events of these metrics, at any time (the dashboard's account per variant).
    self.eventMetrics = Set(eventColumns.map(\.event))
    let eventMetrics = self.eventMetrics.sorted()
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
      SELECT u.unit AS unit_key, f.* FROM unnest($2::text[]) WITH ORDINALITY AS u(unit, n)
      LEFT JOIN LATERAL (\(query("$1", "u.unit"))) AS f ON true ORDER BY u.n
      """
    // 3: counts of the values missing: zero filled, and a pair's own units when a column of it has missing: exclude.
    // 4: a shift per cell (stored in the cell), no longer one per experiment: totals of 3 are made again.
    var shape = "strata-live-4\n\(dialect)\n\(plan.segments.count == 1 ? plan.segments[0] : "*")\n"
    for (metric, column) in zip(columns, eventColumns) {
      // A covariate's line says so.
      shape += "\(column.event)\t\(metric.kind.name)\t\(metric.missing)\t\(column.window?.seconds ?? -1)"
      shape += column.period == .beforeExposure ? "\tbefore\n" : "\n"
    }
    for pair in plan.crossProducts { shape += "x\t\(pair.first)\t\(pair.second)\n" }
    for shift in fixedShifts { shape += "k\t\(shift.map { "\($0)" } ?? "cell first")\n" }
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
    /// Where its events count; nil when the database's times are not text this can compare.
    var bounds: Bounds?
  }

  /// An event stored by the transaction that updates the totals.
  struct NewEvent: Sendable {
    var metric: String
    var value: Double
    var time: IngestTime
  }

  /// Where a unit's events count, as text that orders as the database compares the times (``timeKey(_:)``): from its
  /// first exposure on, and per value column before the end of its window.
  struct Bounds: Equatable {
    enum End: Equatable {
      /// No window.
      case open
      /// The database has no end for it (SQLite: an exposure time its date functions cannot read): nothing counts.
      case closed
      case before(String)
    }

    var start: String
    var ends: [End]

    /// Whether an event at `time` (``timeKey(_:)``) counts for value column `index`.
    ///
    /// Times compare as their UTF-8 bytes, as SQLite compares text (and PostgreSQL's fixed-width text orders as its
    /// timestamps).
    func contains(_ time: String, column index: Int) -> Bool {
      guard !time.utf8.lexicographicallyPrecedes(start.utf8) else { return false }
      switch ends[index] {
      case .open: return true
      case .closed: return false
      case .before(let end): return time.utf8.lexicographicallyPrecedes(end.utf8)
      }
    }
  }

  /// An event time as ``Bounds`` compare it: SQLite's stored text, PostgreSQL's timestamp to the microsecond.
  func timeKey(_ time: IngestTime) -> String { dialect == .postgres ? time.text + "000" : time.text }

  /// What a kept unit's new events need to update its contribution alone (stored in `live_units.memo`): its bounds
  /// and per value column the aggregate of its events (nil: none).
  struct Memo: Equatable {
    var bounds: Bounds
    var values: [Double?]

    /// The stored text: one line per field.
    ///
    /// A tag, the start, per column its end (`*` none, `!` closed, `<` then the time), per column its value (empty:
    /// none; else the bits in hex). Nil when a time holds a line break.
    var text: String? {
      // Written into one byte buffer: a memo is stored for every unit of every ingestion transaction.
      let newline = UInt8(ascii: "\n")
      guard !bounds.start.utf8.contains(newline) else { return nil }
      var out: [UInt8] = []
      out.reserveCapacity(4 + bounds.start.utf8.count * (1 + bounds.ends.count) + 17 * values.count)
      out.append(contentsOf: "m1\n".utf8)
      out.append(contentsOf: bounds.start.utf8)
      for end in bounds.ends {
        out.append(newline)
        switch end {
        case .open: out.append(UInt8(ascii: "*"))
        case .closed: out.append(UInt8(ascii: "!"))
        case .before(let time):
          guard !time.utf8.contains(newline) else { return nil }
          out.append(UInt8(ascii: "<"))
          out.append(contentsOf: time.utf8)
        }
      }
      for value in values {
        out.append(newline)
        if let value { Memo.appendHex(value.bitPattern, to: &out) }
      }
      return String(decoding: out, as: UTF8.self)
    }

    /// Lowercase hex without leading zeros (as `String(bits, radix: 16)` writes it).
    static func appendHex(_ bits: UInt64, to out: inout [UInt8]) {
      let digits: StaticString = "0123456789abcdef"
      var shift = bits == 0 ? 0 : (63 - bits.leadingZeroBitCount) / 4 * 4
      while shift >= 0 {
        out.append(digits.utf8Start[Int((bits >> UInt64(shift)) & 0xF)])
        shift -= 4
      }
    }

    /// Reads ``text`` for a plan of `columns` value columns; nil when it is not that.
    ///
    /// Lines are split at line-feed bytes (UTF-8 never holds that byte inside another character); a text with a
    /// carriage return, which a line feed after it would join into one character, is not a memo.
    init?(text: String, columns: Int) {
      let bytes = Array(text.utf8)
      guard !bytes.contains(UInt8(ascii: "\r")) else { return nil }
      let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
      guard lines.count == 2 + 2 * columns, lines[0].elementsEqual("m1".utf8) else { return nil }
      func string(_ line: ArraySlice<UInt8>) -> String { String(decoding: line, as: UTF8.self) }
      var ends: [Bounds.End] = []
      for line in lines[2..<2 + columns] {
        switch line.first {
        case UInt8(ascii: "*"): ends.append(.open)
        case UInt8(ascii: "!"): ends.append(.closed)
        case UInt8(ascii: "<"): ends.append(.before(string(line.dropFirst())))
        default: return nil
        }
      }
      var values: [Double?] = []
      for line in lines[(2 + columns)...] {
        if line.isEmpty {
          values.append(nil)
        } else {
          guard let bits = UInt64(string(line), radix: 16) else { return nil }
          values.append(Double(bitPattern: bits))
        }
      }
      self.init(bounds: Bounds(start: string(lines[1]), ends: ends), values: values)
    }

    init(bounds: Bounds, values: [Double?]) {
      self.bounds = bounds
      self.values = values
    }
  }

  /// Whether value column `index` has a window end in ``Bounds`` (a metric's column with a `window:`).
  func hasEnd(_ index: Int) -> Bool {
    eventColumns[index].period == .afterExposure && eventColumns[index].window != nil
  }

  /// The memo to store beside a unit's new state: only for a unit in its cell whose bounds are known.
  func memo(_ row: UnitRow?, state: LiveTotals.Unit) -> String? {
    guard state.state == .counted, let row, let bounds = row.bounds else { return nil }
    return Memo(bounds: bounds, values: row.values).text
  }

  /// A kept unit after new events alone (no exposure of it changed): the row the per-unit query would now read,
  /// from its stored memo and contribution; nil when it cannot be known without the query (no memo).
  ///
  /// `events`: the unit's new events. Per value column a 0/1 metric's value is the
  /// MAX of its events in the window, another's the SUM, as the query aggregates them; the `events` count grows by
  /// the events of the plan's metrics.
  func advanced(
    memo text: String?, stored: LiveTotals.Unit, events: [NewEvent]
  ) -> UnitRow? {
    guard stored.state == .counted, let text else { return nil }
    return advanced(memo: Memo(text: text, columns: columns.count), stored: stored, events: events)
  }

  /// ``advanced(memo:stored:events:)`` from a memo already read (SQLite's writer keeps them: ``LiveCache``).
  func advanced(memo: Memo?, stored: LiveTotals.Unit, events: [NewEvent]) -> UnitRow? {
    guard stored.state == .counted, let memo, memo.bounds.ends.count == columns.count,
      memo.values.count == columns.count, let last = stored.contribution.last
    else { return nil }
    var values = memo.values
    var count = Int(last.rounded())
    for event in events where eventMetrics.contains(event.metric) {
      count += 1
      let time = timeKey(event.time)
      for (index, column) in columns.enumerated() where eventColumns[index].event == event.metric {
        if eventColumns[index].period == .beforeExposure {
          // A covariate's event before the exposure: its window starts from the event's time (left to the query).
          guard !time.utf8.lexicographicallyPrecedes(memo.bounds.start.utf8) else { return nil }
          continue
        }
        guard memo.bounds.contains(time, column: index) else { continue }
        if column.kind == .binomial {
          values[index] = Swift.max(values[index] ?? event.value, event.value)
        } else {
          values[index] = (values[index] ?? 0) + event.value
        }
      }
    }
    return UnitRow(
      variant: stored.variant, segment: stored.segment, variants: 1, values: values, events: count,
      bounds: memo.bounds)
  }

  /// What a store's `advance` does with one stored unit touched by new events alone.
  enum Advance {
    /// Excluded (exposed to two variants): done, nothing changes.
    case unchanged
    /// Its new state and memo (nil: none to store), already moved into the totals: write them back (the memo as its
    /// ``Memo/text``).
    case store(LiveTotals.Unit, memo: Memo?)
    /// Not knowable from the memo (none, or not in a cell): left for the per-unit query.
    case recompute
  }

  /// The step both stores take per stored unit in `advance`: the unit's row after `events` (``advanced(memo:stored:
  /// events:)``), its state, and its contribution moved in `totals`.
  func advance(_ old: LiveTotals.Unit, memo text: String?, events: [NewEvent]?, totals: inout LiveTotals) -> Advance {
    if old.state == .excluded { return .unchanged }
    guard old.state == .counted, let text else { return .recompute }
    return advance(old, memo: Memo(text: text, columns: columns.count), events: events, totals: &totals)
  }

  /// ``advance(_:memo:events:totals:)`` from a memo already read.
  func advance(_ old: LiveTotals.Unit, memo: Memo?, events: [NewEvent]?, totals: inout LiveTotals) -> Advance {
    if old.state == .excluded { return .unchanged }
    guard let events, let row = advanced(memo: memo, stored: old, events: events),
      let new = unit(row, totals: &totals)
    else { return .recompute }
    totals.apply(old, sign: -1)
    totals.apply(new, sign: 1)
    guard new.state == .counted, let bounds = row.bounds else { return .store(new, memo: nil) }
    return .store(new, memo: Memo(bounds: bounds, values: row.values))
  }

  /// Whether a cell's sums of a continuous metric whose shift came from the data (the first value that entered the
  /// cell) have lost the digits of its variance: its units' squares about the shift, Σ(x − K)², hold less than 2⁻²⁶
  /// (and, in a cell of n ≥ 2²⁶ units with a value, less than 1/(n + 1)) of spread about their mean, so
  /// Σ(x − K)² − (Σ(x − K))²/n keeps fewer than about 26 bits.
  ///
  /// A shift that is none of the cell's values does that: a first value of 1e12 among revenues of about 300, whose
  /// unit was then erased or left the cell, left the others' variances at 0 ("no variation to test against"). While
  /// the shift is one of the cell's values xⱼ, (xⱼ − mean)² ≤ SS, so Σ(x − K)² ≤ (n + 1)·SS: the second bound keeps
  /// a large cell whose shift is its one outlier from being set aside again after every build. A cell whose values are
  /// all equal (but not to the shift) looks the same from its sums and is caught too: a build makes such a cell again
  /// with the same result, so the cost is one build, never wrong numbers. `cell`: the cell's running sums, their
  /// compensations and its shifts (``LiveTotals``).
  func lostDigits(_ cell: [Double]) -> Bool {
    guard cell.count >= 2 * width else { return false }
    var position = 1
    // The layout of ``unit(_:totals:)``: per column, the units with a value, the count counted as 0 (`missing: zero`),
    // the sum of shifted values, and their squares (continuous).
    for (index, metric) in columns.enumerated() {
      let units = LiveTotals.value(cell, position, count: width)
      if metric.missing == .zero { position += 1 }
      if metric.kind == .binomial {
        position += 2
        continue
      }
      let sum = LiveTotals.value(cell, position + 1, count: width)
      let squares = LiveTotals.value(cell, position + 2, count: width)
      // The test of the results query's cells (`ShiftedSums`), at 2⁻²⁶, and the bound a K among the values keeps.
      if fixedShifts[index] == nil, ShiftedSums.lostDigits(count: units, sum: sum, sumOfSquares: squares, bits: 26),
        (squares - sum * (sum / units)) * (units + 1) < squares
      {
        return true
      }
      position += 3
    }
    return false
  }

  /// The unit's state: nil without an exposure.
  ///
  /// Its values are shifted by its cell's shifts (``LiveTotals``); a continuous metric's shift of the cell is set from
  /// this unit's value (or the fixed shift) when the cell has none yet. A unit excluded (two variants) or left out (a
  /// 0/1 value that is neither) enters no cell and sets nothing.
  func unit(_ row: UnitRow?, totals: inout LiveTotals) -> LiveTotals.Unit? {
    guard let row else { return nil }
    guard row.variants == 1 else {
      return LiveTotals.Unit(variant: "", segment: "", state: .excluded, contribution: [])
    }
    var values: [Double?] = []
    var continuous = false
    for (index, metric) in columns.enumerated() {
      let value = metric.missing == .zero ? (row.values[index] ?? 0) : row.values[index]
      if metric.kind == .binomial, let value, value != 0, value != 1 {
        return LiveTotals.Unit(variant: row.variant, segment: row.segment, state: .dropped, contribution: [])
      }
      if metric.kind == .continuous, value != nil { continuous = true }
      values.append(value)
    }
    // The cell's shifts, read only for a unit with a continuous value; those the cell has not yet are set from it.
    var shifts = [Double?](repeating: nil, count: columns.count)
    if continuous {
      let cell = LiveTotals.CellKey(variant: row.variant, segment: row.segment)
      shifts = totals.shifts(cell, plan: self)
      var unset = false
      for (index, metric) in columns.enumerated() where metric.kind == .continuous && shifts[index] == nil {
        guard let value = values[index] else { continue }
        shifts[index] = fixedShifts[index] ?? value
        unset = true
      }
      if unset { totals.setShifts(shifts, of: cell, plan: self) }
    }
    var contribution = [1.0]
    contribution.reserveCapacity(width)
    var shifted: [Double?] = []
    for (index, metric) in columns.enumerated() {
      let value = values[index].map { $0 - (metric.kind == .binomial ? 0 : shifts[index] ?? 0) }
      shifted.append(value)
      contribution.append(value == nil ? 0 : 1)
      if metric.missing == .zero { contribution.append(row.values[index] == nil ? 1 : 0) }  // counted as 0
      contribution.append(value ?? 0)
      if metric.kind == .continuous { contribution.append(value.map { $0 * $0 } ?? 0) }
    }
    for (pair, hasUnits) in zip(plan.crossProducts, pairHasUnits) {
      let a = shifted[pair.first], b = shifted[pair.second]
      if let a, let b { contribution.append(a * b) } else { contribution.append(0) }
      if hasUnits {
        // The pair's own units and sums (`CellQuery.pairUnitsColumns`).
        if let a, let b { contribution += [1, a, b] } else { contribution += [0, 0, 0] }
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
