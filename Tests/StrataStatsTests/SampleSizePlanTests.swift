import Foundation
import StrataStats
import StrataTestSupport
import Testing

/// One case of `planning.json` (Scripts/fixtures/planning.R, R 4.2.2 power.prop.test / power.t.test).
struct PlanningCase: Decodable, Sendable, CustomTestStringConvertible {
  var kind: String
  var metric: String
  var baseline: Double?
  var sd: Double?
  var mde: Double?
  var relative: Bool
  var n: Double?
  var alpha: Double
  var power: Double?
  var sides: Int
  var variants: Int
  var n_unrounded: Double?
  var n_unrounded_default_tol: Double?
  var n_per_variant: Int?
  var n_total: Int?
  var expected: Double?
  var call: String
  var testDescription: String { call }

  func plan() throws -> SampleSizePlan {
    let metric: PlanMetric =
      self.metric == "proportion" ? .proportion(baseline: baseline ?? .nan) : .mean(standardDeviation: sd ?? .nan)
    return try SampleSizePlan(
      metric: metric, alpha: alpha, alternative: sides == 1 ? .greater : .twoSided, variants: variants)
  }

  var effect: EffectSize? {
    guard let mde else { return nil }
    return relative ? .relative(mde) : .absolute(mde)
  }
}

@Suite("Sample-size planning against R")
struct SampleSizePlanTests {
  static var cases: [PlanningCase] {
    get throws { try Fixture<PlanningCase>.load("planning", from: .module) }
  }

  @Test("n per variant matches R (unrounded to 1e-9, rounded exactly)", arguments: try cases.filter { $0.kind == "n" })
  func sampleSizeMatchesR(_ c: PlanningCase) throws {
    let plan = try c.plan()
    let effect = try #require(c.effect)
    let size = try plan.sampleSize(effect: effect, power: try #require(c.power))
    let expected = try #require(c.n_unrounded)
    // R solved with uniroot(tol = 1e-10); our root is exact to ~1e-12, the noncentral t adds ~1e-13 to power.
    #expect(isClose(size.perVariantUnrounded, expected, relativeTolerance: 1e-9))
    #expect(size.perVariant == c.n_per_variant)
    #expect(size.total == c.n_total)
    #expect(size.variants == c.variants)
    #expect(isClose(size.alphaPerComparison, c.alpha / Double(c.variants - 1), relativeTolerance: 1e-15))
    #expect(try plan.unroundedSampleSize(effect: effect, power: try #require(c.power)) == size.perVariantUnrounded)
  }

  @Test("power for a given n matches R", arguments: try cases.filter { $0.kind == "power" })
  func powerMatchesR(_ c: PlanningCase) throws {
    let power = try c.plan().power(effect: try #require(c.effect), perVariant: try #require(c.n))
    // R's pt(ncp =) (AS 243) is itself off by up to ~2e-11 absolute: at n = 20000, δ = 5 it gives
    // 0.99709610403804, where scipy (Boost) and 40-digit mpmath agree on 0.99709610405282.
    let absolute = c.metric == "mean" ? 3e-11 : 0
    #expect(
      isClose(power, try #require(c.expected), relativeTolerance: 1e-11, absoluteTolerance: absolute),
      "got \(power)")
  }

  @Test("minimum detectable effect for a given n matches R", arguments: try cases.filter { $0.kind == "mde" })
  func minimumDetectableEffectMatchesR(_ c: PlanningCase) throws {
    let mde = try c.plan().minimumDetectableEffect(perVariant: try #require(c.n), power: try #require(c.power))
    // R solved with uniroot(tol = 1e-14) on the effect scale.
    #expect(isClose(mde, try #require(c.expected), relativeTolerance: 1e-9))
  }
}
