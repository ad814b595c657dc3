import Foundation

extension RandomEffectsModel {
  /// How the calibrated segment intervals (`ShrunkenEstimate.calibratedInterval`) account for the
  /// uncertainty in τ.
  public enum CalibratedMethod: String, Sendable, Hashable, CaseIterable, Codable {
    /// Morris's (1983) corrected empirical-Bayes interval, in closed form (`morrisIntervals`): from four
    /// segments; with three, the hierarchical-Bayes interval.
    case morris
    /// Hierarchical Bayes: the posterior with a flat prior on μ and `tauPrior` on τ, integrated over τ
    /// (`calibratedIntervals`): from three segments.
    case hierarchicalBayes = "hierarchical_bayes"
  }

  /// Segments Morris's interval needs: K ≥ r + 3 with r = 1 (the common mean), for the factors K − 3 below.
  public static let morrisMinimumSegments = 4

  /// Morris's fit: Â, μ̂ and, per segment, the shrinkage B, the centre and the standard error s.
  struct MorrisFit {
    var tauSquared: Double
    var mean: Double
    var shrinkage: [Double]
    var centre: [Double]
    var standardError: [Double]
    var intervals: [ConfidenceInterval]
    /// What gives the same intervals at level 1 − α/K (`selectionLevel`) for one segment: θ̂ₖ ± z sₖ with z
    /// at 1 − α/(2K).
    var selection: RandomEffectsResult.SelectionAdjustment
    /// N(θ̂ₖ, sₖ²) summarised for a decision.
    var posteriors: [CalibratedPosterior]
  }

  /// Every segment's calibrated interval, the posterior behind them, and what gives one segment's interval
  /// at `selectionLevel` (`RandomEffectsResult.calibratedIntervalAdjustedForSelection(of:at:)`).
  struct CalibratedSegments {
    var method: CalibratedMethod
    var intervals: [ConfidenceInterval]
    var selection: RandomEffectsResult.SelectionAdjustment
    var posteriors: [CalibratedPosterior]
  }

  /// Morris's (1983) empirical-Bayes intervals, corrected for estimating μ and A = τ² (unequal variances,
  /// r = 1 regression parameter: one common mean).
  ///
  /// ```
  /// Â   = max(0, Σ Wₖ (K/(K−1) (yₖ − μ̂)² − vₖ) / Σ Wₖ),   Wₖ = 1/(vₖ + Â),   μ̂ = Σ Wₖ yₖ / Σ Wₖ
  /// Bₖ  = (K−3)/(K−1) · vₖ / (vₖ + Â)
  /// θ̂ₖ  = yₖ − Bₖ (yₖ − μ̂)
  /// sₖ² = vₖ (1 − (K−1)/K · Bₖ) + 2/(K−3) · Bₖ² (yₖ − μ̂)²
  /// interval θ̂ₖ ± z sₖ
  /// ```
  /// In general r: (K−r−2)/(K−r), (K−r)/K, 2/(K−r−2) and K/(K−r). With equal variances v this is
  /// B = (K−3) v / Σ (yₖ − ȳ)² (capped at (K−3)/(K−1) where Â = 0). The factor (K−3)/(K−1) makes B
  /// unbiased for v/(v + A) (James–Stein), the first term of sₖ² adds the variance of μ̂ (with the leverage of
  /// every segment taken as 1/K), the second the variance of B̂ₖ: the uncertainty in τ that the BLUP interval
  /// leaves out.
  ///
  /// Â is the fixed point of its equation. A positive one satisfies Σ Wₖ(Â + vₖ) = K/(K−1) Σ Wₖ (yₖ − μ̂)², and
  /// Wₖ(Â + vₖ) = 1, so it is the root of Q(Â) = Σ Wₖ (yₖ − μ̂)² = K − 1 (the Paule–Mandel equation), which
  /// falls strictly in Â; Â = 0 when Q(0) ≤ K − 1. Found by Brent's method (the REML bracket), not by
  /// iterating the fixed point, which can creep. Matches an independent mpmath computation at 50 digits
  /// (`Scripts/fixtures/random_effects_morris.py`: bisection, checked as a fixed point of Morris's map) to
  /// 1e-12 on 45 sets, K = 4 to 500. nil with fewer than `morrisMinimumSegments`.
  ///
  /// > C. N. Morris. "Parametric empirical Bayes inference: theory and applications." *JASA* 78 (1983).
  func morrisFit() throws(StatsError) -> MorrisFit? {
    let count = estimates.count
    guard count >= Self.morrisMinimumSegments else { return nil }
    let k = Double(count)
    let tauSquared = try rootAboveZero(
      from: variances.max() ?? 1, relativeTolerance: 1e-14, routine: "RandomEffectsModel.morrisIntervals",
      unbracketed: "could not bracket Morris's estimate of the between-segment variance"
    ) { generalizedQ($0) - (k - 1) }
    let weights = variances.map { 1 / ($0 + tauSquared) }
    let mean = zip(weights, estimates).reduce(0) { $0 + $1.0 * $1.1 } / weights.reduce(0, +)
    let critical = try Normal.inverseSurvival((1 - confidenceLevel) / 2)
    let selection = RandomEffectsResult.SelectionAdjustment(
      level: selectionLevel, critical: try Normal.inverseSurvival((1 - selectionLevel) / 2),
      fit: .morris(tauSquared: tauSquared, mean: mean))
    var fit = MorrisFit(
      tauSquared: tauSquared, mean: mean, shrinkage: [], centre: [], standardError: [], intervals: [],
      selection: selection, posteriors: [])
    for (y, v) in zip(estimates, variances) {
      let segment = Self.morrisSegment(estimate: y, variance: v, segments: k, tauSquared: tauSquared, mean: mean)
      let (centre, standardError) = (segment.centre, segment.standardError)
      fit.shrinkage.append(segment.shrinkage)
      fit.centre.append(centre)
      fit.standardError.append(standardError)
      fit.intervals.append(
        ConfidenceInterval(
          lower: centre - critical * standardError, upper: centre + critical * standardError,
          confidenceLevel: confidenceLevel))
      fit.posteriors.append(try .normal(mean: centre, standardDeviation: standardError))
    }
    return fit
  }

  /// One segment's Morris shrinkage Bₖ, centre θ̂ₖ and standard error sₖ (the formulas of `morrisFit`), given
  /// Â and μ̂: shared by the fit and by one segment's interval at `selectionLevel`
  /// (`RandomEffectsResult.calibratedIntervalAdjustedForSelection(of:at:)`), so that both are the same bits.
  static func morrisSegment(
    estimate y: Double, variance v: Double, segments k: Double, tauSquared: Double, mean: Double
  ) -> (shrinkage: Double, centre: Double, standardError: Double) {
    let shrinkage = (k - 3) / (k - 1) * v / (v + tauSquared)
    let residual = y - mean
    let centre = y - shrinkage * residual
    let variance = v * (1 - (k - 1) / k * shrinkage) + 2 / (k - 3) * shrinkage * shrinkage * residual * residual
    return (shrinkage, centre, variance.squareRoot())
  }

  /// The level of each calibrated interval quoted for a segment chosen among the K pooled: 1 − α/K, with
  /// α = 1 − `confidenceLevel` (Bonferroni over the segments compared).
  ///
  /// The calibrated intervals cover a segment's true effect at about their level on average over segments
  /// (within about a point either way; docs/analyze.md, Calibration), so by the union bound all K at
  /// 1 − α/K cover together at about ≥ 1 − α, and so does the one of a segment picked
  /// from them by any rule (the largest shrunken estimate included), where the intervals at the plan's
  /// level cover the segment picked as the best only 87–93% of the time once segments differ a little
  /// (docs/analyze.md, Calibration).
  ///
  /// When the pooled variant was itself chosen among V (`variantsCompared`), the segment is one choice among
  /// V × K variant–segment pairs, and the level is 1 − α/(V·K): adjusted for the K segments alone, the raw
  /// interval of the best variant's best segment covered 92.3% with 7 variants and 2 segments
  /// (Benchmarks/pooling_variant_selection_check.py).
  public var selectionLevel: Double { 1 - (1 - confidenceLevel) / Double(estimates.count * variantsCompared) }

  /// The calibrated segment intervals by `calibratedMethod`, with the method that gave them and what gives
  /// one segment's at `selectionLevel`: Morris's from four segments (hierarchical Bayes with three), or
  /// hierarchical Bayes from three segments to `calibratedIntervalSegmentLimit`; nil otherwise.
  func calibratedSegmentIntervals() throws(StatsError) -> CalibratedSegments? {
    if calibratedMethod == .morris, let fit = try morrisFit() {
      return CalibratedSegments(
        method: .morris, intervals: fit.intervals, selection: fit.selection, posteriors: fit.posteriors)
    }
    return try calibratedIntervals()
  }
}
