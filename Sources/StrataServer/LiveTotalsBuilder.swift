import Logging
import ServiceLifecycle

/// Builds the live results' running totals (``LiveTotals``) off the request path.
///
/// Once the service is ready and then every reload interval, ``StrataService/refreshLiveTotals(_:plans:units:)``
/// reads what the stored totals cover (a few rows) and builds only what is stale: totals missing, made under another
/// plan (a changed definition), left half-built, or every experiment's after writes made behind the service's back.
/// A build runs in steps of ``StrataService/liveBuildUnits`` units, one transaction each, so ingestion goes on
/// between them; until it completes, the results of that experiment are computed by the results query itself.
struct LiveTotalsBuilder: Service {
  let service: StrataService

  func run() async throws {
    guard let live = service.store as? any LiveTotalsStore else { return }
    do {
      try await cancelWhenGracefulShutdown {
        var passes = 0
        while !Task.isCancelled {
          // The first pass as soon as the store is ready, then one every reload interval.
          guard service.isReady.load(ordering: .acquiring) else {
            try await Task.sleep(for: .milliseconds(50))
            continue
          }
          if passes > 0 { try await Task.sleep(for: service.configuration.reloadInterval) }
          passes += 1
          do {
            let started = ContinuousClock.now
            // Each call is limited (a silent PostgreSQL), not the pass: a long build goes on step by step; the calls
            // that scan a whole experiment have a longer limit (``StrataService/scanning(if:_:)``).
            let pass = try await service.poll(limit: service.liveBuildCallLimit) {
              try await service.refreshLiveTotals(live, plans: service.livePlans(), units: StrataService.liveBuildUnits)
            }
            service.log(pass, duration: ContinuousClock.now - started)
          } catch is CancellationError {
            throw CancellationError()
          } catch {
            service.logger.error(
              "cannot build the live results' running totals", metadata: ["error": "\(String(reflecting: error))"])
          }
        }
      }
    } catch is CancellationError {
      // Shutting down: a build left half-done goes on at the next start.
    }
  }
}

/// What one pass over the live totals did (``StrataService/refreshLiveTotals(_:plans:units:)``).
struct LiveTotalsPass: Sendable, Equatable {
  /// Experiments whose totals were started afresh, and why: `missing`, `plan_changed`, `outside_writes` (rows written
  /// behind the service's back), `out_of_step` (an earlier release's database whose unit count disagrees) or
  /// `not_finite` (a unit whose contribution is not finite was taken out: ``LiveTotals/notFiniteKey``).
  var started: [String: String] = [:]
  /// Experiments whose half-built totals were carried on.
  var continued: [String] = []
  /// Experiments whose totals were checked by counting their exposed units (a scan): an earlier release's database.
  var scanned: [String] = []
  /// Build steps run (one transaction each).
  var steps = 0

  var isEmpty: Bool { started.isEmpty && continued.isEmpty && scanned.isEmpty && steps == 0 }
}

extension StrataService {
  /// Units per build step (one transaction: ingestion waits for at most one step).
  static let liveBuildUnits = 1_000

  /// Brings the stored totals in step with `plans`, building only what is stale, to completion.
  ///
  /// Current totals cost a read of `live_experiments` and `live_marks`: no scan, no build.
  func refreshLiveTotals(_ live: any LiveTotalsStore, plans: LivePlans, units: Int) async throws -> LiveTotalsPass {
    let coverage = try await live.liveTotalsCoverage()
    var pass = LiveTotalsPass()
    var restart: [String: String] = [:]
    let ordered = plans.byExperiment.sorted { $0.key < $1.key }
    if coverage.checked < 0 {
      // Never checked: writes before this release were not counted; count the units instead, once.
      for (experiment, plan) in ordered {
        guard let stored = coverage.experiments[experiment], stored.key == plan.key, stored.complete else { continue }
        pass.scanned.append(experiment)
        if try await !scanning(if: true, { try await live.liveTotalsInStep(experiment: experiment) }) {
          restart[experiment] = "out_of_step"
        }
      }
    } else if coverage.outsideWrites != coverage.checked {
      for (experiment, _) in ordered { restart[experiment] = "outside_writes" }
    }
    var pending: [LivePlan] = []
    for (experiment, plan) in ordered {
      let stored = coverage.experiments[experiment]
      if let reason = restart[experiment] {
        pass.started[experiment] = reason
      } else if stored == nil {
        pass.started[experiment] = "missing"
      } else if stored?.key == LiveTotals.notFiniteKey {
        pass.started[experiment] = "not_finite"
      } else if stored?.key != plan.key {
        pass.started[experiment] = "plan_changed"
      } else if stored?.complete == false {
        pass.continued.append(experiment)
      } else {
        continue
      }
      metrics.liveTotalsBuild(pass.started[experiment] ?? "continued")
      // The first step of a restart drops the stored totals (and recounts the exposures); later steps resume from
      // the stored cursor, so an interrupted pass goes on where it stopped.
      let forced = restart[experiment] != nil
      pass.steps += 1
      // The first step of a start drops the experiment's stored totals (and, forced, recounts its exposures).
      let done = try await scanning(if: pass.started[experiment] != nil) {
        try await live.buildLiveTotals(plan, units: units, restart: forced, recount: forced)
      }
      if !done { pending.append(plan) }
    }
    if coverage.checked != coverage.outsideWrites {
      try await live.markLiveTotalsChecked(outsideWrites: coverage.outsideWrites)
    }
    for plan in pending {
      while true {
        try Task.checkCancellation()
        pass.steps += 1
        if try await live.buildLiveTotals(plan, units: units, restart: false, recount: false) { break }
        await Task.yield()
      }
    }
    return pass
  }

  /// Logs a pass that did anything.
  func log(_ pass: LiveTotalsPass, duration: Duration) {
    guard !pass.isEmpty else { return }
    logger.info(
      "live results' running totals built",
      metadata: [
        "started":
          "\(pass.started.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", "))",
        "continued": "\(pass.continued.joined(separator: ", "))",
        "checked_by_count": "\(pass.scanned.joined(separator: ", "))",
        "steps": "\(pass.steps)", "duration": "\(duration)",
      ])
  }
}
