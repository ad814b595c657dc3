import Foundation
import StrataDesign
import StrataTestSupport
import Testing

@testable import StrataStats

/// Properties of the recursive integration that hold whatever the reference says.
@Suite("Group-sequential integration accuracy")
struct GroupSequentialAccuracyTests {
  static let designs: [(looks: Int, spending: SpendingFunction, alpha: Double, sides: Int)] = [
    (5, .obrienFleming, 0.05, 2), (15, .hwangShihDeCani(gamma: 3), 0.05, 1), (10, .obrienFleming, 0.01, 2),
    (4, .pocock, 0.025, 1), (8, .hwangShihDeCani(gamma: -4), 0.1, 2),
  ]

  /// Simpson's error falls as h⁴: against r = 128, the default grid (r = 64) must agree to 5e-8 and
  /// the coarse r = 32 (used by the rpact fixture tests for speed) to 5e-7.
  @Test func gridConvergence() throws {
    for d in Self.designs {
      var design = try GroupSequentialDesign(
        looks: d.looks, alpha: d.alpha, alternative: d.sides == 1 ? .greater : .twoSided, spending: d.spending)
      let standard = try design.boundaries()
      design.gridParameter = 32
      let coarse = try design.boundaries()
      design.gridParameter = 128
      let fine = try design.boundaries()
      for (a, (b, c)) in zip(standard, zip(fine, coarse)) {
        #expect(
          isClose(a.z, b.z, relativeTolerance: 5e-8), "\(d.spending) K=\(d.looks) look \(a.look): \(a.z) vs \(b.z)")
        #expect(
          isClose(c.z, b.z, relativeTolerance: 5e-7),
          "\(d.spending) K=\(d.looks) look \(a.look): r = 32 \(c.z) vs \(b.z)")
      }
    }
  }

  /// Looks very close in information (Δ = 0.001) get a finer grid before the narrow step; the result
  /// converges like the rest, and the final boundary stays near the two-look design's 1.9686.
  @Test func closeLooksConverge() throws {
    var design = try GroupSequentialDesign(
      looks: 3, fractions: [0.5, 0.501, 1], alpha: 0.05, alternative: .twoSided, spending: .obrienFleming)
    let standard = try design.boundaries()
    design.gridParameter = 128
    let fine = try design.boundaries()
    for (a, b) in zip(standard, fine) { #expect(isClose(a.z, b.z, relativeTolerance: 5e-8), "look \(a.look)") }
    #expect(abs(standard[2].z - 1.9686) < 0.001)
    #expect(throws: StatsError.self) {
      try GroupSequentialDesign(looks: 3, fractions: [0.5, 0.500001, 1], spending: .pocock)
    }
  }

  /// Under H₀ the boundaries spend exactly α: the exit probabilities (both sides when two-sided) add up.
  @Test func boundariesSpendExactlyAlphaUnderTheNull() throws {
    for d in Self.designs {
      let design = try GroupSequentialDesign(
        looks: d.looks, alpha: d.alpha, alternative: d.sides == 1 ? .greater : .twoSided, spending: d.spending)
      let boundaries = try design.boundaries()
      // Exits above only; two-sided designs are symmetric under H₀, so both sides spend twice this.
      let upper = try design.power(drift: 0, boundaries: boundaries)
      #expect(isClose(upper * Double(d.sides), d.alpha, relativeTolerance: 1e-9), "\(d.spending) K=\(d.looks)")
    }
  }

  /// Random designs (seeded): at every look the exits under H₀ add up to the spending function, and the
  /// boundaries are finite; a larger drift never lowers the power.
  @Test func randomDesignsSpendTheirSpendingFunction() throws {
    var generator = SplitMix64(seed: 20_261_122)
    for trial in 0..<12 {
      let looks = Int.random(in: 1...8, using: &generator)
      var cuts = (0..<(looks - 1)).map { _ in Double.random(in: 0.02...0.98, using: &generator) }.sorted()
      cuts = cuts.enumerated().map { index, t in index == 0 ? t : max(t, cuts[index - 1] + 0.01) }.filter { $0 < 0.99 }
      let fractions = cuts + [1]
      let spending: SpendingFunction =
        switch Int.random(in: 0...2, using: &generator) {
        case 0: .obrienFleming
        case 1: .pocock
        default: .hwangShihDeCani(gamma: Double.random(in: -8...4, using: &generator))
        }
      let alpha = exp(Double.random(in: log(0.001)...log(0.3), using: &generator))
      let sides = Int.random(in: 1...2, using: &generator)
      var design = try GroupSequentialDesign(
        looks: fractions.count, fractions: fractions, alpha: alpha, alternative: sides == 1 ? .greater : .twoSided,
        spending: spending)
      design.gridParameter = 32
      let label = "trial \(trial): \(spending) K=\(fractions.count) α=\(alpha) sides=\(sides) t=\(fractions)"
      let boundaries = try design.boundaries()
      #expect(boundaries.allSatisfy { $0.z.isFinite }, "\(label)")
      let exits = try design.rejectionProbabilities(drift: 0, boundaries: boundaries)
      var cumulative = 0.0
      for (exit, boundary) in zip(exits, boundaries) {
        cumulative += exit * Double(sides)
        #expect(isClose(cumulative, boundary.alphaSpent, relativeTolerance: 1e-8), "\(label) look \(boundary.look)")
      }
      let powers = try [0.5, 1.5, 3].map { try design.power(drift: $0, boundaries: boundaries) }
      #expect(powers[0] <= powers[1] && powers[1] <= powers[2], "\(label)")
    }
  }

  /// One look is the fixed design: z = Φ⁻¹(1 − α/sides) whatever the spending function.
  @Test(arguments: [SpendingFunction.obrienFleming, .pocock, .hwangShihDeCani(gamma: -4), .hwangShihDeCani(gamma: 0)])
  func oneLookIsTheFixedDesign(_ spending: SpendingFunction) throws {
    for (alpha, sides) in [(0.05, 2), (0.025, 1), (1e-9, 2)] {
      let b = try GroupSequentialDesign(
        looks: 1, alpha: alpha, alternative: sides == 1 ? .greater : .twoSided, spending: spending
      ).boundaries()
      #expect(isClose(b[0].z, try Normal.inverseSurvival(alpha / Double(sides)), relativeTolerance: 1e-10))
    }
  }

  /// Tiny early spending (O'Brien–Fleming, α = 1e-6, 20 looks spends ~1e-111 at look 1) still gives
  /// finite, increasing-alpha, decreasing-z boundaries, where rpact prints Inf.
  @Test func farTailBoundariesAreFiniteAndMonotone() throws {
    let boundaries = try GroupSequentialDesign(looks: 20, alpha: 1e-6, alternative: .twoSided, spending: .obrienFleming)
      .boundaries()
    #expect(boundaries.allSatisfy { $0.z.isFinite })
    #expect(boundaries[0].logAlphaSpent < log(1e-100))
    for (a, b) in zip(boundaries, boundaries.dropFirst()) {
      #expect(b.z < a.z)
      #expect(b.logAlphaSpent > a.logAlphaSpent)
    }
    // Look 1 is exact: Q(c₁) = α(t₁)/2 in log space.
    #expect(
      isClose(try Normal.logSurvival(boundaries[0].z) + log(2.0), boundaries[0].logAlphaSpent, relativeTolerance: 1e-12)
    )
  }

  /// Hwang–Shih–DeCani with γ → 0 is linear spending; its log form must be continuous there.
  @Test func hwangShihDeCaniIsContinuousAtZero() throws {
    for t in [0.1, 0.5, 0.9] {
      let linear = try SpendingFunction.hwangShihDeCani(gamma: 0).cumulativeAlpha(
        at: t, alpha: 0.05, alternative: .twoSided)
      let near = try SpendingFunction.hwangShihDeCani(gamma: 1e-7).cumulativeAlpha(
        at: t, alpha: 0.05, alternative: .twoSided)
      #expect(isClose(linear, 0.05 * t, relativeTolerance: 1e-14))
      #expect(isClose(near, linear, relativeTolerance: 1e-6))
    }
  }
}
