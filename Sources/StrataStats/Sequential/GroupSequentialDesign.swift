import Foundation
import StrataDesign

/// A group-sequential design with Lan–DeMets alpha spending: K looks at information fractions
/// t₁ < … < t_K = 1, efficacy boundaries only (no futility), one- or two-sided.
///
/// The boundary c_k on the z scale is the value that spends exactly α(t_k) − α(t_{k−1}) at look k
/// under H₀ (drift 0), given that no earlier look crossed:
/// ```
/// one-sided  P₀(Z₁ < c₁, …, Z_{k−1} < c_{k−1}, Z_k ≥ c_k) = α(t_k) − α(t_{k−1})
/// two-sided  P₀(|Z₁| < c₁, …, |Z_{k−1}| < c_{k−1}, |Z_k| ≥ c_k) = α(t_k) − α(t_{k−1})
/// ```
/// (two-sided designs are symmetric: reject when |Z_k| ≥ c_k). The probabilities are computed by
/// recursive numerical integration (`ScoreDensity`) and each c_k is solved by Brent's method on the
/// logarithm of the exit probability, so c_k stays finite (and exact) even where the increment is
/// 1e-300: rpact 3.3.4 prints such boundaries as Inf (it caps z at 7.5 and stageLevels at 1e-16).
/// One-sided means "treatment is greater than control": Z is treatment − control.
///
/// Matches R rpact 3.3.4 `getDesignGroupSequential(kMax, alpha, sided, informationRates,
/// typeOfDesign = "asOF" | "asP" | "asHSD", gammaA)`: `criticalValues` to ~1e-8 relative,
/// `alphaSpent` to ~1e-9 (fixture `sequential_boundaries.json`).
/// See Jennison & Turnbull (2000), sections 7.2 and 19.2.
public struct GroupSequentialDesign: Sendable, Hashable {
  /// Cumulative information fractions t₁ < … < t_K = 1.
  public let fractions: [Double]
  /// Total type I error (both sides together when two-sided).
  public let alpha: Double
  /// `.greater` (reject for large z only: treatment greater than control) or `.twoSided` (reject for
  /// large |z|).
  public let alternative: Alternative
  public let spending: SpendingFunction
  /// r in Jennison & Turnbull's grid (about 12r points per look); tests raise it to measure the error.
  var gridParameter = ScoreDensity.defaultGridParameter

  /// The smallest supported information increment between looks.
  ///
  /// Closer looks need a grid finer than
  /// the next increment's kernel (see `gridParameter(afterLook:)`), which grows as 1/√Δ.
  public static let minimumIncrement = 1e-5

  /// The grid parameter r for look `index` (0-based), refined before a narrow next step.
  ///
  /// The default, raised so that the grid spacing
  /// (0.75·√t/r in the core) stays below 1/8 of the next increment's standard deviation √Δ, i.e.
  /// r ≥ 6·√(t/Δ) for r = 32, proportionally more for finer grids. Without this a narrow next step (fractions 0.5,
  /// 0.501, 1) would be integrated on
  /// a grid coarser than its kernel and Simpson's rule would fail (rpact 3.3.4 does: its final boundary for
  /// those fractions is 1.517 instead of 1.969). Capped at 2000 for r = 32 (Δ ≥ 1e-5).
  func gridParameter(afterLook index: Int) -> Int {
    guard index + 1 < fractions.count else { return gridParameter }
    let next = fractions[index + 1] - fractions[index]
    // Scaled with gridParameter so that a finer grid (tests) refines this part as well.
    let scale = Double(gridParameter) / Double(ScoreDensity.referenceGridParameter)
    let needed = 6 * scale * (fractions[index] / next).squareRoot()
    return max(gridParameter, min(Int(2000 * scale), Int(needed.rounded(.up))))
  }

  /// The number of planned looks K.
  public var looks: Int { fractions.count }

  /// A design with `looks` looks; validates its inputs.
  ///
  /// Validates: 1 ≤ looks ≤ 100; fractions (equally spaced k/K when nil) strictly increasing in (0, 1]
  /// and ending at 1; 0 < alpha ≤ 0.5; alternative two-sided or greater. Fields are named after the
  /// values (`looks`, `fractions`, `alpha`, `alternative`, `spending`); a caller names its own source.
  public init(
    looks: Int, fractions: [Double]? = nil, alpha: Double = 0.05, alternative: Alternative = .twoSided,
    spending: SpendingFunction
  ) throws(StatsError) {
    try StatsError.require(looks >= 1 && looks <= 100, "looks", "must be a whole number from 1 to 100, got \(looks)")
    try StatsError.require(alpha > 0 && alpha <= 0.5, "alpha", "must be in (0, 0.5], got \(alpha)")
    try StatsError.require(
      alternative != .less, "alternative",
      "must be two-sided or greater (treatment greater than control), got \(alternative.rawValue)")
    if case .hwangShihDeCani(let gamma) = spending {
      try StatsError.require(
        gamma.isFinite && abs(gamma) <= 100, "spending", "hsd gamma must be between -100 and 100, got \(gamma)")
    }
    let resolved = fractions ?? (1...looks).map { Double($0) / Double(looks) }
    try StatsError.require(
      resolved.count == looks, "fractions", "must list \(looks) fractions (one per look), got \(resolved.count)")
    for (index, t) in resolved.enumerated() {
      try StatsError.require(
        t > 0 && t <= 1 && t.isFinite, "fractions", "must be in (0, 1], got \(t) at look \(index + 1)")
      if index > 0 {
        try StatsError.require(
          t > resolved[index - 1], "fractions",
          "must be strictly increasing, got \(resolved[index - 1]) then \(t) at look \(index + 1)")
        try StatsError.require(
          t - resolved[index - 1] >= Self.minimumIncrement, "fractions",
          "must differ by at least \(Self.minimumIncrement) between looks, got \(resolved[index - 1]) then \(t) at look \(index + 1)"
        )
      }
    }
    try StatsError.require(
      resolved.last == 1, "fractions", "must end in 1 (the final analysis), got \(resolved.last ?? .nan)")
    self.fractions = resolved
    self.alpha = alpha
    self.alternative = alternative
    self.spending = spending
  }

  /// ln α(t_k) for every look (α(t_K) = α).
  public func logCumulativeAlphas() throws(StatsError) -> [Double] {
    var result: [Double] = []
    for t in fractions { result.append(try spending.logCumulativeAlpha(at: t, alpha: alpha, alternative: alternative)) }
    return result
  }

  /// The efficacy boundaries, look by look (integrated once per design and process: `DesignMemo`).
  public func boundaries() throws(StatsError) -> [SequentialBoundary] {
    if let known = DesignMemo.shared.boundaries(of: self) { return known }
    let computed = try integratedBoundaries()
    DesignMemo.shared.store(computed, of: self)
    return computed
  }

  /// The efficacy boundaries by the recursive integration, without the memo.
  func integratedBoundaries() throws(StatsError) -> [SequentialBoundary] {
    let logSpent = try logCumulativeAlphas()
    var state = ScoreDensity.start
    var previousFraction = 0.0
    var previousLogSpent = -Double.infinity
    var result: [SequentialBoundary] = []
    let twoSided = alternative == .twoSided
    for (index, t) in fractions.enumerated() {
      let increment = t - previousFraction
      // ln(α_k − α_{k−1}) = ln α_k + ln(1 − e^{ln α_{k−1} − ln α_k}), without forming the difference.
      let logTarget = logSpent[index] + log(-expm1(previousLogSpent - logSpent[index]))
      let z = try Self.solveBoundary(
        from: state, fraction: t, increment: increment, twoSided: twoSided, logTarget: logTarget)
      let logNominal = try Normal.logSurvival(z) + (twoSided ? log(2.0) : 0)
      result.append(
        SequentialBoundary(
          look: index + 1, fraction: t, z: z, logNominalPValue: logNominal, logAlphaSpent: logSpent[index],
          alphaSpent: t == 1 ? alpha : exp(logSpent[index])))
      if index + 1 < fractions.count {
        state = state.propagated(
          upper: z * t.squareRoot(), twoSided: twoSided, increment: increment, fraction: t, drift: 0,
          gridParameter: gridParameter(afterLook: index))
      }
      previousFraction = t
      previousLogSpent = logSpent[index]
    }
    return result
  }

  /// Solves ln P₀(first exit at this look beyond c·√t) = logTarget for c (z scale).
  static func solveBoundary(
    from state: ScoreDensity, fraction t: Double, increment: Double, twoSided: Bool, logTarget: Double
  ) throws(StatsError) -> Double {
    let root = t.squareRoot()
    func excess(_ c: Double) throws(StatsError) -> Double {
      try state.logExitProbability(upper: c * root, countingLower: twoSided, increment: increment, drift: 0) - logTarget
    }
    // The excess falls as c grows. Bracket: widen each side until the sign is right; z beyond ±200 is
    // not reachable for α ≥ 1e-300 per look (ln Q(200) ≈ −20000).
    var lower = twoSided ? 0.0 : -2.0
    var upper = 10.0
    while try excess(upper) > 0 {
      upper += 10
      guard upper <= 200 else {
        throw .numerical(routine: "GroupSequentialDesign.boundaries", status: 0, message: "boundary beyond z = 200")
      }
    }
    while try excess(lower) < 0 {
      guard !twoSided, lower > -40 else {
        throw .numerical(
          routine: "GroupSequentialDesign.boundaries", status: 0, message: "cannot bracket the boundary from below")
      }
      lower -= 5
    }
    return try GSL.findRoot(lower: lower, upper: upper, absoluteTolerance: 1e-11, relativeTolerance: 1e-13) {
      (c: Double) throws(StatsError) -> Double in try excess(c)
    }
  }
}

/// One look of a group-sequential design: its efficacy boundary on the z scale and what it spends.
public struct SequentialBoundary: Sendable, Hashable, Codable {
  /// 1-based look number.
  public var look: Int
  /// Cumulative information fraction t_k.
  public var fraction: Double
  /// The efficacy boundary c_k.
  ///
  /// Stop when z ≥ c_k (one-sided) or |z| ≥ c_k (two-sided). Always finite.
  public var z: Double
  /// ln of the nominal p-value that crosses the boundary at this look (ln Q(c_k), plus ln 2 two-sided).
  public var logNominalPValue: Double
  /// ln α(t_k), the cumulative alpha spent by this look.
  public var logAlphaSpent: Double

  /// The naive p-value at which this look's boundary is crossed.
  ///
  /// Q(c_k) one-sided, 2·Q(c_k) two-sided.
  /// 0 only when it underflows a double (below ~1e-308); `logNominalPValue` keeps it.
  public var nominalPValue: Double { exp(logNominalPValue) }
  /// Cumulative alpha spent by this look, α(t_k), exactly α at the last look; see `logAlphaSpent` for
  /// values below 1e-308.
  public var alphaSpent: Double
}
