import Foundation
import StrataAnalysis
import StrataAssignment
import StrataStats
import Testing

/// The sequential guard of `strata analyze`, on pre-aggregated data with known z: continue, efficacy stop,
/// final, unplanned looks (always-valid shown, naive p withheld), and the look log.
@Suite("Sequential guard")
struct SequentialGuardTests {
  /// One segment, control vs treatment, binary primary metric, 3 planned OBF looks, at most 3,000 per arm.
  static func plan(looks: Int = 3, method: StrataAssignment.StatisticalPlan.SequentialMethod = .groupSequential)
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
    var sequentialGuard = SequentialGuard(
      plan: plan, look: look, log: log ? try LookLog(url: directory.appendingPathComponent("looks.jsonl")) : nil,
      now: Date(timeIntervalSince1970: 1_790_000_000))
    let updated = try sequentialGuard.apply(to: &result)
    return (result, updated)
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
    #expect(result.verdict.headline.contains("continue"))
    #expect(result.verdict.tone == .inconclusive)
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
    #expect(log?.records.count == 3)

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
    #expect(fourth.verdict.headline.contains("always-valid"))
  }

  @Test func theSameDataReusesItsLookInsteadOfRecordingANewOne() throws {
    let plan = Self.plan()
    _ = try guarded(plan, n: 1000, control: 200, treatment: 210)
    _ = try guarded(plan, n: 2000, control: 400, treatment: 425)
    let (again, log) = try guarded(plan, n: 2000, control: 400, treatment: 425)
    let s = try #require(again.look.sequential)
    #expect(s.look == 2 && s.reusedLook)
    #expect(s.lookNote.contains("same data as look 2"))
    #expect(log?.records.count == 2)
    let lines = try String(contentsOf: directory.appendingPathComponent("looks.jsonl"), encoding: .utf8)
    #expect(lines.split(separator: "\n").count == 2)
    #expect(lines.hasSuffix("\n"))
  }

  @Test func anExplicitLookSupersedesThatLookInTheLog() throws {
    let plan = Self.plan()
    _ = try guarded(plan, n: 1000, control: 200, treatment: 210)
    let (corrected, log) = try guarded(plan, n: 1100, control: 220, treatment: 231, look: 1)
    #expect(corrected.look.sequential?.look == 1)
    #expect(log?.records.count == 2)
    #expect(log?.looks.count == 1)  // the later line for look 1 wins
    #expect(log?.looks.first?.rowsUsed == corrected.data.rowsUsed)
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
}
