import Foundation
import StrataDesign

/// Power, drift and sample-size inflation of a group-sequential design (efficacy boundaries only).
///
/// The drift θ is E[Z] at the final look (t = 1): for a two-sample comparison with n per arm,
/// θ = δ/σ·√(n/2). Under drift θ the score S_k = Z_k·√t_k has mean θ·t_k, and the design rejects H₀ at
/// the first look where Z_k ≥ c_k. A two-sided design also stops when Z_k ≤ −c_k, but power counts
/// only rejections in the direction of the effect (Z_k ≥ c_k), as rpact does.
///
/// The inflation factor is the ratio of the maximum information the sequential design needs to reach
/// power 1 − β to what the fixed design needs:
/// ```
/// IF = (θ_GS / θ_fixed)²,   θ_fixed = z_{1−α/sides} + z_{1−β},   power_GS(θ_GS) = 1 − β
/// ```
/// so a planned design needs n_max = IF·n_fixed per arm. θ_GS is solved by Brent's method on the power,
/// each power by the same recursive integration as the boundaries. Matches rpact 3.3.4
/// `getDesignCharacteristics(getDesignGroupSequential(..., beta, typeBetaSpending = "none"))`:
/// `inflationFactor` and `shift` = θ_GS² (fixture `sequential_inflation.json`).
/// See Jennison & Turnbull (2000), section 7.2.
extension GroupSequentialDesign {
  /// P(first rejection at look k with Z_k ≥ c_k) under drift θ, for every look; their sum is the power.
  public func rejectionProbabilities(drift: Double, boundaries: [SequentialBoundary]) throws(StatsError) -> [Double] {
    precondition(boundaries.count == looks)
    try StatsError.require(drift.isFinite, "drift", "must be finite, got \(drift)")
    let twoSided = alternative == .twoSided
    var state = ScoreDensity.start
    var previousFraction = 0.0
    var result: [Double] = []
    for (index, t) in fractions.enumerated() {
      let increment = t - previousFraction
      let upper = boundaries[index].z * t.squareRoot()
      result.append(
        exp(try state.logExitProbability(upper: upper, countingLower: false, increment: increment, drift: drift)))
      if index + 1 < looks {
        state = state.propagated(
          upper: upper, twoSided: twoSided, increment: increment, fraction: t, drift: drift,
          gridParameter: gridParameter(afterLook: index))
      }
      previousFraction = t
    }
    return result
  }

  /// P(reject H₀ at some look) under drift θ.
  public func power(drift: Double, boundaries: [SequentialBoundary]) throws(StatsError) -> Double {
    try rejectionProbabilities(drift: drift, boundaries: boundaries).reduce(0, +)
  }

  /// E[t at stop] under drift θ: the expected share of the maximum sample used, stopping at the first
  /// look where the design rejects (either side when two-sided) and at t = 1 otherwise.
  public func expectedStoppingFraction(drift: Double, boundaries: [SequentialBoundary]) throws(StatsError) -> Double {
    precondition(boundaries.count == looks)
    let twoSided = alternative == .twoSided
    var state = ScoreDensity.start
    var previousFraction = 0.0
    var expected = 0.0
    var stopped = 0.0
    for (index, t) in fractions.enumerated() where index + 1 < looks {
      let increment = t - previousFraction
      let upper = boundaries[index].z * t.squareRoot()
      let exit = exp(
        try state.logExitProbability(upper: upper, countingLower: twoSided, increment: increment, drift: drift))
      expected += exit * t
      stopped += exit
      state = state.propagated(
        upper: upper, twoSided: twoSided, increment: increment, fraction: t, drift: drift,
        gridParameter: gridParameter(afterLook: index))
      previousFraction = t
    }
    return expected + (1 - stopped)
  }

  /// The drift θ_fixed = z_{1−α/sides} + z_{power} at which the fixed (one-look) design has this power.
  public func fixedDesignDrift(power: Double) throws(StatsError) -> Double {
    try StatsError.require(power > 0 && power < 1, "power", "must be strictly between 0 and 1, got \(power)")
    return try Normal.inverseSurvival(alpha / Double(alternative.sides)) + Normal.quantile(power)
  }

  /// The drift θ_GS at which this design has the given power (the positive side).
  public func drift(forPower power: Double, boundaries: [SequentialBoundary]) throws(StatsError) -> Double {
    let fixed = try fixedDesignDrift(power: power)
    try StatsError.require(
      power > alpha, "power", "must exceed alpha (\(alpha)) for a sequential design, got \(power)")
    func shortfall(_ drift: Double) throws(StatsError) -> Double {
      try self.power(drift: drift, boundaries: boundaries) - power
    }
    // Spending designs never need less information than the fixed design (IF ≥ 1, up to the grid
    // error), so θ_GS ≥ θ_fixed; start just below it and widen the top until the power is reached.
    var lower = fixed * 0.98
    var upper = fixed * 1.3 + 0.5
    while try shortfall(upper) < 0 {
      upper *= 1.5
      guard upper < 100 else {
        throw .numerical(
          routine: "GroupSequentialDesign.drift", status: 0, message: "power \(power) not reached by drift 100")
      }
    }
    while try shortfall(lower) > 0 {
      lower *= 0.8
      guard lower > 1e-6 else {
        throw .numerical(
          routine: "GroupSequentialDesign.drift", status: 0, message: "power \(power) reached at drift 0")
      }
    }
    return try GSL.findRoot(lower: lower, upper: upper, absoluteTolerance: 1e-10, relativeTolerance: 1e-12) {
      (drift: Double) throws(StatsError) -> Double in try shortfall(drift)
    }
  }

  /// The maximum-sample-size inflation factor (θ_GS / θ_fixed)² for power 1 − β (solved once per design,
  /// power and process: `DesignMemo`).
  public func inflationFactor(power: Double) throws(StatsError) -> Double {
    let key = DesignMemo.InflationKey(design: self, power: power)
    if let known = DesignMemo.shared.inflationFactor(key) { return known }
    let boundaries = try boundaries()
    let sequential = try drift(forPower: power, boundaries: boundaries)
    let fixed = try fixedDesignDrift(power: power)
    let factor = (sequential / fixed) * (sequential / fixed)
    DesignMemo.shared.store(factor, key)
    return factor
  }
}
