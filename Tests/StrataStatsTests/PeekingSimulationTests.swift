import Foundation
import StrataStats
import StrataTestSupport
import Testing

/// Seeded Monte Carlo: naive peeking inflates alpha as the literature says, the guards hold it.
@Suite("Peeking simulation")
struct PeekingSimulationTests {
  /// One-sided 0.025, K equally spaced looks: the naive rate as computed exactly by recursive
  /// integration (z ≥ 1.96 at every look) and as quoted in the issue (Armitage, McPherson & Rowe 1969).
  @Test(arguments: [(2, 0.042), (4, 0.063), (10, 0.097), (20, 0.124)])
  func naivePeekingInflatesAlpha(_ looks: Int, _ quoted: Double) throws {
    let design = try GroupSequentialDesign(looks: looks, alpha: 0.025, alternative: .greater, spending: .obrienFleming)
    let naive = try [SequentialBoundary](
      repeating: design.boundaries()[0], count: looks
    ).enumerated().map { index, b in
      var constant = b
      constant.z = try Normal.inverseSurvival(0.025)
      constant.fraction = design.fractions[index]
      return constant
    }
    let exact = try design.power(drift: 0, boundaries: naive)
    #expect(abs(exact - quoted) < 0.0015, "exact naive rate \(exact) vs quoted \(quoted)")

    let experiments = 20_000
    let result = try PeekingSimulation(design: design, experiments: experiments, seed: UInt64(100 + looks)).run()
    let standardError = (exact * (1 - exact) / Double(experiments)).squareRoot()
    let naiveRate = result.methods[0].rate
    #expect(abs(naiveRate - exact) < 4 * standardError, "naive \(naiveRate) vs exact \(exact)")
    // The guarded designs hold alpha within Monte Carlo error (4 standard errors).
    let alphaError = (0.025 * 0.975 / Double(experiments)).squareRoot()
    #expect(abs(result.methods[1].rate - 0.025) < 4 * alphaError, "group-sequential \(result.methods[1].rate)")
    #expect(result.methods[2].rate < 0.025 + 4 * alphaError, "always-valid \(result.methods[2].rate)")
    #expect(result.methods[1].interval.contains(result.methods[1].rate))
  }

  @Test func sameSeedSameNumbersOtherSeedOtherNumbers() throws {
    let design = try GroupSequentialDesign(looks: 5, spending: .pocock)
    let a = try PeekingSimulation(design: design, experiments: 2_000, seed: 42).run()
    let b = try PeekingSimulation(design: design, experiments: 2_000, seed: 42).run()
    let c = try PeekingSimulation(design: design, experiments: 2_000, seed: 43).run()
    #expect(a == b)
    #expect(a.methods.map(\.rejections) != c.methods.map(\.rejections))
  }

  /// Under the drift that the design is powered for, the simulated power matches the integrated power.
  @Test func powerMatchesRecursiveIntegration() throws {
    let design = try GroupSequentialDesign(
      looks: 4, alpha: 0.05, alternative: .twoSided, spending: .hwangShihDeCani(gamma: -4))
    let boundaries = try design.boundaries()
    let drift = try design.drift(forPower: 0.8, boundaries: boundaries)
    let experiments = 20_000
    let result = try PeekingSimulation(design: design, drift: drift, experiments: experiments, seed: 9).run()
    let standardError = (0.8 * 0.2 / Double(experiments)).squareRoot()
    // Two-sided designs also stop below −c_k; under this drift those exits are ~1e-6, inside MC error.
    #expect(abs(result.methods[1].rate - 0.8) < 4 * standardError, "power \(result.methods[1].rate)")
    #expect(result.methods[1].averageStoppingFraction < 1)
  }
}
