extension SampleSizePlan {
  /// The smallest effect an estimate already in hand detects: its standard error times the normal
  /// quantiles of the level and the power.
  ///
  /// ```
  /// δ = (z_{1−α/sides} + z_{power}) · SE
  /// ```
  /// with α the level of the one comparison (already split over comparisons). It is the fixed-design
  /// relation n = 2(z_α + z_β)²σ²/δ² solved for δ, with SE = σ√(2/n) read off the data instead of planned;
  /// positive whatever the alternative's direction.
  public static func minimumDetectableEffect(
    standardError: Double, alpha: Double, alternative: Alternative, power: Double
  ) throws(StatsError) -> Double {
    try StatsError.require(
      standardError.isFinite && standardError >= 0, "standard error",
      "must be finite and non-negative, got \(standardError)")
    try StatsError.require(alpha > 0 && alpha < 1, "alpha", "must be strictly between 0 and 1, got \(alpha)")
    try StatsError.require(power > 0 && power < 1, "power", "must be strictly between 0 and 1, got \(power)")
    let zAlpha = try Normal.inverseSurvival(alpha / Double(alternative.sides))
    let zPower = try Normal.inverseSurvival(1 - power)
    return (zAlpha + zPower) * standardError
  }
}
