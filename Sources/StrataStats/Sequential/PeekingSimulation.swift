import Foundation

/// Monte Carlo of repeated looks at one experiment: how often naive peeking, a group-sequential design
/// and always-valid inference reject, under no effect (A/A: the real false-positive rate) or under an
/// effect (A/B: power).
///
/// Each simulated experiment draws the score path directly (no unit-level data): with information
/// fractions t₁ < … < t_K = 1 and drift θ (E[Z] at t = 1),
/// ```
/// S_k = S_{k−1} + θ·Δ_k + √Δ_k·ε_k,   ε_k ~ N(0, 1) (GSL Mersenne Twister, ziggurat)
/// Z_k = S_k/√t_k,   θ̂_k = S_k/t_k with variance v_k = 1/t_k (final standard error = 1)
/// ```
/// which is exactly the joint law of the look-by-look z statistics of a two-sample test with normal
/// (or large-sample) data. All methods see the same paths, so their differences are paired. At each
/// look, in order, an experiment is stopped and counted as a rejection by
/// - naive: z ≥ z_{1−α} (one-sided) or |z| ≥ z_{1−α/2}, the fixed-design test repeated at every look;
/// - group-sequential: z ≥ c_k or |z| ≥ c_k, the design's boundaries;
/// - always-valid: the mixture SPRT with τ (in final-standard-error units) has p ≤ α (for one-sided,
///   also θ̂ > 0: conservative, it keeps a two-sided α).
/// Every experiment draws all K increments, even after every method has stopped, so a seed fixes the
/// paths whatever the design: runs that differ only in spending or τ compare on identical data.
/// Rates come with a Clopper–Pearson 95% interval. Same seed, same numbers.
public struct PeekingSimulation: Sendable, Hashable {
  public var design: GroupSequentialDesign
  /// θ: E[Z] at the final look; 0 for A/A.
  public var drift: Double
  /// τ of the always-valid mixture, in units of the final look's standard error.
  public var mixingStandardDeviation: Double
  public var experiments: Int
  public var seed: UInt64

  /// Validates: finite drift, τ > 0, 1 ≤ experiments ≤ 10⁸.
  public init(
    design: GroupSequentialDesign, drift: Double = 0, mixingStandardDeviation: Double? = nil,
    experiments: Int = 10_000, seed: UInt64 = 1
  ) throws(StatsError) {
    try StatsError.require(drift.isFinite, "drift", "must be finite, got \(drift)")
    try StatsError.require(
      experiments >= 1 && experiments <= 100_000_000, "experiments", "must be from 1 to 100000000, got \(experiments)"
    )
    // Default τ: the drift at which the fixed design has 80% power, i.e. the effect it is sized for.
    let tau: Double
    if let mixingStandardDeviation {
      tau = mixingStandardDeviation
    } else {
      tau = try design.fixedDesignDrift(power: 0.8)
    }
    try StatsError.require(tau > 0 && tau.isFinite, "tau", "must be finite and positive, got \(tau)")
    self.design = design
    self.drift = drift
    self.mixingStandardDeviation = tau
    self.experiments = experiments
    self.seed = seed
  }

  /// Runs the simulation.
  public func run() throws(StatsError) -> PeekingSimulationResult {
    let looks = design.looks
    let boundaries = try design.boundaries().map(\.z)
    let twoSided = design.alternative == .twoSided
    let naiveCritical = try Normal.inverseSurvival(design.alpha / Double(design.alternative.sides))
    let logThreshold = log(1 / design.alpha)
    let roots = design.fractions.map { $0.squareRoot() }
    var increments: [Double] = []
    var previous = 0.0
    for t in design.fractions {
      increments.append(t - previous)
      previous = t
    }
    let incrementRoots = increments.map { $0.squareRoot() }
    let random = try RandomStream(seed: seed)
    var rejections = [0, 0, 0]
    var stoppingFraction = [0.0, 0.0, 0.0]
    for _ in 0..<experiments {
      var score = 0.0
      // The look at which each method stopped (naive, group-sequential, always-valid); nil: not yet.
      var naiveStop: Int?
      var sequentialStop: Int?
      var alwaysValidStop: Int?
      for k in 0..<looks {
        score += drift * increments[k] + incrementRoots[k] * random.standardNormal()
        let t = design.fractions[k]
        let z = score / roots[k]
        let magnitude = twoSided ? abs(z) : z
        if naiveStop == nil && magnitude >= naiveCritical { naiveStop = k }
        if sequentialStop == nil && magnitude >= boundaries[k] { sequentialStop = k }
        if alwaysValidStop == nil {
          // θ̂ = S/t with variance v = 1/t (final standard error 1).
          let estimate = score / t
          let logRatio = NormalMixtureSPRT.logLikelihoodRatio(
            estimate: estimate, variance: 1 / t, mixingStandardDeviation: mixingStandardDeviation)
          if logRatio >= logThreshold && (twoSided || estimate > 0) { alwaysValidStop = k }
        }
      }
      for (method, stop) in [naiveStop, sequentialStop, alwaysValidStop].enumerated() {
        if let stop {
          rejections[method] += 1
          stoppingFraction[method] += design.fractions[stop]
        } else {
          stoppingFraction[method] += 1
        }
      }
    }
    var methods: [PeekingSimulationResult.Method] = []
    for (index, name) in ["naive", "group_sequential", "always_valid"].enumerated() {
      methods.append(
        PeekingSimulationResult.Method(
          name: name, rejections: rejections[index], rate: Double(rejections[index]) / Double(experiments),
          interval: try ClopperPearson.interval(successes: rejections[index], trials: experiments),
          averageStoppingFraction: stoppingFraction[index] / Double(experiments)))
    }
    return PeekingSimulationResult(simulation: self, methods: methods)
  }
}

/// What `PeekingSimulation` measured.
public struct PeekingSimulationResult: Sendable, Hashable {
  /// One way of looking at the results.
  public struct Method: Sendable, Hashable {
    /// `naive`, `group_sequential` or `always_valid`.
    public var name: String
    /// Experiments that rejected H₀ at some look.
    public var rejections: Int
    /// rejections / experiments: the real false-positive rate (A/A) or the power (A/B).
    public var rate: Double
    /// Clopper–Pearson 95% interval for the rate.
    public var interval: ConfidenceInterval
    /// Mean information fraction at which experiments stopped (1 when they ran to the end).
    public var averageStoppingFraction: Double
  }

  public var simulation: PeekingSimulation
  public var methods: [Method]
}
