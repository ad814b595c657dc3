import Foundation
import GRDB
import StrataAnalysis
import StrataWarehouse
import Testing

@testable import StrataServer

/// The running cell totals (``LiveTotals``) against the results query they replace: after every kind of change
/// (exposures out of order, a second variant, events before their exposure or outside a window, retried items, an
/// erasure, a plan change) the cells read from the totals are the cells the event-level `CellQuery` computes,
/// covariates (the events before the first exposure, over the metric's window or all of them) included.
@Suite struct LiveTotalsTests {
  static let definition = """
    id: live-window
    unit: user_id
    salt: live-window
    variants:
      - key: control
      - key: treatment
    segments:
      - name: heavy
        rule: visits >= 10
      - name: light
    metrics:
      - name: converted
        kind: binomial
        role: primary
        missing: zero
        window: 2d
      - name: spend
        kind: continuous
        role: guardrail
        missing: exclude
        window: 1d
      - name: minutes
        kind: continuous
        role: secondary
        missing: zero
        window: 3d
        covariate: {column: minutes_before, missing: exclude}
      - name: basket_per_item
        kind: ratio
        numerator: basket
        denominator: items
        role: secondary
        missing: zero
        covariate: {numerator: basket_before, denominator: items_before, missing: zero}
    """

  /// A small deterministic generator (64-bit LCG).
  struct Generator {
    var state: UInt64
    mutating func next(_ bound: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(bound))
    }
  }

  static func time(_ minutes: Int) -> IngestTime {
    IngestTime(milliseconds: 1_796_000_000_000 + Int64(minutes) * 60_000)
  }

  /// Batches of exposures and events for `units` units, shuffled, with retries.
  static func batches(units: Int, seed: UInt64) -> [IngestBatch] {
    var random = Generator(state: seed)
    var exposures: [ExposureRow] = []
    var events: [EventRow] = []
    for index in 0..<units {
      let unit = "u\(index)"
      let variant = ["control", "treatment"][random.next(2)]
      let segment = ["heavy", "light", " light "][random.next(3)]
      let start = random.next(10_000)
      for repeatIndex in 0..<(1 + random.next(3)) {
        // Later exposures may carry an earlier time (they arrive out of order); 4% see the other variant.
        let other = random.next(25) == 0
        exposures.append(
          ExposureRow(
            id: "x\(index)-\(repeatIndex)", experiment: "live-window", unit: unit,
            variant: other ? (variant == "control" ? "treatment" : "control") : variant, segment: segment,
            time: time(start + random.next(600) - 300), definitionHash: "test"))
      }
      for eventIndex in 0..<random.next(8) {
        let metric = [
          "converted", "spend", "minutes", "basket", "items", "minutes_before", "basket_before", "items_before",
        ][random.next(8)]
        let value =
          metric == "converted" ? Double(random.next(2)) : Double(random.next(100_000)) / 100 + 1_000
        // Before the exposure, inside and outside the windows.
        events.append(
          EventRow(
            id: "e\(index)-\(eventIndex)", unit: unit, metric: metric, value: value,
            time: time(start - 6_000 + random.next(6_000 + 4 * 24 * 60))))
      }
    }
    var items: [IngestBatch] = []
    var all = exposures.map { IngestBatch.exposures([$0]) } + events.map { IngestBatch.events([$0]) }
    for index in all.indices.reversed() { all.swapAt(index, random.next(index + 1)) }
    var position = 0
    while position < all.count {
      let size = 1 + random.next(40)
      var rows: [ExposureRow] = []
      var eventRows: [EventRow] = []
      for batch in all[position..<min(position + size, all.count)] {
        switch batch {
        case .exposures(let row): rows += row
        case .events(let row): eventRows += row
        }
      }
      if !rows.isEmpty { items.append(.exposures(rows)) }
      if !eventRows.isEmpty { items.append(.events(eventRows)) }
      if random.next(5) == 0 && !rows.isEmpty { items.append(.exposures(rows)) }  // a retry
      position += size
    }
    return items
  }

  /// Cells equal: units and missing counts exactly, means and second moments within 1e-9 (relative).
  static func agree(_ a: DataSummary, _ b: DataSummary) -> String? {
    let x = a.statistics
    let y = b.statistics
    guard x.units == y.units else { return "units \(x.units) ≠ \(y.units)" }
    guard a.issues.total == b.issues.total else { return "issues \(a.issues.total) ≠ \(b.issues.total)" }
    guard a.zeroFillsCounted && b.zeroFillsCounted else { return "zero fills not counted" }
    for index in x.metrics.indices {
      let (p, q) = (x.metrics[index], y.metrics[index])
      guard p.count == q.count, p.missing == q.missing else { return "cell \(index): count \(p.count) ≠ \(q.count)" }
      // The values missing: zero filled, counted by the totals as by the query (`<col>_zero_filled`).
      guard p.zeroFilled == q.zeroFilled else { return "cell \(index): zero-filled \(p.zeroFilled) ≠ \(q.zeroFilled)" }
      // M2 from shifted sums, Σ(x − K)² − (Σ(x − K))²/n, has an absolute error of about ε·n·(x̄ − K)²: a column that
      // is 0 for every unit of a cell (a covariate without history) has M2 = 0 exactly one way, a few 1e-8 the other.
      let rounding = Swift.max(
        p.count * p.shiftedMoments.mean * p.shiftedMoments.mean, q.count * q.shiftedMoments.mean * q.shiftedMoments.mean
      )
      for (u, v, what) in [(p.mean, q.mean, "mean"), (p.m2, q.m2, "m2")] {
        let scale = Swift.max(Swift.abs(u), Swift.abs(v), 1, what == "m2" ? rounding : 0)
        guard Swift.abs(u - v) <= 1e-9 * scale else { return "cell \(index): \(what) \(u) ≠ \(v)" }
      }
    }
    for index in x.pairs.indices {
      let (p, q) = (x.pairs[index], y.pairs[index])
      // C from shifted sums has an absolute error of about ε·n·|(ā − Kₐ)(b̄ − K_b)| (`CrossMoments`): a covariate
      // that is 0 for every unit of a cell has C = 0 exactly, and a few 1e-8 from sums about a shift of 1,000.
      let scale = Swift.max(
        Swift.abs(p.comoment), Swift.abs(q.comoment), 1, p.count * Swift.abs(p.shiftedMeanA * p.shiftedMeanB),
        q.count * Swift.abs(q.shiftedMeanA * q.shiftedMeanB))
      guard p.count == q.count, Swift.abs(p.comoment - q.comoment) <= 1e-9 * scale else {
        return "pair \(index): \(p.comoment) ≠ \(q.comoment)"
      }
    }
    return nil
  }

  static func compare(_ store: SQLiteStore, _ plan: LivePlan) async throws -> String? {
    // The stored exposures' account, kept per variant, is the count of the rows.
    let counted = try await store.exposureTotals(experiment: plan.experiment)
    let rows = try store.pool.read { db in
      try Row.fetchOne(
        db, sql: "SELECT count(*) AS n, coalesce(sum(repeats), 0) AS r FROM exposures WHERE experiment_id = ?",
        arguments: [plan.experiment])
    }
    guard counted == ExposureTotals(exposures: rows?["n"] ?? -1, repeats: rows?["r"] ?? -1) else {
      return "exposure totals \(counted) ≠ \(String(describing: rows))"
    }
    let query = try CellQuery(
      plan: plan.plan, dialect: .sqlite, source: .events(exposures: "exposures", events: "events"))
    let slow = try query.summary(of: try await store.run(query), source: "query")
    guard let kept = try await store.liveResult(plan, query: query) else { return "the totals are not complete" }
    // The dashboard's account per variant: exposures and repeats as stored, events of the analysed units.
    let metrics = Set(plan.columns.map(\.name)).sorted()
    let expected = try await store.pool.read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT x.variant AS variant, count(*) AS units, sum(x.repeats) AS repeats,
            sum(CASE WHEN (SELECT count(*) FROM exposures y WHERE y.experiment_id = x.experiment_id
                AND y.unit_id = x.unit_id) = 1
              THEN (SELECT count(*) FROM events e WHERE e.unit_id = x.unit_id
                AND e.metric IN (\(metrics.map { _ in "?" }.joined(separator: ", ")))) ELSE 0 END) AS events
          FROM exposures x WHERE x.experiment_id = ? GROUP BY x.variant ORDER BY x.variant
          """, arguments: StatementArguments(metrics + [plan.experiment])
      ).map {
        VariantActivity(variant: $0["variant"], exposures: $0["units"], repeats: $0["repeats"], events: $0["events"])
      }
    }
    let activity = try await store.liveActivity(plan)
    guard activity == expected else { return "activity \(String(describing: activity)) ≠ \(expected)" }
    let fast = try query.summary(of: kept, source: "totals")
    return agree(fast, slow)
  }

  @Test func totalsAreTheResultsQueryAfterEveryKindOfChange() async throws {
    let harness = try TestService(only: [], extra: ["live.yaml": LiveTotalsTests.definition])
    defer { harness.remove() }
    let store = try #require(harness.service.store as? SQLiteStore)
    _ = try await store.migrate()
    _ = try await store.claimAuditKey(fingerprint: "test")
    try await store.recordCatalog(harness.service.catalog)
    let plans = LivePlans(catalog: harness.service.catalog, dialect: .sqlite)
    let plan = try #require(plans.byExperiment["live-window"])
    let batches = LiveTotalsTests.batches(units: 300, seed: 42)
    let half = batches.count / 2
    // Ingestion builds nothing: the (empty) totals are made first, as the service does at start.
    #expect(try await store.buildLiveTotals(plan, units: 1_000, restart: false, recount: false))
    // The first half in groups (group commit), then a read (which builds nothing: the totals are kept).
    for start in stride(from: 0, to: half, by: 7) {
      _ = try await store.ingest(Array(batches[start..<min(start + 7, half)]), plans: plans, consent: .none)
    }
    do {
      let difference = try await LiveTotalsTests.compare(store, plan)
      #expect(difference == nil, "\(difference ?? "")")
    }
    for batch in batches[half...] { _ = try await store.ingest([batch], plans: plans, consent: .none) }
    do {
      let difference = try await LiveTotalsTests.compare(store, plan)
      #expect(difference == nil, "\(difference ?? "")")
      // minutes_before has missing: exclude: some cells hold minutes on units without it, and the totals keep the
      // pair's own units (`CellQuery.pairUnitsColumns`), as the query does; zero fills are counted.
      let query = try CellQuery(
        plan: plan.plan, dialect: .sqlite, source: .events(exposures: "exposures", events: "events"))
      let cells = try query.summary(of: try #require(try await store.liveResult(plan, query: query)), source: "totals")
      let minutes = try #require(plan.plan.columns.firstIndex { $0.column == "minutes" })
      let pair = try #require(plan.plan.crossProducts.firstIndex { $0.first == minutes })
      let shorter = (0..<2).flatMap { v in (0..<2).map { (v, $0) } }.filter { v, s in
        cells.statistics.pair(pair, variant: v, segment: s).count
          < cells.statistics.metric(minutes, variant: v, segment: s).count
      }
      #expect(!shorter.isEmpty)
      #expect(cells.statistics.metrics.contains { $0.zeroFilled > 0 })
    }
    let excluded = try await store.pool.read { db in
      try Int.fetchOne(db, sql: "SELECT excluded_units FROM live_experiments WHERE experiment_id = 'live-window'")
    }
    #expect((excluded ?? 0) > 0)
    // Erasure subtracts exactly what the units added (one of them excluded for two variants).
    let twoVariants = try await store.pool.read { db in
      try String.fetchOne(db, sql: "SELECT unit_id FROM live_units WHERE is_excluded = 1 ORDER BY unit_id LIMIT 1")
    }
    for unit in ["u1", "u2", "u3", try #require(twoVariants)] {
      _ = try await store.erase(Erasure(unit: unit, unitHash: "h-\(unit)", actor: "test", time: "2026-12-04T00:00:00Z"))
    }
    do {
      let difference = try await LiveTotalsTests.compare(store, plan)
      #expect(difference == nil, "\(difference ?? "")")
    }
    // Ingestion without a plan drops the totals; the results read none (the caller runs the results query) until a
    // build makes them again, in steps, while ingestion goes on between the steps.
    _ = try await store.ingest(
      [.events([EventRow(id: "late", unit: "u10", metric: "minutes", value: 5, time: LiveTotalsTests.time(10_000))])],
      plans: .empty, consent: .none)
    #expect(try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM live_experiments") } == 0)
    let query = try CellQuery(
      plan: plan.plan, dialect: .sqlite, source: .events(exposures: "exposures", events: "events"))
    #expect(try await store.liveResult(plan, query: query) == nil)
    var steps = 0
    while try await !store.buildLiveTotals(plan, units: 40, restart: false, recount: false) {
      steps += 1
      #expect(try await store.liveResult(plan, query: query) == nil)
      _ = try await store.ingest(
        [
          .events([
            EventRow(
              id: "during-\(steps)", unit: "u\(steps * 37)", metric: "minutes", value: 2,
              time: LiveTotalsTests.time(5_000))
          ])
        ], plans: plans, consent: .none)
    }
    #expect(steps >= 5)
    do {
      let difference = try await LiveTotalsTests.compare(store, plan)
      #expect(difference == nil, "\(difference ?? "")")
    }
    // Retrying every batch changes nothing.
    for batch in batches { _ = try await store.ingest([batch], plans: plans, consent: .none) }
    do {
      let difference = try await LiveTotalsTests.compare(store, plan)
      #expect(difference == nil, "\(difference ?? "")")
    }
  }

  /// The coverage marks and builds of a pass, for one experiment.
  static func pass(_ service: StrataService, _ store: SQLiteStore) async throws -> LiveTotalsPass {
    try await service.refreshLiveTotals(store, plans: service.livePlans(), units: 50)
  }

  /// A restart whose totals are current builds nothing and scans nothing (it reads `live_experiments` and
  /// `live_marks`); rows written behind the service's back are seen by the triggers and rebuild the totals once; a
  /// database of an earlier release is checked by counting its units once.
  @Test func restartWithCurrentTotalsBuildsNothing() async throws {
    let harness = try TestService(only: [], extra: ["live.yaml": LiveTotalsTests.definition])
    defer { harness.remove() }
    let store = try #require(harness.service.store as? SQLiteStore)
    _ = try await store.migrate()
    _ = try await store.claimAuditKey(fingerprint: "test")
    try await store.recordCatalog(harness.service.catalog)
    let plans = harness.service.livePlans()
    let plan = try #require(plans.byExperiment["live-window"])
    // A new database: the totals are missing, built (empty) at the first start.
    #expect(try await LiveTotalsTests.pass(harness.service, store).started == ["live-window": "missing"])
    for batch in LiveTotalsTests.batches(units: 200, seed: 7) {
      _ = try await store.ingest([batch], plans: plans, consent: .none)
    }
    // A restart (another store on the same file): nothing to do.
    let reopened = try SQLiteStore(path: harness.directory.appendingPathComponent("strata.db").path)
    let coverage = try await reopened.liveTotalsCoverage()
    #expect(coverage.outsideWrites == 0 && coverage.checked == 0)
    #expect(coverage.experiments["live-window"] == .init(key: plan.key, complete: true))
    #expect(try await LiveTotalsTests.pass(harness.service, reopened) == LiveTotalsPass())
    do {
      let difference = try await LiveTotalsTests.compare(reopened, plan)
      #expect(difference == nil, "\(difference ?? "")")
    }
    // An event written behind the service's back: every experiment's totals are rebuilt, once.
    try await reopened.pool.write { db in
      try db.execute(
        sql: """
          INSERT INTO events (event_id, unit_id, metric, value, occurred_at)
          SELECT 'outside', unit_id, 'minutes', 7, exposed_at FROM exposures ORDER BY unit_id LIMIT 1
          """)
    }
    #expect(try await reopened.liveTotalsCoverage().outsideWrites == 1)
    let rebuilt = try await LiveTotalsTests.pass(harness.service, reopened)
    #expect(rebuilt.started == ["live-window": "outside_writes"] && rebuilt.steps >= 4)
    do {
      let difference = try await LiveTotalsTests.compare(reopened, plan)
      #expect(difference == nil, "\(difference ?? "")")
    }
    #expect(try await LiveTotalsTests.pass(harness.service, reopened) == LiveTotalsPass())
    // An earlier release's database (writes never counted): its units are counted once, and agree.
    try await reopened.pool.write { db in try db.execute(sql: "UPDATE live_marks SET checked = -1") }
    #expect(try await LiveTotalsTests.pass(harness.service, reopened) == LiveTotalsPass(scanned: ["live-window"]))
    #expect(try await LiveTotalsTests.pass(harness.service, reopened) == LiveTotalsPass())
    let metrics = String(decoding: harness.service.metrics.render(), as: UTF8.self)
    #expect(metrics.contains(#"strata_live_totals_builds_total{reason="outside_writes"} 1"#))
    #expect(!metrics.contains(#"reason="plan_changed""#))
  }

  /// A changed definition rebuilds nothing inside a request: ingestion keeps the old totals untouched, the results
  /// are computed by the results query until the build (off the request path, in steps) completes.
  @Test func planChangeBuildsOffTheRequestPath() async throws {
    let harness = try TestService(only: [], extra: ["live.yaml": LiveTotalsTests.definition])
    defer { harness.remove() }
    let store = try #require(harness.service.store as? SQLiteStore)
    _ = try await store.migrate()
    _ = try await store.claimAuditKey(fingerprint: "test")
    try await store.recordCatalog(harness.service.catalog)
    let old = try #require(harness.service.livePlans().byExperiment["live-window"])
    _ = try await LiveTotalsTests.pass(harness.service, store)
    let batches = LiveTotalsTests.batches(units: 250, seed: 11)
    let half = batches.count / 2
    for batch in batches[..<half] {
      _ = try await store.ingest([batch], plans: harness.service.livePlans(), consent: .none)
    }
    // The spend window changes from 1d to 3d.
    try LiveTotalsTests.definition.replacingOccurrences(of: "window: 1d", with: "window: 3d").write(
      to: harness.experiments.appendingPathComponent("live.yaml"), atomically: true, encoding: .utf8)
    await harness.service.reloadDefinitionsIfChanged()
    let plans = harness.service.livePlans()
    let plan = try #require(plans.byExperiment["live-window"])
    #expect(plan.key != old.key)
    for batch in batches[half...] { _ = try await store.ingest([batch], plans: plans, consent: .none) }
    // Nothing was built in those requests: the stored totals are still the old plan's.
    #expect(try await store.liveTotalsCoverage().experiments["live-window"] == .init(key: old.key, complete: true))
    let query = try CellQuery(
      plan: plan.plan, dialect: .sqlite, source: .events(exposures: "exposures", events: "events"))
    #expect(try await store.liveResult(plan, query: query) == nil)
    // The results request is answered meanwhile, from the results query's rows (this definition has no `plan:`, so
    // the analysis may refuse an interim view, with a 409: not a failure to read the data).
    if case .failure(let failure) = await harness.service.live(id: "live-window", recording: false, look: nil) {
      #expect(failure.status == .conflict && failure.code != "no_data", "\(failure.code): \(failure.message)")
    }
    // The build, in steps, with ingestion between them.
    #expect(try await !store.buildLiveTotals(plan, units: 30, restart: false, recount: false))
    #expect(try await store.liveTotalsCoverage().experiments["live-window"] == .init(key: plan.key, complete: false))
    for batch in batches[..<20] { _ = try await store.ingest([batch], plans: plans, consent: .none) }
    let pass = try await LiveTotalsTests.pass(harness.service, store)
    #expect(pass.continued == ["live-window"] && pass.started.isEmpty)
    do {
      let difference = try await LiveTotalsTests.compare(store, plan)
      #expect(difference == nil, "\(difference ?? "")")
    }
  }

  /// A unit's new events alone update it from its stored memo, as the per-unit query would.
  ///
  /// The memo holds its first exposure's time, its windows' ends, its aggregates; an event before the exposure or past
  /// a window counts only in the event count. An exposure recomputes the unit from its rows. The memo is edited here
  /// behind the service's back to show which path ran.
  @Test func newEventsUpdateAUnitFromItsMemo() async throws {
    let harness = try TestService(only: [], extra: ["live.yaml": LiveTotalsTests.definition])
    defer { harness.remove() }
    let store = try await LiveCacheTests.prepared(harness)
    let plans = LivePlans(catalog: harness.service.catalog, dialect: .sqlite)
    let plan = try #require(plans.byExperiment["live-window"])
    func exposure(_ id: String, minutes: Int) -> IngestBatch {
      .exposures([
        ExposureRow(
          id: id, experiment: "live-window", unit: "m1", variant: "control", segment: "heavy",
          time: LiveTotalsTests.time(minutes), definitionHash: "test")
      ])
    }
    func event(_ id: String, _ metric: String, _ value: Double, minutes: Int) -> EventRow {
      EventRow(id: id, unit: "m1", metric: metric, value: value, time: LiveTotalsTests.time(minutes))
    }
    func memo() async throws -> LivePlan.Memo? {
      let text = try await store.pool.read { db in
        try String.fetchOne(db, sql: "SELECT memo FROM live_units WHERE unit_id = 'm1'")
      }
      return text.flatMap { LivePlan.Memo(text: $0, columns: plan.columns.count) }
    }
    func check() async throws {
      let difference = try await LiveTotalsTests.compare(store, plan)
      #expect(difference == nil, "\(difference ?? "")")
    }
    // The value columns by event name (a metric's own, a ratio's parts, the covariates' columns).
    let names = plan.eventColumns.map(\.event)
    #expect(Set(names).isSuperset(of: ["converted", "spend", "minutes", "minutes_before", "basket", "items"]))
    func values(_ known: [String: Double]) -> [Double?] { names.map { known[$0] } }
    func ends(_ known: [String: Int]) -> [LivePlan.Bounds.End] {
      names.map { known[$0].map { .before(LiveTotalsTests.time($0).text) } ?? .open }
    }
    _ = try await store.ingest([exposure("x1", minutes: 0)], plans: plans, consent: .none)
    let first = try #require(try await memo())
    #expect(first.bounds.start == LiveTotalsTests.time(0).text)
    // converted 2d, spend 1d, minutes 3d; the others have no window after the exposure (the covariates look before).
    #expect(first.bounds.ends == ends(["converted": 2 * 1440, "spend": 1440, "minutes": 3 * 1440]))
    #expect(first.values == values([:]))
    _ = try await store.ingest(
      [
        .events([
          event("e1", "spend", 10, minutes: 60), event("e2", "spend", 7, minutes: 1440),
          event("e3", "converted", 1, minutes: -1), event("e4", "minutes", 3, minutes: 5),
          event("e5", "converted", 0, minutes: 2 * 1440 - 1), event("e5b", "minutes_before", 4, minutes: 1),
        ])
      ], plans: plans, consent: .none)
    #expect(try await memo()?.values == values(["converted": 0, "spend": 10, "minutes": 3]))
    try await check()
    // Edited behind the service's back: the next event adds to the memo, not to the rows.
    var edited = first
    edited.values = values(["converted": 0, "spend": 100, "minutes": 3])
    let text = edited.text
    try await store.pool.write { db in
      try db.execute(sql: "UPDATE live_units SET memo = ? WHERE unit_id = 'm1'", arguments: [text])
    }
    _ = try await store.ingest([.events([event("e6", "spend", 5, minutes: 120)])], plans: plans, consent: .none)
    #expect(try await memo()?.values == values(["converted": 0, "spend": 105, "minutes": 3]))
    // A covariate's event before the exposure is left to the query: the unit is recomputed from its rows.
    _ = try await store.ingest(
      [.events([event("e6b", "minutes_before", 6, minutes: -60)])], plans: plans, consent: .none)
    #expect(try await memo()?.values == values(["converted": 0, "spend": 15, "minutes": 3, "minutes_before": 6]))
    try await check()
    // An exposure (an earlier one: the windows move) recomputes the unit from its rows.
    _ = try await store.ingest([exposure("x2", minutes: -30)], plans: plans, consent: .none)
    let recomputed = try #require(try await memo())
    #expect(recomputed.bounds.start == LiveTotalsTests.time(-30).text)
    #expect(recomputed.values == values(["converted": 1, "spend": 15, "minutes": 3, "minutes_before": 6]))
    try await check()
    // Without a memo (a row of an earlier release), an event recomputes the unit too.
    try await store.pool.write { db in try db.execute(sql: "UPDATE live_units SET memo = NULL") }
    _ = try await store.ingest([.events([event("e7", "items", 2, minutes: 10)])], plans: plans, consent: .none)
    #expect(
      try await memo()?.values == values(["converted": 1, "spend": 15, "minutes": 3, "minutes_before": 6, "items": 2]))
    try await check()
    // The memo's text round-trips.
    #expect(LivePlan.Memo(text: try #require(recomputed.text), columns: names.count) == recomputed)
    #expect(LivePlan.Memo(text: try #require(recomputed.text), columns: names.count - 1) == nil)
    var accented = recomputed
    accented.bounds.start += " é"
    #expect(LivePlan.Memo(text: try #require(accented.text), columns: names.count) == accented)
    #expect(LivePlan.Memo(text: try #require(recomputed.text) + "\r", columns: names.count) == nil)
  }

  /// A sum of squares that is not a number is refused by the results' reader, as ∞ is.
  ///
  /// ∞ − ∞: a unit whose square overflowed, replaced; `max(0, NaN)` made it 0. A total a hair below 0 (the rounding
  /// of a subtraction) still reads as 0.
  @Test func aSumOfSquaresThatIsNotANumberIsRefused() throws {
    let harness = try TestService(only: ["gym-renewal.yaml"])
    defer { harness.remove() }
    let plan = try #require(
      LivePlans(catalog: harness.service.catalog, dialect: .sqlite).byExperiment["gym-renewal-2026"])
    let query = try CellQuery(
      plan: plan.plan, dialect: .sqlite, source: .events(exposures: "exposures", events: "events"))
    // units; renewed: count, zero-filled, sum; revenue: count, zero-filled, sum, sum of squares; events.
    #expect(plan.width == 9)
    func unit(_ variant: Int, revenue: Double) -> LiveTotals.Unit {
      LiveTotals.Unit(
        variant: plan.plan.variants[variant], segment: plan.plan.segments[0], state: .counted,
        contribution: [1, 1, 0, 1, 1, 0, revenue, revenue * revenue, 2])
    }
    var totals = LiveTotals(plan: plan)
    for variant in plan.plan.variants.indices {
      for revenue in [300.25, 310.25, 290.25] { totals.apply(unit(variant, revenue: revenue), sign: 1) }
    }
    let huge = unit(0, revenue: 1e155)
    totals.apply(huge, sign: 1)
    totals.apply(huge, sign: -1)
    totals.apply(huge, sign: 1)
    #expect(totals.cells.values.contains { $0[7].isNaN })
    #expect(throws: WarehouseError.self) { try query.summary(of: totals.result(plan, query: query), source: "totals") }
    do {
      _ = try query.summary(of: totals.result(plan, query: query), source: "totals")
    } catch {
      #expect(error.message.contains("revenue_sum_sq = NaN, which must be a number ≥ 0"), "\(error.message)")
    }
    // A sum of squares just below 0 after a subtraction is 0.
    var rounded = LiveTotals(plan: plan)
    for variant in plan.plan.variants.indices {
      for _ in 0..<3 { rounded.apply(unit(variant, revenue: 0), sign: 1) }
      var residue = unit(variant, revenue: 0)
      residue.contribution = [0, 0, 0, 0, 0, 0, 0, 1e-12, 0]
      rounded.apply(residue, sign: -1)
    }
    #expect(rounded.cells.values.allSatisfy { $0[7] == -1e-12 })
    let summary = try query.summary(of: rounded.result(plan, query: query), source: "totals")
    #expect(summary.rowsRead > 0)
  }

  /// The memo's text is written as its format says (lines: tag, start, ends, values as their bits in lowercase hex
  /// without leading zeros), and stored contributions' bytes read back to the same doubles from Data and arrays.
  @Test func memoTextAndContributionBytesKeepTheirFormat() throws {
    let values: [Double?] = [
      0, -0.0, 1, -1.5, nil, .pi, .leastNonzeroMagnitude * 3, -.greatestFiniteMagnitude, .infinity,
      Double(bitPattern: 0xF), 2.5e9,
    ]
    let bounds = LivePlan.Bounds(
      start: "2026-12-03 10:00:00.000 é", ends: [.open, .closed, .before("2026-12-10 10:00:00.000")])
    let memo = LivePlan.Memo(bounds: bounds, values: values)
    // The format, spelt the plain way.
    var lines = ["m1", bounds.start, "*", "!", "<2026-12-10 10:00:00.000"]
    lines += values.map { $0.map { String($0.bitPattern, radix: 16) } ?? "" }
    #expect(memo.text == lines.joined(separator: "\n"))
    #expect(LivePlan.Memo(text: try #require(memo.text), columns: 3) == nil)
    let four = LivePlan.Memo(
      bounds: LivePlan.Bounds(start: "s", ends: [.open, .open, .open, .open]), values: [0, nil, -2, 1e300])
    #expect(LivePlan.Memo(text: try #require(four.text), columns: 4) == four)
    var broken = memo
    broken.bounds.ends[2] = .before("a\nb")
    #expect(broken.text == nil)

    let doubles = values.compactMap { $0 } + [.nan]
    let bytes = LiveTotals.bytes(doubles)
    #expect(bytes.count == 8 * doubles.count)
    #expect(Array(bytes[8..<16]) == [0, 0, 0, 0, 0, 0, 0, 0x80], "little-endian -0.0")
    for read in [LiveTotals.doubles(Data(bytes)), LiveTotals.doubles(bytes), LiveTotals.doubles(bytes[...])] {
      #expect(read.map(\.bitPattern) == doubles.map(\.bitPattern))
    }
    #expect(LiveTotals.doubles(Data(bytes + [1, 2, 3])).map(\.bitPattern) == doubles.map(\.bitPattern))
    #expect(LiveTotals.doubles(Data()).isEmpty && LiveTotals.bytes([]).isEmpty)
  }
}
