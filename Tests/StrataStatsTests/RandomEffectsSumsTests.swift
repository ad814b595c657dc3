import StrataTestSupport
import Testing

@testable import StrataStats

/// The restricted score and the generalised Q computed without an array of weights give the bits the array-based
/// formulas gave (2026-12-06): the same operations in the same order, checked against those formulas kept here.
@Suite("Random-effects sums without a weight array")
struct RandomEffectsSumsTests {
  /// The restricted score and information as computed until 2026-12-06.
  static func arrayScore(_ model: RandomEffectsModel, _ tauSquared: Double) -> (score: Double, information: Double) {
    var s1 = 0.0, s2 = 0.0, s3 = 0.0, weighted = 0.0
    let weights = model.variances.map { 1 / ($0 + tauSquared) }
    for (w, y) in zip(weights, model.estimates) {
      s1 += w
      s2 += w * w
      s3 += w * w * w
      weighted += w * y
    }
    let mean = weighted / s1
    let residual = zip(weights, model.estimates).reduce(0) { $0 + $1.0 * $1.0 * ($1.1 - mean) * ($1.1 - mean) }
    let traceP = s1 - s2 / s1
    let tracePSquared = s2 - 2 * s3 / s1 + s2 * s2 / (s1 * s1)
    return ((residual - traceP) / 2, tracePSquared / 2)
  }

  /// The generalised Q as computed until 2026-12-06.
  static func arrayQ(_ model: RandomEffectsModel, _ tauSquared: Double) -> Double {
    let weights = model.variances.map { 1 / ($0 + tauSquared) }
    let mean = zip(weights, model.estimates).reduce(0) { $0 + $1.0 * $1.1 } / weights.reduce(0, +)
    return zip(weights, model.estimates).reduce(0) { $0 + $1.0 * ($1.1 - mean) * ($1.1 - mean) }
  }

  @Test("bit for bit on 600 seeded models of 2 to 5,000 segments, at τ² from 0 to large")
  func sameBits() throws {
    var random = SplitMix64(seed: 0x7A05_17)
    var compared = 0
    for round in 0..<600 {
      let count = round % 3 == 0 ? 2 + Int(random.next() % 4999) : 2 + Int(random.next() % 40)
      let scale = [1e-6, 1e-3, 1, 1e3][Int(random.next() % 4)]
      let estimates = (0..<count).map { _ in (Double(random.next() % 2_000_001) / 1e6 - 1) * scale }
      let variances = (0..<count).map { _ in (Double(random.next() % 1_000_000) + 1) / 1e6 * scale * scale }
      let model = try RandomEffectsModel(estimates: estimates, variances: variances)
      for tauSquared in [0, scale * scale * 1e-9, scale * scale * Double(random.next() % 1000) / 100, 1e300] {
        let (score, information) = model.restrictedScore(tauSquared)
        let expected = Self.arrayScore(model, tauSquared)
        #expect(score.bitPattern == expected.score.bitPattern, "\(count) segments, τ² \(tauSquared)")
        #expect(information.bitPattern == expected.information.bitPattern, "\(count) segments, τ² \(tauSquared)")
        #expect(model.generalizedQ(tauSquared).bitPattern == Self.arrayQ(model, tauSquared).bitPattern)
        compared += 1
      }
    }
    #expect(compared == 2400)
  }
}
