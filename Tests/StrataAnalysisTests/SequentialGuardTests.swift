import Foundation
import StrataAnalysis
import StrataAssignment
import StrataDefinitions
import StrataStats
import Testing

/// The sequential guard of `strata analyze`, on pre-aggregated data with known z: continue, efficacy stop,
/// final, unplanned looks (always-valid shown, naive p withheld), and the look log.
@Suite("Sequential guard")
struct SequentialGuardTests {
  /// One segment, control vs treatment, binary primary metric, 3 planned OBF looks, at most 3,000 per arm.
  static func plan(looks: Int = 3, method: StrataDefinitions.StatisticalPlan.SequentialMethod = .groupSequential)
    -> AnalysisPlan
  {
    var plan = AnalysisPlan(
      id: "guard", variants: ["control", "treatment"], segments: ["all"],
      metrics: [AnalysisPlan.Metric(name: "converted", kind: .binomial, role: .primary)],
      minimumDetectableEffect: 0.03, baseline: 0.2, looks: looks)
    plan.sequential = SequentialSettings(method: method, maximumUnitsPerVariant: 3000)
    return plan
  }

  let directory: URL

  init() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("strata-guard-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  /// Analyses n units per arm with the given conversions.
  func analysis(_ plan: AnalysisPlan, n: Int, control: Int, treatment: Int) throws -> Analysis {
    let file = directory.appendingPathComponent("data-\(UUID().uuidString).csv")
    try """
    variant,segment,n,converted_sum
    control,all,\(n),\(control)
    treatment,all,\(n),\(treatment)

    """.write(to: file, atomically: true, encoding: .utf8)
    return try Analyzer(plan: plan).analyze(try DataReader.read(path: file.path, plan: plan))
  }

  /// Runs the guard with the log in `directory` (or none) and returns the analysis and the log.
  func guarded(
    _ plan: AnalysisPlan, n: Int, control: Int, treatment: Int, look: Int? = nil, log: Bool = true
  ) throws -> (Analysis, LookLog?) {
    var result = try analysis(plan, n: n, control: control, treatment: treatment)
    let store = log ? try LookLog(url: directory.appendingPathComponent("looks.jsonl")) : nil
    var sequentialGuard = SequentialGuard(
      plan: plan, look: look, log: store, now: Date(timeIntervalSince1970: 1_790_000_000))
    try sequentialGuard.apply(to: &result)
    return (result, store)
  }

  /// z of the unpooled difference for n per arm.
  static func z(n: Int, control: Int, treatment: Int) -> Double {
    let a = Double(control) / Double(n)
    let b = Double(treatment) / Double(n)
    return (b - a) / (a * (1 - a) / Double(n) + b * (1 - b) / Double(n)).squareRoot()
  }

  @Test func aNaivelySignificantInterimLookContinues() throws {
    // 1,000 per arm (a third of the maximum): z ≈ 2.6 beats 1.96 but not O'Brien–Fleming's ≈ 3.7.
    let (result, _) = try guarded(Self.plan(), n: 1000, control: 200, treatment: 250)
    let s = try #require(result.look.sequential)
    #expect(Self.z(n: 1000, control: 200, treatment: 250) > 1.96)
    #expect(s.look == 1 && s.plannedLooks == 3 && !s.unplanned)
    #expect(s.action == .continueCollecting)
    let row = try #require(s.rows.first)
    let expected = try GroupSequentialDesign(
      looks: 2, fractions: [1.0 / 3, 1], alpha: 0.05, alternative: .twoSided, spending: .obrienFleming
    ).boundaries()[0].z
    #expect(abs((row.decision.boundary?.z ?? 0) - expected) < 1e-9)
    #expect(abs(row.decision.z - Self.z(n: 1000, control: 200, treatment: 250)) < 1e-12)
    #expect(result.decision.action == .keepRunning)
    // A planned look keeps the fixed-horizon p-values (the warning says they do not decide).
    #expect(result.metrics[0].comparisons.allSatisfy { $0.pValue != nil })
  }

  @Test func boundariesFollowTheFractionsActuallyReached() throws {
    // Looks at 600 and 1,500 of 3,000 per arm (fractions 0.2 and 0.5, not the planned 1/3 and 2/3):
    // Lan–DeMets spending at the observed fractions.
    let plan = Self.plan()
    let (first, _) = try guarded(plan, n: 600, control: 120, treatment: 130)
    let (second, _) = try guarded(plan, n: 1500, control: 300, treatment: 330)
    let observed = try GroupSequentialDesign(
      looks: 3, fractions: [0.2, 0.5, 1], alpha: 0.05, alternative: .twoSided, spending: .obrienFleming
    ).boundaries()
    let firstRow = try #require(first.look.sequential?.rows.first)
    let secondRow = try #require(second.look.sequential?.rows.first)
    #expect(abs((firstRow.decision.boundary?.z ?? 0) - observed[0].z) < 1e-9)
    #expect(abs((secondRow.decision.boundary?.z ?? 0) - observed[1].z) < 1e-9)
    #expect(secondRow.informationFraction == 0.5)
    // A comparison at its planned maximum is at its final look, even at look 2 of 3.
    let (atMaximum, _) = try guarded(plan, n: 3000, control: 600, treatment: 605, look: 2)
    #expect(atMaximum.look.sequential?.look == 2)
    #expect(atMaximum.look.sequential?.action == .finalDoNotReject)
  }

  @Test func aLargeEffectStopsForEfficacy() throws {
    let (result, _) = try guarded(Self.plan(), n: 1000, control: 200, treatment: 320)
    let s = try #require(result.look.sequential)
    #expect(Self.z(n: 1000, control: 200, treatment: 320) > 5)
    #expect(s.action == .stopForEfficacy)
    #expect(s.reason.contains("stop for efficacy"))
  }

  @Test func looksFollowTheLogUntilTheFinalAndThenAreUnplanned() throws {
    let plan = Self.plan()
    let (first, _) = try guarded(plan, n: 1000, control: 200, treatment: 210)
    #expect(first.look.sequential?.look == 1)
    let (second, _) = try guarded(plan, n: 2000, control: 400, treatment: 425)
    #expect(second.look.sequential?.look == 2)
    #expect(second.look.sequential?.action == .continueCollecting)
    let (third, log) = try guarded(plan, n: 3000, control: 600, treatment: 640)
    let s = try #require(third.look.sequential)
    #expect(s.look == 3 && s.action == .finalDoNotReject)
    #expect(s.log.map(\.look) == [1, 2, 3])
    #expect(try log?.history().count == 3)

    // Look 4 is beyond the plan: the always-valid result decides and every naive p of the primary metric goes.
    let (fourth, _) = try guarded(plan, n: 3500, control: 700, treatment: 800)
    let unplanned = try #require(fourth.look.sequential)
    #expect(unplanned.look == 4 && unplanned.unplanned && unplanned.method == "always-valid")
    #expect(unplanned.reason.contains("beyond the 3 planned looks"))
    let row = try #require(unplanned.rows.first)
    let alwaysValid = try #require(row.decision.alwaysValid)
    #expect(alwaysValid.runningPValue <= 1 && alwaysValid.runningPValue > 0)
    for comparison in fourth.metrics[0].comparisons {
      #expect(comparison.pValue == nil && comparison.adjustedPValue == nil)
      #expect(comparison.notes.contains { $0.contains("always-valid p") })
    }
    #expect(fourth.decision.unplannedLook)
  }

  @Test func theSameDataReusesItsLookInsteadOfRecordingANewOne() throws {
    let plan = Self.plan()
    _ = try guarded(plan, n: 1000, control: 200, treatment: 210)
    _ = try guarded(plan, n: 2000, control: 400, treatment: 425)
    let (again, log) = try guarded(plan, n: 2000, control: 400, treatment: 425)
    let s = try #require(again.look.sequential)
    #expect(s.look == 2 && s.reusedLook)
    #expect(s.lookNote.contains("same data as look 2"))
    #expect(try log?.history().count == 2)
    let lines = try String(contentsOf: directory.appendingPathComponent("looks.jsonl"), encoding: .utf8)
    #expect(lines.split(separator: "\n").count == 2)
    #expect(lines.hasSuffix("\n"))
  }

  @Test func anExplicitLookSupersedesThatLookInTheLog() throws {
    let plan = Self.plan()
    _ = try guarded(plan, n: 1000, control: 200, treatment: 210)
    let (corrected, log) = try guarded(plan, n: 1100, control: 220, treatment: 231, look: 1)
    #expect(corrected.look.sequential?.look == 1)
    #expect(try log?.history().count == 2)
    #expect(try log?.list().count == 1)  // the later line for look 1 wins
    #expect(try log?.list().first?.rowsUsed == corrected.data.rowsUsed)
  }

  @Test func aFixedDesignLookedAtTwiceIsUnplanned() throws {
    let plan = Self.plan(looks: 1)
    let (first, _) = try guarded(plan, n: 1000, control: 200, treatment: 250)
    #expect(first.look.sequential == nil)  // a fixed design's only look: the fixed-horizon test is valid
    let (second, _) = try guarded(plan, n: 1200, control: 240, treatment: 300)
    let s = try #require(second.look.sequential)
    #expect(s.look == 2 && s.unplanned && s.plannedLooks == nil)
    #expect(s.reason.contains("fixed design"))
    #expect(second.metrics[0].comparisons.allSatisfy { $0.pValue == nil })
  }

  @Test func anAlwaysValidPlanUsesTheMixtureSPRTAtEveryLook() throws {
    let (result, _) = try guarded(
      Self.plan(method: .alwaysValid), n: 1000, control: 200, treatment: 320, log: false)
    let s = try #require(result.look.sequential)
    #expect(s.method == "always-valid" && s.boundaries.isEmpty && !s.unplanned)
    #expect(s.rows.first?.decision.method == .alwaysValid)
    #expect(s.action == .stopForEfficacy)
    #expect(s.lookNote.contains("no look log"))
  }

  @Test func withoutTauOrMDEThePlanIsInvalidInputNamingPlanTau() throws {
    var plan = Self.plan(method: .alwaysValid)
    plan.minimumDetectableEffect = nil
    #expect {
      _ = try guarded(plan, n: 1000, control: 200, treatment: 220, log: false)
    } throws: { error in
      guard case .invalidInput(let field, _) = error as? StatsError else { return false }
      return field == "plan.tau"
    }
  }

  @Test func aBrokenLogLineIsNamedWithItsLine() throws {
    let url = directory.appendingPathComponent("broken.jsonl")
    try "{\"look\": 1}\n".write(to: url, atomically: true, encoding: .utf8)
    #expect {
      _ = try LookLog(url: url)
    } throws: { error in
      (error as? DataError)?.line == 1 && (error as? DataError)?.file == url.path
    }
  }

  @Test("the guard works through any LookStore: an in-memory store records, replaces and reuses looks")
  func inMemoryStore() throws {
    let plan = Self.plan()
    let store = InMemoryLookStore()
    func run(n: Int, control: Int, treatment: Int, look: Int? = nil) throws -> (Analysis, LookOutcome) {
      var result = try analysis(plan, n: n, control: control, treatment: treatment)
      var sequentialGuard = SequentialGuard(plan: plan, look: look, log: store, now: Date(timeIntervalSince1970: 0))
      let outcome = try sequentialGuard.apply(to: &result)
      return (result, outcome)
    }
    #expect(try run(n: 1000, control: 200, treatment: 210).1.action == .recorded)
    let (second, recorded) = try run(n: 2000, control: 400, treatment: 425)
    #expect(recorded.action == .recorded && recorded.look == 2 && recorded.location == "memory")
    #expect(second.look.sequential?.look == 2)
    // Corrected data for look 2: --look 2 replaces it, no look is consumed.
    let (corrected, replaced) = try run(n: 2010, control: 402, treatment: 427, look: 2)
    #expect(replaced.action == .replaced && replaced.earlier?.rowsUsed == second.data.rowsUsed)
    #expect(corrected.look.sequential?.lookNote.contains("replaces look 2") == true)
    #expect(try store.list().map(\.look) == [1, 2])
    #expect(try store.list().last?.rowsUsed == corrected.data.rowsUsed)
    #expect(try run(n: 2010, control: 402, treatment: 427).1.action == .reused)
    // Replacing an earlier look would rewrite history under later looks: refused.
    #expect(throws: LookStoreError.self) { try run(n: 900, control: 180, treatment: 190, look: 1) }
    // Beyond the plan's looks + the margin: refused, never an overflow.
    #expect(throws: StatsError.self) { try run(n: 900, control: 180, treatment: 190, look: Int.max) }
    #expect(try store.list().count == 2)
  }

  @Test("a look with fewer units than the one before is recorded with a warning")
  func fewerUnitsWarns() throws {
    let plan = Self.plan()
    let store = InMemoryLookStore()
    var first = try analysis(plan, n: 2000, control: 400, treatment: 420)
    var firstGuard = SequentialGuard(plan: plan, log: store)
    #expect(try firstGuard.apply(to: &first).warnings.isEmpty)
    var second = try analysis(plan, n: 1500, control: 300, treatment: 320)
    var secondGuard = SequentialGuard(plan: plan, log: store)
    let outcome = try secondGuard.apply(to: &second)
    #expect(outcome.action == .recorded)
    #expect(outcome.warnings.count == 1)
    #expect(outcome.warnings.first?.contains("look 2 has 3000 units, fewer than the 4000 of look 1") == true)
    #expect(second.look.sequential?.lookNote.contains("Warning: look 2 has 3000 units") == true)
  }

  @Test("item 8: a store holding a look beyond the plan's bound is refused, not trusted")
  func absurdStoredLook() throws {
    let plan = Self.plan()
    let store = InMemoryLookStore([
      LookRecord(
        look: Int.max, timestamp: "2026-01-01T00:00:00Z", fingerprint: "x", rowsUsed: 1,
        unitsPerVariant: ["control": 1], informationFraction: nil, comparisons: [], action: "continue")
    ])
    var result = try analysis(plan, n: 1000, control: 200, treatment: 210)
    var sequentialGuard = SequentialGuard(plan: plan, log: store)
    #expect(throws: LookStoreError.self) { try sequentialGuard.apply(to: &result) }
  }
}
