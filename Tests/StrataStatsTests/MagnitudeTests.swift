import StrataStats
import Testing

/// Estimates and variances of any magnitude: scaling the data by 2ᵏ (exact in binary) must scale every
/// estimate by exactly 2ᵏ, every variance by 2²ᵏ and leave p-values, Q, I², shrinkage and chances to win
/// bit for bit as they are (Scripts/magnitude_sweep.py checks the same through `strata analyze`).
@Suite("Magnitudes")
struct MagnitudeTests {
  /// x·2ᵖ.
  static func scaled(_ x: Double, _ p: Int) -> Double { Double(sign: .plus, exponent: p, significand: x) }

  /// Eight segments' lifts and sampling variances of an ordinary campaign (a rate in points of 1).
  static let estimates = [0.012, 0.055, 0.03, -0.01, 0.07, 0.02, 0.041, 0.005]
  static let variances = [4e-4, 1.2e-4, 3e-4, 5e-4, 2.5e-4, 6e-4, 1.5e-4, 3.5e-4]

  /// Powers of two around 2^±500 and next to the edges: the smallest variance (1.2e-4 ≈ 2⁻¹³) stays a normal
  /// number down to 2⁻⁵⁰⁴ and the largest (6e-4 ≈ 2⁻¹¹) finite up to 2⁵¹⁷.
  static let powers = [-504, -500, -300, -120, 120, 300, 500, 517]

  @Test("Inverse-variance pooling and Cochran's Q scale exactly", arguments: powers)
  func inverseVariancePooling(k: Int) throws {
    let plain = try InverseVariancePooling(estimates: Self.estimates, variances: Self.variances).result()
    let result = try InverseVariancePooling(
      estimates: Self.estimates.map { Self.scaled($0, k) }, variances: Self.variances.map { Self.scaled($0, 2 * k) }
    ).result()
    #expect(result.estimate == Self.scaled(plain.estimate, k))
    #expect(result.standardError == Self.scaled(plain.standardError, k))
    #expect(result.interval.lower == Self.scaled(plain.interval.lower, k))
    #expect(result.interval.upper == Self.scaled(plain.interval.upper, k))
    #expect(result.test == plain.test)
    #expect(result.heterogeneity == plain.heterogeneity)
  }

  @Test(
    "The random-effects model (REML, DL, Knapp–Hartung) scales exactly: τ², μ̂, BLUPs, p, Q",
    arguments: powers, [RandomEffectsModel.Method.restrictedMaximumLikelihood, .dersimonianLaird])
  func randomEffects(k: Int, method: RandomEffectsModel.Method) throws {
    for knappHartung in [false, true] {
      let plain = try RandomEffectsModel(
        estimates: Self.estimates, variances: Self.variances, method: method, knappHartung: knappHartung
      ).result()
      let result = try RandomEffectsModel(
        estimates: Self.estimates.map { Self.scaled($0, k) }, variances: Self.variances.map { Self.scaled($0, 2 * k) },
        method: method, knappHartung: knappHartung
      ).result()
      #expect(result.tauSquared == Self.scaled(plain.tauSquared, 2 * k))
      #expect(result.tauSquaredInterval?.lower == plain.tauSquaredInterval.map { Self.scaled($0.lower, 2 * k) })
      #expect(result.tauSquaredInterval?.upper == plain.tauSquaredInterval.map { Self.scaled($0.upper, 2 * k) })
      #expect(result.mean == Self.scaled(plain.mean, k))
      #expect(result.standardError == Self.scaled(plain.standardError, k))
      #expect(result.interval.lower == Self.scaled(plain.interval.lower, k))
      #expect(result.prediction.upper == Self.scaled(plain.prediction.upper, k))
      #expect(result.test == plain.test)
      #expect(result.heterogeneity == plain.heterogeneity)
      for (segment, reference) in zip(result.shrunken, plain.shrunken) {
        #expect(segment.estimate == Self.scaled(reference.estimate, k))
        #expect(segment.standardError == Self.scaled(reference.standardError, k))
        #expect(segment.interval.upper == Self.scaled(reference.interval.upper, k))
        #expect(segment.shrinkage == reference.shrinkage)
      }
    }
  }

  /// The calibrated intervals (Morris from four segments, hierarchical Bayes with three) and the posteriors
  /// behind the chances to win: their quadrature and root finders are relative to the data, except the grid of
  /// the τ posterior's scan, so beyond 2^±100 the fit is the one on the data brought to [1, 2) exactly.
  @Test("Calibrated intervals, chances to win and the selection-adjusted interval scale exactly", arguments: powers)
  func calibrated(k: Int) throws {
    for count in [3, 8] {
      let estimates = Array(Self.estimates.prefix(count)), variances = Array(Self.variances.prefix(count))
      // The scale the model brings them to: the smallest standard error in [1, 2).
      let canonical = -Int((variances.min() ?? 1).squareRoot().exponent)
      func fit(_ p: Int) throws -> (RandomEffectsModel, RandomEffectsResult) {
        let model = try RandomEffectsModel(
          estimates: estimates.map { Self.scaled($0, p) }, variances: variances.map { Self.scaled($0, 2 * p) },
          calibrated: true, variantsCompared: 2)
        return (model, try model.result())
      }
      let (_, reference) = try fit(canonical)
      let (_, result) = try fit(k)
      let shift = k - canonical
      #expect(result.calibratedMethod == reference.calibratedMethod)
      #expect(!result.calibratedPosteriors.isEmpty)
      for index in result.shrunken.indices {
        let interval = try #require(result.shrunken[index].calibratedInterval)
        let expected = try #require(reference.shrunken[index].calibratedInterval)
        #expect(interval.lower == Self.scaled(expected.lower, shift))
        #expect(interval.upper == Self.scaled(expected.upper, shift))
        let posterior = result.calibratedPosteriors[index], other = reference.calibratedPosteriors[index]
        #expect(posterior.above == other.above)
        #expect(posterior.mean == Self.scaled(other.mean, shift))
        #expect(posterior.upside == Self.scaled(other.upside, shift))
        let selected = try #require(
          try result.calibratedIntervalAdjustedForSelection(of: result.shrunken[index], at: index))
        let selectedReference = try #require(
          try reference.calibratedIntervalAdjustedForSelection(of: reference.shrunken[index], at: index))
        #expect(selected.lower == Self.scaled(selectedReference.lower, shift))
        #expect(selected.upper == Self.scaled(selectedReference.upper, shift))
      }
    }
  }

  /// Segments whose standard errors span more than 2⁵³⁷: the smallest variance dominates the weights, so the
  /// rescaling is by it; by the largest, it fell to 0 and the pooled estimate was NaN (review R1).
  @Test("Pooling segments of very different magnitudes: the precise one dominates")
  func mixedMagnitudes() throws {
    let estimates = [1.0, Self.scaled(1.5, -100), 0.75]
    let variances = [Self.scaled(1, 880), Self.scaled(1, -200), Self.scaled(1, 700)]
    let pooled = try InverseVariancePooling(estimates: estimates, variances: variances).result()
    #expect(pooled.estimate == estimates[1])
    #expect(pooled.standardError == Self.scaled(1, -100))
    #expect(pooled.heterogeneity.statistic.isFinite)
    let model = try RandomEffectsModel(
      estimates: [Self.scaled(1, -100), Self.scaled(1.5, -100), Self.scaled(0.5, -100), 1],
      variances: [Self.scaled(1, -200), Self.scaled(2, -200), Self.scaled(1.5, -200), Self.scaled(1, 500)],
      calibrated: true
    ).result()
    #expect(model.mean.isFinite && model.standardError.isFinite && model.tauSquared.isFinite)
    #expect(abs(model.mean) < Self.scaled(2, -100))
  }

  /// Standard errors spanning 2⁵³⁰, left as they are.
  ///
  /// A revenue metric ×2⁴⁰ in two segments, ×2⁻⁴⁹⁰ in the third (review R6). Scaled by the smallest, the largest variance became ∞ and the τ posterior's scan of scales never ended;
  /// centred on the span, τ² came out 2e-4 off (w³ underflowed). Left as they are, REML's τ² is the root of the
  /// restricted score computed at 60 digits (mpmath, bisection): 2.0521312514968513e26.
  @Test("Segments whose standard errors span 2⁵³⁰: REML's τ² to 1e-12, the calibrated fit ends")
  func wideSpan() throws {
    let model = try RandomEffectsModel(
      estimates: [13242324623991, 28282782895314.5, 1.6099197332649352e-147],
      variances: [11535808203848.877, 6710387052137.251, 1.709740737637308e-147].map { $0 * $0 },
      calibrated: true
    ).result()
    #expect(abs(model.tauSquared / 2.0521312514968513e26 - 1) < 1e-12)
    #expect(model.mean.isFinite && model.standardError.isFinite)
    #expect(PowerOfTwoScale(variances: [Self.scaled(1, 80), Self.scaled(1, -980)]).isIdentity)
    #expect(PowerOfTwoScale(variances: [Self.scaled(1, -600), Self.scaled(1, -980)]).exponent == -490)
  }

  /// A proper prior far narrower than the lift's standard error (an absolute prior of 1e-8 on a lift of 2⁴⁹⁰):
  /// the posterior is the prior's; rescaled by the data's variance, the prior's fell to 0 (review R1).
  @Test("A narrow prior dominates a lift of 2⁴⁹⁰")
  func narrowPrior() throws {
    let result = try BayesianSummary(
      estimate: Self.scaled(1, 490), variance: Self.scaled(3, 980),
      prior: try BayesianSummary.Prior(mean: 0, variance: 1e-16)
    ).result()
    #expect(abs(result.posteriorStandardDeviation - 1e-8) <= 1e-20)
    #expect(abs(result.chanceToWin - 0.5) < 1e-9)
    #expect(result.posteriorMean.isFinite && abs(result.posteriorMean) < 1e-12)
  }

  @Test(
    "Bayesian summaries scale exactly: posterior, interval and risks by 2ᵏ, chance to win unchanged",
    arguments: powers)
  func bayesian(k: Int) throws {
    for prior in [nil, try BayesianSummary.Prior(mean: 0.01, variance: 0.0009)] {
      let plain = try BayesianSummary(estimate: 0.021, variance: 1.7e-4, prior: prior).result()
      let result = try BayesianSummary(
        estimate: Self.scaled(0.021, k), variance: Self.scaled(1.7e-4, 2 * k),
        prior: try prior.map {
          try BayesianSummary.Prior(mean: Self.scaled($0.mean, k), variance: Self.scaled($0.variance, 2 * k))
        }
      ).result()
      #expect(result.chanceToWin == plain.chanceToWin)
      #expect(result.posteriorMean == Self.scaled(plain.posteriorMean, k))
      #expect(result.posteriorStandardDeviation == Self.scaled(plain.posteriorStandardDeviation, k))
      #expect(result.credibleInterval.lower == Self.scaled(plain.credibleInterval.lower, k))
      #expect(result.riskControl == Self.scaled(plain.riskControl, k))
      #expect(result.riskTreatment == Self.scaled(plain.riskTreatment, k))
    }
  }

  /// From two arms' summaries: relative lifts do not change at all, absolute ones scale.
  ///
  /// Means and standard
  /// deviations stay within `SampleSummary`'s ±1e150 (2⁴⁹⁸), so the powers here stop at 2⁴⁹⁰.
  @Test("Bayesian summaries of two arms at any magnitude", arguments: [-504, -500, -300, 300, 490])
  func bayesianArms(k: Int) throws {
    func arm(_ count: Double, _ mean: Double, _ sd: Double, _ p: Int) throws -> SampleSummary {
      try SampleSummary(count: count, mean: Self.scaled(mean, p), standardDeviation: Self.scaled(sd, p))
    }
    for relative in [true, false] {
      let plain = try BayesianSummary(
        control: arm(800, 61.5, 48.25, 0), treatment: arm(812, 64.75, 50.5, 0), relative: relative
      ).result()
      let result = try BayesianSummary(
        control: arm(800, 61.5, 48.25, k), treatment: arm(812, 64.75, 50.5, k), relative: relative
      ).result()
      let p = relative ? 0 : k
      #expect(result.chanceToWin == plain.chanceToWin)
      #expect(result.posteriorMean == Self.scaled(plain.posteriorMean, p))
      #expect(result.credibleInterval.upper == Self.scaled(plain.credibleInterval.upper, p))
      #expect(result.riskControl == Self.scaled(plain.riskControl, p))
    }
  }

  /// Standard deviations down to 2⁻⁵³⁰ (1e-160, where sd² is subnormal and the old tests refused or lost digits)
  /// and up to 2⁴⁹⁰: Welch's and Student's tests on the numbers brought to [1, 2) by a power of two.
  @Test("Welch's and Student's t tests give the same t, ν and p at any magnitude", arguments: [-540, -530, -512, 490])
  func tTests(k: Int) throws {
    func arm(_ count: Double, _ mean: Double, _ sd: Double, _ p: Int) throws -> SampleSummary {
      try SampleSummary(count: count, mean: Self.scaled(mean, p), standardDeviation: Self.scaled(sd, p))
    }
    for (control, treatment) in [(121.5, 97.25), (13.7, 0.0)] {
      let plain = try [
        WelchTTest(control: arm(790, 61.5, control, 0), treatment: arm(818, 64.75, treatment, 0)).result(),
        StudentTTest(control: arm(790, 61.5, control, 0), treatment: arm(818, 64.75, treatment, 0)).result(),
      ]
      let scaled = try [
        WelchTTest(control: arm(790, 61.5, control, k), treatment: arm(818, 64.75, treatment, k)).result(),
        StudentTTest(control: arm(790, 61.5, control, k), treatment: arm(818, 64.75, treatment, k)).result(),
      ]
      for (result, reference) in zip(scaled, plain) {
        #expect(result.test == reference.test)
        #expect(result.degreesOfFreedom == reference.degreesOfFreedom)
        #expect(result.difference == Self.scaled(reference.difference, k))
        #expect(result.interval.upper == Self.scaled(reference.interval.upper, k))
        #expect(result.relativeInterval == reference.relativeInterval)
      }
    }
  }

  @Test(
    "Welch's degrees of freedom are the same at 2^±500 as at ordinary magnitudes", arguments: [-500, -300, 300, 490])
  func welch(k: Int) throws {
    func arm(_ count: Double, _ mean: Double, _ sd: Double, _ p: Int) throws -> SampleSummary {
      try SampleSummary(count: count, mean: Self.scaled(mean, p), standardDeviation: Self.scaled(sd, p))
    }
    // Standard deviations whose variance terms differ in their last bits once divided by the larger (the old
    // rescaling), and one pair where they do not.
    for (control, treatment) in [(121.5, 97.25), (13.7, 11.2), (48.25, 30.5)] {
      let plain = try WelchTTest(control: arm(790, 61.5, control, 0), treatment: arm(818, 64.75, treatment, 0)).result()
      let result = try WelchTTest(control: arm(790, 61.5, control, k), treatment: arm(818, 64.75, treatment, k))
        .result()
      #expect(result.degreesOfFreedom == plain.degreesOfFreedom)
      #expect(result.test == plain.test)
      #expect(result.difference == Self.scaled(plain.difference, k))
      #expect(result.interval.lower == Self.scaled(plain.interval.lower, k))
    }
  }
}
