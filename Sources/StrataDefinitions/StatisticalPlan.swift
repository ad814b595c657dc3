import StrataAssignment

/// How the experiment will be analysed and how large it must be: error rates, the smallest effect
/// worth detecting, and the interim looks of a group-sequential design.
///
/// Values are checked by ``ExperimentDefinition/init(experiment:metrics:plan:factorialDesign:)``.
public struct StatisticalPlan: Sendable, Hashable {
  /// Lan-DeMets alpha-spending function for interim looks.
  public enum Spending: Sendable, Hashable, CustomStringConvertible {
    /// O'Brien-Fleming type: spends almost nothing early.
    case obrienFleming
    /// Pocock type: spends evenly.
    case pocock
    /// Hwang-Shih-DeCani with parameter γ.
    case hwangShihDeCani(gamma: Double)

    /// The definition's spelling (`obf`, `pocock`, `hsd:GAMMA`), as written back to a file.
    ///
    /// Text is parsed by StrataDesign's `SpendingFunction(parsing:)`, the one parser of these spellings.
    public var description: String {
      switch self {
      case .obrienFleming: return "obf"
      case .pocock: return "pocock"
      case .hwangShihDeCani(let gamma): return "hsd:\(gamma)"
      }
    }
  }

  /// The random-effects model of partial pooling across segments (`plan.pooling`): the τ² estimator and
  /// whether the pooled mean's interval and test use the Knapp–Hartung adjustment.
  public struct Pooling: Sendable, Hashable {
    /// The estimator of τ², the variance of the true segment effects.
    public enum Method: String, Sendable, Hashable, CaseIterable {
      /// Restricted maximum likelihood (the default).
      case reml
      /// DerSimonian–Laird's method of moments.
      case dl
    }

    public var method: Method
    /// Knapp–Hartung: the pooled mean's interval and test from a t distribution with K − 1 degrees of freedom
    /// and a rescaled variance (for two segments or more).
    public var knappHartung: Bool

    public init(method: Method = .reml, knappHartung: Bool = false) {
      self.method = method
      self.knappHartung = knappHartung
    }

    /// Whether these are the defaults (REML without Knapp–Hartung), which a definition need not write.
    public var isDefault: Bool { self == Pooling() }
  }

  /// The lift the Bayesian summaries of `strata analyze` describe (`plan.bayesian_scale`).
  public enum BayesianScale: String, Sendable, Hashable, CaseIterable {
    /// (treatment − control)/control, GrowthBook's default (the default here too).
    case relative
    /// treatment − control, in the metric's unit.
    case absolute
  }

  /// How the looks of a plan are guarded.
  public enum SequentialMethod: String, Sendable, Hashable, CaseIterable {
    /// Lan-DeMets alpha-spending boundaries at the planned looks.
    case groupSequential = "group-sequential"
    /// The mixture SPRT's always-valid p-value at every look.
    case alwaysValid = "always-valid"
  }

  /// Total type I error rate (two-sided unless `sides == 1`).
  public var alpha: Double
  /// Probability of detecting an effect of size `mde`.
  public var power: Double
  /// Minimum detectable effect: absolute (treatment − control) or relative to `baseline` when `relative`.
  public var minimumDetectableEffect: Double?
  /// Whether `minimumDetectableEffect` is a relative lift.
  public var relative: Bool
  /// The control's expected rate (binomial primary metric) or mean.
  public var baseline: Double?
  /// Expected standard deviation of a continuous primary metric.
  public var standardDeviation: Double?
  /// 1 or 2.
  public var sides: Int
  /// Number of analyses, including the final one (1 = fixed design).
  public var looks: Int
  /// Information fractions of the looks, increasing, ending at 1; nil = equally spaced.
  public var fractions: [Double]?
  public var spending: Spending
  /// How interim looks are guarded: group-sequential boundaries (`spending`) or always-valid inference.
  public var method: SequentialMethod = .groupSequential
  /// Standard deviation τ of the always-valid mixing prior, on the scale of the difference (nil: the
  /// absolute MDE).
  public var tau: Double?
  /// Standard deviation σ of a proper N(0, σ²) prior on the lift for Bayesian summaries (`prior:`), on
  /// `bayesianScale` (the relative lift by default); nil: a flat (improper) prior.
  public var prior: Double?
  /// The lift the Bayesian summaries describe (`bayesian_scale:`): relative (the default) or absolute; `prior`
  /// is on the same scale.
  public var bayesianScale: BayesianScale = .relative
  /// How `strata analyze` pools each metric × treatment across segments (`pooling:`).
  public var pooling = Pooling()
  /// Units entering the experiment per day, for a duration estimate.
  public var dailyUnits: Int?
  /// Sample size per variant recorded when the definition was created (`strata new`).
  public var sampleSizePerVariant: Int?

  public init(
    alpha: Double = 0.05, power: Double = 0.8, minimumDetectableEffect: Double? = nil, relative: Bool = false,
    baseline: Double? = nil, standardDeviation: Double? = nil, sides: Int = 2, looks: Int = 1,
    fractions: [Double]? = nil, spending: Spending = .obrienFleming, dailyUnits: Int? = nil,
    sampleSizePerVariant: Int? = nil
  ) {
    self.alpha = alpha
    self.power = power
    self.minimumDetectableEffect = minimumDetectableEffect
    self.relative = relative
    self.baseline = baseline
    self.standardDeviation = standardDeviation
    self.sides = sides
    self.looks = looks
    self.fractions = fractions
    self.spending = spending
    self.dailyUnits = dailyUnits
    self.sampleSizePerVariant = sampleSizePerVariant
  }

  /// The information fractions of the looks: `fractions`, or k/K for k = 1…K.
  public var lookFractions: [Double] {
    fractions ?? (1...max(looks, 1)).map { Double($0) / Double(max(looks, 1)) }
  }

  /// Accepted alpha: see ``validate(field:)``.
  public static let alphaRange: ClosedRange<Double> = 1e-6...0.5
  /// Accepted power: see ``validate(field:)``.
  public static let powerRange: ClosedRange<Double> = 0.5...0.999_999
  /// The smallest information fraction of a look.
  public static let smallestFraction = 0.01
  /// The largest mde, baseline, sd or tau: far beyond any metric, and its square stays finite.
  public static let largestMagnitude = 1e15
  /// The largest count (units per day, sample size): 2⁵³ − 1, the largest whole number a double holds
  /// with every smaller one.
  public static let largestCount = 9_007_199_254_740_991

  /// Checks ranges and consistency; `field` prefixes the reported field names.
  public func validate(field: String = "plan") throws(DefinitionError) {
    // Ranges the maths honours. Below α = 1e-6 the confidence level 1 − α (and, after the Bonferroni and
    // look splits, each comparison's level) is no longer told apart from 1 to useful precision, and
    // every test would be skipped; power below 0.5 plans for missing the effect more often than not, and
    // above 0.999999 its normal quantile says nothing the sample size can deliver.
    guard alpha >= Self.alphaRange.lowerBound, alpha <= Self.alphaRange.upperBound else {
      throw DefinitionError(
        field: "\(field).alpha", message: "alpha must be between 0.000001 and 0.5, got \(alpha)")
    }
    guard power >= Self.powerRange.lowerBound, power <= Self.powerRange.upperBound else {
      throw DefinitionError(
        field: "\(field).power", message: "power must be between 0.5 and 0.999999, got \(power)")
    }
    if let mde = minimumDetectableEffect, !(mde.isFinite && mde > 0 && mde <= Self.largestMagnitude) {
      throw DefinitionError(
        field: "\(field).mde", message: "the minimum detectable effect must be a positive number up to 1e15, got \(mde)"
      )
    }
    if let baseline, !(baseline.isFinite && baseline > 0 && baseline <= Self.largestMagnitude) {
      throw DefinitionError(
        field: "\(field).baseline", message: "the baseline must be a positive number up to 1e15, got \(baseline)")
    }
    if let sd = standardDeviation, !(sd.isFinite && sd > 0 && sd <= Self.largestMagnitude) {
      throw DefinitionError(
        field: "\(field).sd", message: "the standard deviation must be a positive number up to 1e15, got \(sd)")
    }
    if relative && baseline == nil {
      throw DefinitionError(
        field: "\(field).relative", message: "a relative minimum detectable effect needs a baseline")
    }
    guard sides == 1 || sides == 2 else {
      throw DefinitionError(field: "\(field).sides", message: "sides must be 1 or 2, got \(sides)")
    }
    guard (1...20).contains(looks) else {
      throw DefinitionError(field: "\(field).looks", message: "looks must be between 1 and 20, got \(looks)")
    }
    if let fractions {
      guard fractions.count == looks else {
        throw DefinitionError(
          field: "\(field).fractions", message: "there are \(fractions.count) fractions for \(looks) looks")
      }
      for (index, fraction) in fractions.enumerated() {
        let previous = index == 0 ? 0 : fractions[index - 1]
        // A first look before 1% of the information has almost no power, and its efficacy boundary lies
        // beyond what the recursive integration can place (z > 200 below about 0.0001).
        guard fraction >= Self.smallestFraction else {
          throw DefinitionError(
            field: "\(field).fractions[\(index)]", message: "fractions must be at least 0.01, got \(fraction)")
        }
        guard fraction > previous, fraction <= 1 else {
          throw DefinitionError(
            field: "\(field).fractions[\(index)]",
            message: "fractions must increase strictly within (0, 1], got \(fraction) after \(previous)")
        }
      }
      guard fractions.last == 1 else {
        throw DefinitionError(
          field: "\(field).fractions",
          message: "the last fraction must be 1 (the final analysis), got \(fractions.last ?? 0)")
      }
    }
    if case .hwangShihDeCani(let gamma) = spending, !(gamma.isFinite && gamma != 0 && abs(gamma) <= 100) {
      throw DefinitionError(
        field: "\(field).spending",
        message: "the Hwang-Shih-DeCani parameter must be a non-zero number between -100 and 100, got \(gamma)")
    }
    if let tau, !(tau.isFinite && tau > 0 && tau <= Self.largestMagnitude) {
      throw DefinitionError(field: "\(field).tau", message: "tau must be a positive number up to 1e15, got \(tau)")
    }
    if let prior, !(prior.isFinite && prior > 0 && prior <= Self.largestMagnitude) {
      throw DefinitionError(
        field: "\(field).prior",
        message:
          "the prior's standard deviation must be a positive number up to 1e15 (e.g. 0.1 for ±10% relative lifts), got \(prior)"
      )
    }
    if let dailyUnits, !(1...Self.largestCount).contains(dailyUnits) {
      throw DefinitionError(
        field: "\(field).daily_units", message: "daily units must be between 1 and 2⁵³ − 1, got \(dailyUnits)")
    }
    if let n = sampleSizePerVariant, !(1...Self.largestCount).contains(n) {
      throw DefinitionError(
        field: "\(field).n_per_variant",
        message: "the sample size per variant must be between 1 and 2⁵³ − 1, got \(n)")
    }
  }
}
