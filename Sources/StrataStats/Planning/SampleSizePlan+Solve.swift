import Foundation

extension SampleSizePlan {
  /// The sample size per variant that detects `effect` with probability `power`.
  public func sampleSize(effect: EffectSize, power: Double) throws(StatsError) -> SampleSize {
    let difference = try absoluteEffect(effect)
    let unrounded = try unroundedPerVariant(difference: difference, power: power)
    let perVariant = unrounded.rounded(.up)
    try StatsError.require(
      perVariant * Double(variants) < 1e15, "mde", "is too small: it needs \(perVariant) units per variant")
    return SampleSize(
      perVariantUnrounded: unrounded, perVariant: Int(perVariant), variants: variants,
      total: Int(perVariant) * variants, effect: difference, alphaPerComparison: alphaPerComparison)
  }

  /// The exact (unrounded) fixed-design sample size per variant.
  ///
  /// The root n of power(n) = `power`; sequential designs size their maximum as ⌈this × inflation⌉.
  public func unroundedSampleSize(effect: EffectSize, power: Double) throws(StatsError) -> Double {
    try unroundedPerVariant(difference: try absoluteEffect(effect), power: power)
  }

  /// The power of the design with `perVariant` units in every variant to detect `effect`.
  public func power(effect: EffectSize, perVariant: Double) throws(StatsError) -> Double {
    let difference = try absoluteEffect(effect)
    try validatePerVariant(perVariant)
    return try power(difference: difference, perVariant: perVariant)
  }

  /// The smallest absolute effect (treatment − control) detectable with `perVariant` units per variant.
  ///
  /// Detected with probability `power`; positive for `.twoSided` and `.greater` (as R's
  /// `power.prop.test(p1 =, n =, power =)` searches p₂ above p₁), negative for `.less`. Throws
  /// `invalidInput` when no treatment rate strictly between 0 and 1 is large enough.
  public func minimumDetectableEffect(perVariant: Double, power: Double) throws(StatsError) -> Double {
    try validatePower(power)
    try validatePerVariant(perVariant)
    let direction: Double = alternative == .less ? -1 : 1
    switch metric {
    case .proportion(let baseline):
      // Search the treatment rate between the baseline and 0 or 1; the power rises with the distance.
      let limit = alternative == .less ? baseline : 1 - baseline
      let farthest = limit * (1 - 1e-12)
      let reachable = try self.power(difference: direction * farthest, perVariant: perVariant)
      try StatsError.require(
        reachable >= power, "n",
        "\(perVariant) units per variant cannot reach power \(power) at any treatment rate strictly between 0 and 1 (at most \(reachable))"
      )
      let distance = try RootFinder.brent(in: 0, farthest, absoluteTolerance: 1e-15) { (x: Double) throws(StatsError) in
        x == 0
          ? alphaPerComparison / Double(alternative.sides) - power
          : try self.power(difference: direction * x, perVariant: perVariant) - power
      }
      return direction * distance
    case .mean(let standardDeviation, _):
      let f = { (x: Double) throws(StatsError) -> Double in
        x == 0
          ? alphaPerComparison / Double(alternative.sides) - power
          : try self.power(difference: direction * x, perVariant: perVariant) - power
      }
      guard
        let distance = try RootFinder.brentExpandingUp(
          from: 0, standardDeviation, limit: standardDeviation * 1e12, absoluteTolerance: standardDeviation * 1e-15, f)
      else {
        throw .numerical(
          routine: "SampleSizePlan.minimumDetectableEffect", status: 0, message: "no effect reaches the power")
      }
      return direction * distance
    }
  }

  // MARK: - The power equations

  /// Power at an absolute difference (already validated) and a per-variant size.
  func power(difference: Double, perVariant n: Double) throws(StatsError) -> Double {
    let sides = Double(alternative.sides)
    switch metric {
    case .proportion(let baseline):
      let (p1, p2) = (baseline, baseline + difference)
      let z = try Normal.inverseSurvival(alphaPerComparison / sides)
      let pooled = ((p1 + p2) * (1 - (p1 + p2) / 2)).squareRoot()
      let spread = (p1 * (1 - p1) + p2 * (1 - p2)).squareRoot()
      // Both variance terms scaled by 1 − r is the same as n/(1 − r) units (exactly n when r = 0).
      let effective = varianceReduction == 0 ? n : n / (1 - varianceReduction)
      return try Normal.cdf((effective.squareRoot() * abs(difference) - z * pooled) / spread)
    case .mean(let unadjusted, _):
      let standardDeviation = varianceReduction == 0 ? unadjusted : unadjusted * (1 - varianceReduction).squareRoot()
      // R: nu <- pmax(1e-07, n - 1) * 2.
      let degreesOfFreedom = 2 * max(1e-7, n - 1)
      let critical = try StudentT(degreesOfFreedom: degreesOfFreedom).inverseSurvival(alphaPerComparison / sides)
      let noncentrality = (n / 2).squareRoot() * abs(difference) / standardDeviation
      // 40 standard errors past the critical value the miss probability is below Φ(−40) ≈ 4e-350: the
      // power is 1 in double precision (and δ may be too large for the distribution's algorithms).
      if noncentrality - critical > 40 { return 1 }
      return try NoncentralT(degreesOfFreedom: degreesOfFreedom, noncentrality: noncentrality).survival(critical)
    }
  }

  /// Root n of power(n) = `power` for an absolute difference (already validated).
  func unroundedPerVariant(difference: Double, power: Double) throws(StatsError) -> Double {
    try validatePower(power)
    let sides = Double(alternative.sides)
    switch metric {
    case .proportion(let baseline):
      let (p1, p2) = (baseline, baseline + difference)
      let z = try Normal.inverseSurvival(alphaPerComparison / sides)
      let zPower = try Normal.quantile(power)
      let pooled = ((p1 + p2) * (1 - (p1 + p2) / 2)).squareRoot()
      let spread = (p1 * (1 - p1) + p2 * (1 - p2)).squareRoot()
      let root = (z * pooled + zPower * spread) / abs(difference)
      return root * root * (1 - varianceReduction)
    case .mean(let standardDeviation, _):
      let f = { (n: Double) throws(StatsError) -> Double in
        try self.power(difference: difference, perVariant: n) - power
      }
      // R searches [2, 1e7] and extends upward; a huge effect can need fewer than 2 units, where R's
      // ν = 2·max(1e-7, n − 1) keeps the equation defined down to n = 1.
      if try f(2) >= 0 {
        // Walk down towards n = 1 (ν → 0) until the power drops below the target. Below n ≈ 1.01 the
        // t quantile is astronomically large (GSL returns NaN), so the walk stops there.
        var high = 2.0
        for low in [1.5, 1.2, 1.1, 1.05, 1.02, 1.01] {
          guard let value = try? f(low) else { break }
          if value < 0 { return try RootFinder.brent(in: low, high, absoluteTolerance: 1e-12, f) }
          high = low
        }
        throw .invalidInput(
          field: "mde",
          message:
            "of \(difference) is so large against the standard deviation \(standardDeviation) that 2 units per variant already exceed power \(power)"
        )
      }
      guard let n = try RootFinder.brentExpandingUp(from: 2, 1e4, limit: 1e16, absoluteTolerance: 1e-10, f) else {
        throw .invalidInput(field: "mde", message: "is too small: more than 1e16 units per variant would be needed")
      }
      return n
    }
  }
}
