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

    init(coverage: LiveTotalsCoverage) { self.coverage = coverage }

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
      return false
    }
    func buildLiveTotals(_ plan: LivePlan, units: Int, restart: Bool, recount: Bool) async throws -> Bool {
      record(restart ? "restart step" : "step")
      return !restart
    }
    func markLiveTotalsChecked(outsideWrites: Int) async throws { record("mark") }
  }

  /// The calls that scan a whole experiment (counting its units; a build's first step, which drops its totals and
  /// recounts its exposures) run with no limit, the others with the poll's; before, every call had the poll's, so a
  /// scan slower than it was cut at every pass and the totals were never built.
  @Test func scansOfAWholeExperimentHaveNoLimit() async throws {
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
        "coverage: 300.0 seconds", "count units: none", "restart step: none", "mark: 300.0 seconds",
        "step: 300.0 seconds",
      ])
  }
}
