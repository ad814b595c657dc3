import StrataAnalysis
import StrataWarehouse
import Synchronization
import Testing

@testable import StrataServer

/// The PostgreSQL call limit (``PostgresStore/callLimit``) a pass of the live totals' builder runs its calls under.
@Suite struct LiveTotalsBuilderTests {
  /// A store that answers a pass and records the call limit in force at each call.
  final class RecordingStore: LiveTotalsStore {
    let coverage: LiveTotalsCoverage
    let calls = Mutex<[String]>([])
    /// How many of the next unit counts are cut at their limit (as by a silent PostgreSQL).
    let cuts: Mutex<Int>

    init(coverage: LiveTotalsCoverage, cuts: Int = 0) {
      self.coverage = coverage
      self.cuts = Mutex(cuts)
    }

    private func record(_ call: String) {
      let limit = PostgresStore.callLimit.map { "\($0)" } ?? "none"
      calls.withLock { $0.append("\(call): \(limit)") }
    }

    func liveResult(_ plan: LivePlan, query: CellQuery) async throws -> QueryResult? { nil }
    func liveActivity(_ plan: LivePlan) async throws -> [VariantActivity]? { nil }
    func liveTotalsCoverage() async throws -> LiveTotalsCoverage {
      record("coverage")
      return coverage
    }
    func liveTotalsInStep(experiment: String) async throws -> Bool {
      record("count units")
      if cuts.withLock({ cuts in
        defer { cuts = max(0, cuts - 1) }
        return cuts > 0
      }) {
        throw PostgresCallTimedOut(place: "db:5432", limit: PostgresStore.callLimit ?? .zero)
      }
      return false
    }
    func buildLiveTotals(_ plan: LivePlan, units: Int, restart: Bool, recount: Bool) async throws -> Bool {
      record(restart ? "restart step" : "step")
      return !restart
    }
    func markLiveTotalsChecked(outsideWrites: Int) async throws { record("mark") }
  }

  /// The calls that scan a whole experiment (counting its units; a build's first step, which drops its totals and
  /// recounts its exposures) run with a limit of an hour, the others with the poll's; before 0a3047b every call had the
  /// poll's, so a scan slower than it was cut at every pass and the totals were never built; then the scans had none,
  /// so a cut that never came back held the builder and its connection until a restart.
  @Test func scansOfAWholeExperimentHaveALongLimit() async throws {
    let harness = try TestService(only: [], extra: ["live.yaml": LiveTotalsTests.definition])
    defer { harness.remove() }
    let service = harness.service
    let plan = try #require(service.livePlans().byExperiment["live-window"])
    // An earlier release's database (never checked) whose totals look complete: counted, found out of step, rebuilt.
    let store = RecordingStore(
      coverage: LiveTotalsCoverage(
        experiments: ["live-window": .init(key: plan.key, complete: true)], outsideWrites: 0, checked: -1))
    let pass = try await service.poll(limit: .seconds(300)) {
      try await service.refreshLiveTotals(store, plans: service.livePlans(), units: 50)
    }
    #expect(pass.started == ["live-window": "out_of_step"] && pass.steps == 2)
    #expect(
      store.calls.withLock { $0 } == [
        "coverage: 300.0 seconds", "count units: 3600.0 seconds", "restart step: 3600.0 seconds",
        "mark: 300.0 seconds", "step: 300.0 seconds",
      ])
  }

  /// A scan cut at its limit makes the next passes' scans' limit twice as long, up to 8 hours, so a scan slower than an
  /// hour (a very large database) completes at a later pass instead of being cut at every one, and repeated cuts do not
  /// make it unlimited again; the other calls keep the poll's.
  @Test func aScanCutAtItsLimitHasTwiceAsLongAtTheNextPass() async throws {
    let harness = try TestService(only: [], extra: ["live.yaml": LiveTotalsTests.definition])
    defer { harness.remove() }
    let service = harness.service
    let plan = try #require(service.livePlans().byExperiment["live-window"])
    let store = RecordingStore(
      coverage: LiveTotalsCoverage(
        experiments: ["live-window": .init(key: plan.key, complete: true)], outsideWrites: 0, checked: -1),
      cuts: 4)
    for _ in 0..<4 {
      await #expect(throws: PostgresCallTimedOut.self) {
        try await service.poll(limit: .seconds(300)) {
          try await service.refreshLiveTotals(store, plans: service.livePlans(), units: 50)
        }
      }
    }
    let pass = try await service.poll(limit: .seconds(300)) {
      try await service.refreshLiveTotals(store, plans: service.livePlans(), units: 50)
    }
    #expect(pass.started == ["live-window": "out_of_step"])
    #expect(
      store.calls.withLock { $0 } == [
        "coverage: 300.0 seconds", "count units: 3600.0 seconds",
        "coverage: 300.0 seconds", "count units: 7200.0 seconds",
        "coverage: 300.0 seconds", "count units: 14400.0 seconds",
        "coverage: 300.0 seconds", "count units: 28800.0 seconds",
        "coverage: 300.0 seconds", "count units: 28800.0 seconds", "restart step: 28800.0 seconds",
        "mark: 300.0 seconds", "step: 300.0 seconds",
      ])
  }
}
