import Foundation
import StrataStats
import StrataTestSupport
import Testing

@Suite("Sample-size planning properties")
struct SampleSizePlanPropertyTests {
  /// A random plan: proportion or mean, either alternative that takes positive effects, 2–6 variants.
  static func randomPlan(_ generator: inout SplitMix64) throws -> (SampleSizePlan, baseline: Double) {
    let alternative: Alternative = Bool.random(using: &generator) ? .twoSided : .greater
    let variants = Int.random(in: 2...6, using: &generator)
    let alpha = [0.01, 0.05, 0.1].randomElement(using: &generator) ?? 0.05
    if Bool.random(using: &generator) {
      let baseline = exp(Double.random(in: log(0.002)...log(0.6), using: &generator))
      return (
        try SampleSizePlan(
          metric: .proportion(baseline: baseline), alpha: alpha, alternative: alternative, variants: variants), baseline
      )
    }
    let sd = exp(Double.random(in: log(0.1)...log(100), using: &generator))
    return (
      try SampleSizePlan(
        metric: .mean(standardDeviation: sd), alpha: alpha, alternative: alternative, variants: variants), sd
    )
  }

  @Test("n falls as the effect grows; power rises with n; inverses round-trip (seeded)")
  func monotoneAndInverse() throws {
    var generator = SplitMix64(seed: 0x9_1A77)
    for index in 0..<60 {
      let (plan, scale) = try Self.randomPlan(&generator)
      // An effect that is 2–30% of the baseline rate, or 0.02–0.5 sd.
      let fraction = Double.random(in: 0.02...0.3, using: &generator)
      let effect = scale * fraction
      let power = Double.random(in: 0.5...0.95, using: &generator)
      let label = "case \(index): \(plan) effect \(effect) power \(power)"

      let size = try plan.sampleSize(effect: .absolute(effect), power: power)
      let larger = try plan.sampleSize(effect: .absolute(effect * 1.2), power: power)
      #expect(larger.perVariantUnrounded < size.perVariantUnrounded, "\(label): n falls as the MDE grows")
      let morePower = try plan.sampleSize(effect: .absolute(effect), power: min(0.99, power + 0.03))
      #expect(morePower.perVariantUnrounded > size.perVariantUnrounded, "\(label): n rises with power")

      let n = size.perVariantUnrounded
      guard n >= 2 else { continue }
      // The power at the exact n is the target; the rounded-up n reaches it, one unit fewer does not.
      #expect(
        isClose(try plan.power(effect: .absolute(effect), perVariant: n), power, relativeTolerance: 1e-9), "\(label)")
      let atRounded = try plan.power(effect: .absolute(effect), perVariant: Double(size.perVariant))
      #expect(atRounded >= power, "\(label): rounded-up n reaches the power")
      if size.perVariant > 2 {
        let below = try plan.power(effect: .absolute(effect), perVariant: Double(size.perVariant - 1))
        #expect(below < power, "\(label): one unit fewer does not")
      }
      #expect(try plan.power(effect: .absolute(effect), perVariant: n * 1.5) > power, "\(label): power rises with n")
      // The detectable effect at n is the effect we started from.
      let mde = try plan.minimumDetectableEffect(perVariant: n, power: power)
      #expect(isClose(mde, effect, relativeTolerance: 1e-8), "\(label): mde \(mde)")
      #expect(size.total == size.perVariant * plan.variants)
    }
  }

  @Test("K variants at alpha equal two variants at alpha/(K − 1); relative and absolute effects agree")
  func bonferroniAndRelative() throws {
    let three = try SampleSizePlan(metric: .proportion(baseline: 0.18), alpha: 0.05, variants: 3)
    let two = try SampleSizePlan(metric: .proportion(baseline: 0.18), alpha: 0.025, variants: 2)
    let a = try three.sampleSize(effect: .relative(0.1), power: 0.8)
    let b = try two.sampleSize(effect: .absolute(0.018), power: 0.8)
    #expect(isClose(a.perVariantUnrounded, b.perVariantUnrounded, relativeTolerance: 1e-12))
    #expect(a.total == 3 * a.perVariant && b.total == 2 * b.perVariant)
    #expect(try a.days(dailyUnits: 1200) == Int((Double(a.total) / 1200).rounded(.up)))

    let mean = try SampleSizePlan(metric: .mean(standardDeviation: 40, baseline: 55))
    let relative = try mean.sampleSize(effect: .relative(0.05), power: 0.8)
    let absolute = try mean.sampleSize(effect: .absolute(2.75), power: 0.8)
    #expect(isClose(relative.perVariantUnrounded, absolute.perVariantUnrounded, relativeTolerance: 1e-12))
  }

  @Test("a decrease under .less mirrors an increase under .greater for means")
  func lessMirrorsGreater() throws {
    let greater = try SampleSizePlan(metric: .mean(standardDeviation: 3), alternative: .greater)
    let less = try SampleSizePlan(metric: .mean(standardDeviation: 3), alternative: .less)
    let up = try greater.sampleSize(effect: .absolute(0.4), power: 0.8)
    let down = try less.sampleSize(effect: .absolute(-0.4), power: 0.8)
    #expect(up.perVariantUnrounded == down.perVariantUnrounded)
    #expect(try less.minimumDetectableEffect(perVariant: 500, power: 0.8) < 0)
  }

  @Test("invalid inputs throw invalidInput naming the field")
  func validation() throws {
    func field(_ body: () throws -> Void) -> String? {
      do { try body() } catch let StatsError.invalidInput(field, _) { return field } catch { return "other: \(error)" }
      return nil
    }
    #expect(field { _ = try SampleSizePlan(metric: .proportion(baseline: 0)) } == "baseline")
    #expect(field { _ = try SampleSizePlan(metric: .proportion(baseline: 1.2)) } == "baseline")
    #expect(field { _ = try SampleSizePlan(metric: .mean(standardDeviation: 0)) } == "sd")
    #expect(field { _ = try SampleSizePlan(metric: .mean(standardDeviation: -1)) } == "sd")
    #expect(field { _ = try SampleSizePlan(metric: .proportion(baseline: 0.1), alpha: 1.2) } == "alpha")
    #expect(field { _ = try SampleSizePlan(metric: .proportion(baseline: 0.1), alpha: 0) } == "alpha")
    #expect(field { _ = try SampleSizePlan(metric: .proportion(baseline: 0.1), variants: 1) } == "variants")
    let plan = try SampleSizePlan(metric: .proportion(baseline: 0.95))
    #expect(field { _ = try plan.sampleSize(effect: .absolute(0.1), power: 0.8) } == "mde")
    #expect(field { _ = try plan.sampleSize(effect: .absolute(0), power: 0.8) } == "mde")
    #expect(field { _ = try plan.sampleSize(effect: .absolute(0.01), power: 1) } == "power")
    #expect(field { _ = try plan.sampleSize(effect: .absolute(0.01), power: 0.01) } == "power")
    let oneSided = try SampleSizePlan(metric: .proportion(baseline: 0.2), alternative: .greater)
    #expect(field { _ = try oneSided.sampleSize(effect: .absolute(-0.01), power: 0.8) } == "mde")
    #expect(field { _ = try oneSided.power(effect: .absolute(0.01), perVariant: 0) } == "n")
    #expect(field { _ = try oneSided.minimumDetectableEffect(perVariant: 3, power: 0.99) } == "n")
    let mean = try SampleSizePlan(metric: .mean(standardDeviation: 2))
    #expect(field { _ = try mean.sampleSize(effect: .relative(0.1), power: 0.8) } == "mde")
    #expect(field { _ = try mean.power(effect: .absolute(1), perVariant: 1.5) } == "n")
    let size = try mean.sampleSize(effect: .absolute(1), power: 0.8)
    #expect(field { _ = try size.days(dailyUnits: 0) } == "daily units")
  }
}
