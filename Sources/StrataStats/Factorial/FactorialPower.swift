import StrataDesign

/// Power and sample size for the F test of one term (a main effect or an interaction) of a balanced
/// factorial design analysed with `FactorialRegression`.
///
/// With n units in each of the design's m runs (N = n·m), a term with effects of Cohen's size
/// f = σ_effect/σ (σ_effect² the mean of the squared effects over the term's cells, e.g. Σⱼαⱼ²/a for a main
/// effect with level effects αⱼ) has the noncentral F test
/// ```
/// λ = N·f²,   ν₁ = term's degrees of freedom,   ν₂ = N − p,   power = P(F′(ν₁, ν₂, λ) > F_{1−α}(ν₁, ν₂))
/// ```
/// where p is the model's parameter count (Cohen 1988, §8–9). λ = N·f² is exact for balanced designs, where
/// every estimable term is orthogonal to the others. This is `pwr.f2.test(u = ν₁, v = ν₂, f2 = f²)` with
/// Cohen's λ = f²(u + v + 1) replaced by the design's own λ = N·f² (the two agree when p = ν₁ + 1); it
/// matches R's `pf(qf(α, ν₁, ν₂, lower = FALSE), ν₁, ν₂, ncp = N f², lower = FALSE)` (fixtures:
/// `Scripts/fixtures/factorial_power.R`). For a binary metric, σ² ≈ p(1 − p) at the baseline rate (the
/// linear probability model's variance; a normal approximation).
///
/// Helpers convert familiar effect statements to f: a two-level main effect with difference Δ between its
/// levels has αⱼ = ±Δ/2, so f = |Δ|/(2σ); a 2×2 interaction contrast δ = (μ₂₂ − μ₂₁) − (μ₁₂ − μ₁₁) has
/// cell effects ±δ/4, so f = |δ|/(4σ), which is why an interaction as large as a main effect needs about
/// four times the units. Multi-level factors use the least-favourable pattern (see the helpers).
///
/// > J. Cohen. *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed. Erlbaum, 1988.
public struct FactorialPower: Sendable, Hashable {
  public let design: FactorialDesign
  public let term: EffectWord
  /// Cohen's f for the term.
  public let effectSize: Double
  public let alpha: Double
  public let model: FactorialModel

  /// Validates that `term` is estimable in the design's model (up to `maximumInteractionOrder`, default as in
  /// `FactorialRegression`), that f > 0 and 0 < α < 1.
  public init(
    design: FactorialDesign, term: EffectWord, effectSize: Double, alpha: Double = 0.05,
    maximumInteractionOrder: Int? = nil
  ) throws(StatsError) {
    let factorCount = design.factors.count
    let order = maximumInteractionOrder ?? (design.isFractional ? min(2, factorCount) : factorCount)
    try StatsError.require(
      order >= 1 && order <= factorCount, "interaction order", "must be between 1 and \(factorCount), got \(order)")
    try StatsError.require(
      effectSize > 0 && effectSize.isFinite, "effect size", "must be positive and finite, got \(effectSize)")
    try StatsError.require(alpha > 0 && alpha < 1, "alpha", "must be strictly between 0 and 1, got \(alpha)")
    let estimable = design.estimableTerms(maximumOrder: order)
    let terms = estimable.terms.map(\.term)
    let model = FactorialModel(factors: design.factors, terms: terms)
    if !terms.contains(term) {
      let name = term.factors.allSatisfy { $0 < factorCount } ? model.name(of: term) : term.letters
      if let aliased = estimable.dropped.first(where: { $0.term == term }) {
        throw .invalidInput(
          field: "term",
          message:
            "\(name) is not estimable in this design: it is aliased with \(aliased.aliasOf == .identity ? "the mean" : model.name(of: aliased.aliasOf))"
        )
      }
      throw .invalidInput(
        field: "term", message: "\(name) is not a term of the model (interactions up to order \(order))")
    }
    self.design = design
    self.term = term
    self.effectSize = effectSize
    self.alpha = alpha
    self.model = model
  }

  /// ν₁: the term's degrees of freedom.
  public var numeratorDegreesOfFreedom: Int { model.columnCount(of: term) }

  /// The noncentral F behind the power at `unitsPerCell` units in each run.
  public func distribution(unitsPerCell: Int) throws(StatsError) -> NoncentralF {
    let total = Double(unitsPerCell * design.runs.count)
    let residual = total - Double(model.parameterCount)
    try StatsError.require(
      residual >= 1, "units per cell",
      "\(unitsPerCell) leaves no residual degrees of freedom for \(model.parameterCount) parameters")
    return try NoncentralF(
      numeratorDegreesOfFreedom: Double(numeratorDegreesOfFreedom), denominatorDegreesOfFreedom: residual,
      noncentrality: total * effectSize * effectSize)
  }

  /// Power with `unitsPerCell` units in each run of the design.
  public func power(unitsPerCell: Int) throws(StatsError) -> Double {
    let noncentral = try distribution(unitsPerCell: unitsPerCell)
    let critical = try GSL.fisherInverseSurvival(
      alpha, noncentral.numeratorDegreesOfFreedom, noncentral.denominatorDegreesOfFreedom)
    return try noncentral.survival(critical)
  }

  /// The smallest number of units per run with power ≥ `targetPower` (bisection on the monotone power curve).
  public func unitsPerCell(forPower targetPower: Double) throws(StatsError) -> Int {
    try StatsError.require(
      targetPower > alpha && targetPower < 1, "power", "must be between alpha (\(alpha)) and 1, got \(targetPower)")
    var low = 1
    while Double(low * design.runs.count) - Double(model.parameterCount) < 1 { low += 1 }
    if try power(unitsPerCell: low) >= targetPower { return low }
    var high = low * 2
    while try power(unitsPerCell: high) < targetPower {
      low = high
      high *= 2
      try StatsError.require(
        high <= 100_000_000, "effect size", "\(effectSize) is too small: more than 1e8 units per cell would be needed")
    }
    while high - low > 1 {  // power(low) < target ≤ power(high)
      let middle = (low + high) / 2
      if try power(unitsPerCell: middle) >= targetPower { high = middle } else { low = middle }
    }
    return high
  }

  /// Cohen's f of a main effect from the level means it should detect: √(mean of squared deviations)/σ.
  public static func effectSize(levelMeans: [Double], standardDeviation: Double) throws(StatsError) -> Double {
    try StatsError.require(levelMeans.count >= 2, "level means", "needs at least 2 values, got \(levelMeans.count)")
    try StatsError.require(
      standardDeviation > 0 && standardDeviation.isFinite, "standard deviation",
      "must be positive, got \(standardDeviation)")
    let mean = levelMeans.reduce(0, +) / Double(levelMeans.count)
    let variance = levelMeans.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(levelMeans.count)
    return variance.squareRoot() / standardDeviation
  }

  /// Cohen's f of a main effect whose levels include two that differ by `difference`, the others lying
  /// midway (Cohen's least-favourable "minimum variability" pattern, the smallest f with that difference):
  /// f = |Δ| / (σ √(2a)) for a levels; f = |Δ|/(2σ) for a two-level factor.
  public static func effectSize(
    difference: Double, levelCount: Int = 2, standardDeviation: Double
  ) throws(StatsError) -> Double {
    try StatsError.require(levelCount >= 2, "levels", "must be at least 2, got \(levelCount)")
    try StatsError.require(
      standardDeviation > 0 && standardDeviation.isFinite, "standard deviation",
      "must be positive, got \(standardDeviation)")
    return abs(difference) / (standardDeviation * (2 * Double(levelCount)).squareRoot())
  }

  /// Cohen's f of a two-factor interaction containing a 2×2 contrast δ = (μ₂₂ − μ₂₁) − (μ₁₂ − μ₁₁), with no
  /// other interaction (the smallest f with that contrast: the interaction effects are δ·c/4 for the contrast
  /// pattern c): f = |δ| / (2σ √(ab)); f = |δ|/(4σ) for a 2×2 interaction.
  public static func effectSize(
    interactionContrast contrast: Double, levelCounts: (Int, Int) = (2, 2), standardDeviation: Double
  ) throws(StatsError) -> Double {
    try StatsError.require(levelCounts.0 >= 2 && levelCounts.1 >= 2, "levels", "must be at least 2 per factor")
    try StatsError.require(
      standardDeviation > 0 && standardDeviation.isFinite, "standard deviation",
      "must be positive, got \(standardDeviation)")
    return abs(contrast) / (2 * standardDeviation * Double(levelCounts.0 * levelCounts.1).squareRoot())
  }
}
