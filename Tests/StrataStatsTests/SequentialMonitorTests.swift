import Foundation
import StrataStats
import StrataTestSupport
import Testing

@Suite("Sequential monitor (the analyze guard)")
struct SequentialMonitorTests {
  let design: GroupSequentialDesign
  let monitor: SequentialMonitor

  init() throws {
    design = try GroupSequentialDesign(looks: 4, alpha: 0.05, alternative: .twoSided, spending: .obrienFleming)
    monitor = try SequentialMonitor(
      plan: .groupSequential(design), alwaysValid: AlwaysValidInference(mixingStandardDeviation: 1, alpha: 0.05))
  }

  /// An estimate with variance 1/t (final standard error 1) and the given z at fraction t.
  func look(z: Double, fraction t: Double) throws -> CumulativeEstimate {
    try CumulativeEstimate(estimate: z / t.squareRoot(), variance: 1 / t)
  }

  @Test func plannedLookComparesZWithItsBoundary() throws {
    let boundaries = try design.boundaries()
    // Just below and just above look 2's boundary (z ≈ 2.96 at t = 0.5), either sign (two-sided).
    for sign in [1.0, -1.0] {
      let below = try monitor.decide(look: 2, history: [look(z: sign * (boundaries[1].z - 0.01), fraction: 0.5)])
      #expect(below.action == .continueCollecting)
      #expect(below.method == .groupSequential && !below.isUnplanned)
      #expect(below.boundary == boundaries[1])
      let above = try monitor.decide(look: 2, history: [look(z: sign * (boundaries[1].z + 0.01), fraction: 0.5)])
      #expect(above.action == .stopForEfficacy)
      #expect(above.reason.contains("boundary"))
    }
    // A naive-significant z (2.5 > 1.96) at look 1 does not stop an O'Brien–Fleming design.
    #expect(try monitor.decide(look: 1, history: [look(z: 2.5, fraction: 0.25)]).action == .continueCollecting)
  }

  @Test func finalLookIsFinal() throws {
    let last = try design.boundaries()[3].z
    #expect(try monitor.decide(look: 4, history: [look(z: last + 0.01, fraction: 1)]).action == .finalReject)
    #expect(try monitor.decide(look: 4, history: [look(z: last - 0.01, fraction: 1)]).action == .finalDoNotReject)
  }

  @Test func oneSidedDesignIgnoresNegativeZ() throws {
    let oneSided = try GroupSequentialDesign(looks: 3, alpha: 0.025, alternative: .greater, spending: .pocock)
    let guardian = try SequentialMonitor(
      plan: .groupSequential(oneSided), alwaysValid: AlwaysValidInference(mixingStandardDeviation: 1, alpha: 0.025))
    #expect(try guardian.decide(look: 1, history: [look(z: -5, fraction: 1.0 / 3)]).action == .continueCollecting)
    #expect(try guardian.decide(look: 1, history: [look(z: 5, fraction: 1.0 / 3)]).action == .stopForEfficacy)
  }

  @Test func lookBeyondThePlanUsesAlwaysValidAndSaysWhy() throws {
    let history = try [0.3, 0.55, 0.8, 1.0, 1.2].map { t in try look(z: 2.2, fraction: t) }
    let decision = try monitor.decide(look: 5, history: history)
    #expect(decision.isUnplanned)
    #expect(decision.method == .alwaysValid)
    #expect(decision.boundary == nil)
    #expect(decision.reason.contains("beyond the 4 planned looks"))
    let expected = try AlwaysValidInference(mixingStandardDeviation: 1, alpha: 0.05).results(history).last
    #expect(decision.alwaysValid == expected)
    #expect(decision.action.rejects == ((expected?.runningPValue ?? 1) <= 0.05))
  }

  @Test func noPlanMeansAlwaysValid() throws {
    let unguarded = try SequentialMonitor(plan: nil, alwaysValid: AlwaysValidInference(mixingStandardDeviation: 1))
    // z = 2.5 is naive-significant (p = 0.012) but far from always-valid significance.
    let weak = try unguarded.decide(look: 1, history: [look(z: 2.5, fraction: 1)])
    #expect(weak.isUnplanned && weak.method == .alwaysValid)
    #expect(weak.action == .continueCollecting)
    #expect(weak.reason.contains("No sequential plan"))
    let strong = try unguarded.decide(look: 1, history: [look(z: 6, fraction: 1)])
    #expect(strong.action == .stopForEfficacy)
  }

  @Test func alwaysValidPlanIsFinalAtItsLastLook() throws {
    let planned = try SequentialMonitor(
      plan: .alwaysValid(looks: 3), alwaysValid: AlwaysValidInference(mixingStandardDeviation: 1))
    #expect(try planned.decide(look: 3, history: [look(z: 1, fraction: 1)]).action == .finalDoNotReject)
    #expect(try planned.decide(look: 2, history: [look(z: 1, fraction: 1)]).action == .continueCollecting)
    #expect(try planned.decide(look: 4, history: [look(z: 1, fraction: 1)]).isUnplanned)
  }

  @Test func badLooksAreInvalidInput() throws {
    #expect(throws: StatsError.self) { try monitor.decide(look: 0, history: [look(z: 1, fraction: 1)]) }
    #expect(throws: StatsError.self) { try monitor.decide(look: 1, history: []) }
    #expect(throws: StatsError.self) {
      try monitor.decide(look: 1, history: [look(z: 1, fraction: 0.5), look(z: 1, fraction: 1)])
    }
  }
}

@Suite("Sequential monitor at observed information fractions")
struct SequentialMonitorObservedFractionTests {
  @Test func observedFractionsRecomputeTheBoundary() throws {
    let design = try GroupSequentialDesign(looks: 4, alpha: 0.05, alternative: .twoSided, spending: .obrienFleming)
    let monitor = try SequentialMonitor(
      plan: .groupSequential(design), alwaysValid: AlwaysValidInference(mixingStandardDeviation: 1))
    let estimate = try CumulativeEstimate(estimate: 2.5, variance: 1)
    // Looks at 0.3 and 0.55 instead of 0.25 and 0.5: look 2's boundary is that of fractions (0.3, 0.55, 1).
    let decision = try monitor.decide(look: 2, history: [estimate], observedFractions: [0.3, 0.55])
    let expected = try GroupSequentialDesign(
      looks: 3, fractions: [0.3, 0.55, 1], alpha: 0.05, alternative: .twoSided, spending: .obrienFleming
    ).boundaries()[1]
    #expect(isClose(decision.boundary?.z ?? 0, expected.z, relativeTolerance: 1e-12))
    #expect(decision.boundary?.look == 2)
    #expect(decision.action == .continueCollecting)
    // The planned fractions give the planned boundaries back.
    let planned = try monitor.decide(look: 3, history: [estimate], observedFractions: [0.25, 0.5, 0.75])
    #expect(isClose(planned.boundary?.z ?? 0, monitor.boundaries[2].z, relativeTolerance: 1e-9))
    // Reaching the planned maximum early makes the look final: it spends all of alpha.
    let early = try monitor.decide(look: 3, history: [estimate], observedFractions: [0.3, 0.6, 1.05])
    #expect(early.action == .finalReject)
    #expect(early.boundary?.alphaSpent == 0.05)
    #expect(throws: StatsError.self) { try monitor.decide(look: 2, history: [estimate], observedFractions: [0.5]) }
  }
}
