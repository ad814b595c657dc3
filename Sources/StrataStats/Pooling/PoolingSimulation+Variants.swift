import Foundation

extension PoolingSimulation {
  /// One campaign of `variants` treatments sharing one control over the segments, and the variant `analyze`
  /// names: its segments' true and observed effects, and its index (0: the first, the leader with `lead`).
  ///
  /// ```
  /// θᵥₖ ~ N(μᵥ, τ²),   μ₀ = mean + lead / √Σ(1/vₖ),   μᵥ = mean otherwise
  /// yᵥₖ = θᵥₖ + (sₖ/√2)·εᵥₖ − (sₖ/√2)·ηₖ,   ε, η ~ N(0, 1)
  /// ```
  /// Half of each difference's variance vₖ = sₖ² comes from the treatment arm and half from the control
  /// arm, whose noise ηₖ every treatment shares (so the V estimates of a segment are correlated, ρ = ½).
  /// The variant is chosen as `analyze` chooses it (`BestChoice.variant`): each variant's effect is its
  /// fixed-effect inverse-variance estimate across the segments (`InverseVariancePooling`, what `analyze`
  /// pools a continuous metric's segments with), credible when its two-sided p-value, Holm-adjusted over
  /// the V, is below α = 1 − `confidenceLevel` (`BestChoice.holmCredible`, the fixed-horizon rule).
  func drawVariants(
    _ random: RandomStream, tau: Double, standardErrors: [Double], variances: [Double]
  ) throws(StatsError) -> (truths: [Double], observed: [Double], variant: Int) {
    let pooledStandardError = 1 / variances.reduce(0) { $0 + 1 / $1 }.squareRoot()
    var truths = [[Double]](repeating: [], count: variants)
    for v in 0..<variants {
      let centre = mean + (v == 0 ? lead * pooledStandardError : 0)
      truths[v] = (0..<segments).map { _ in centre + tau * random.standardNormal() }
    }
    let halves = standardErrors.map { $0 / 2.squareRoot() }
    let control = halves.map { $0 * random.standardNormal() }
    var observed = [[Double]](repeating: [], count: variants)
    var effects: [PooledResult] = []
    for v in 0..<variants {
      observed[v] = (0..<segments).map { k in truths[v][k] + halves[k] * random.standardNormal() - control[k] }
      effects.append(try InverseVariancePooling(estimates: observed[v], variances: variances).result())
    }
    let credible = BestChoice.holmCredible(effects.map { $0.test.pValue }, alpha: 1 - confidenceLevel).credible
    guard
      let chosen = BestChoice.variant(
        estimates: effects.map(\.estimate), credible: credible, higherIsBetter: true)
    else { preconditionFailure("two variants or more are validated") }
    return (truths[chosen], observed[chosen], chosen)
  }

  /// The named segment's raw adjusted and quoted intervals adjusted for its K segments only (1 − α/K), as
  /// `analyze` would build them with one treatment: the same model refitted with `variantsCompared` 1 when
  /// it has calibrated intervals (their selection-adjusted level is set inside the fit), else the raw
  /// intervals of `fit` adjusted for K alone.
  func segmentsOnlyIntervals(
    _ model: RandomEffectsModel, _ fit: RandomEffectsResult, _ chosen: Int
  ) throws(StatsError) -> (rawAdjusted: ConfidenceInterval, quoted: ConfidenceInterval) {
    var model = model
    model.variantsCompared = 1
    var segmentsOnly = fit
    if fit.calibratedMethod != nil {
      segmentsOnly = try model.result()
    } else {
      segmentsOnly.variantsCompared = 1
    }
    let estimate = segmentsOnly.shrunken[chosen]
    let rawAdjusted = try segmentsOnly.rawIntervalAdjustedForSelection(of: estimate)
    let calibrated = try segmentsOnly.calibratedIntervalAdjustedForSelection(of: estimate, at: chosen)
    return (rawAdjusted, calibrated ?? rawAdjusted)
  }
}
