import StrataDesign

/// A linear model for a factorial experiment, fitted by least squares on effect-coded factors.
///
/// ```
/// y = β₀ + Σ_terms X_term β_term + ε,   β̂ = (XᵀX)⁻¹Xᵀy   (GSL gsl_multifit_wlinear_tsvd)
/// ```
/// Terms are the main effects and the interactions the design can estimate up to
/// `maximumInteractionOrder` (default: every interaction for a full factorial, i.e. the saturated
/// cell-means model; two-factor interactions for a fraction, keeping the first term of each alias chain,
/// see `FactorialDesign.estimableTerms`). Coding is sum-to-zero (`FactorialModel`), so β₀ is the unweighted
/// mean of the cell means and each main-effect coefficient is a level's deviation from it.
///
/// Reported: coefficient t tests; an ANOVA table of Wald F tests, **Type III** by default (each term given all
/// other terms, the standard Type III test with sum-to-zero coding) or Type II (`ANOVAType`); they agree in
/// balanced designs;
/// estimated marginal means per level; fitted cell means with Šidák simultaneous intervals and the best cell.
/// All use Student's t or F with N − p residual degrees of freedom, also under robust errors.
///
/// Exactness from sufficient statistics: every unit in a cell has the same design row x_c, so with
/// n_c, ȳ_c and M2_c = Σ(y − ȳ_c)² per cell,
/// ```
/// XᵀX = Σ n_c x_c x_cᵀ,  Xᵀy = Σ n_c ȳ_c x_c,  Σ_{i∈c} eᵢ² = M2_c + n_c (ȳ_c − x_cᵀβ̂)²,  hᵢ = x_cᵀ(XᵀX)⁻¹x_c
/// ```
/// so the weighted fit on cell means (weights n_c) gives the unit-level β̂, RSS, classical errors and every
/// HC0–HC3 sandwich exactly. Unit rows and per-cell summaries therefore give the same answer.
///
/// Binary outcomes (0/1) give the linear probability model; use a robust estimator (HC1) there, since the
/// variance p(1 − p) differs between cells.
///
/// Matches statsmodels `ols("y ~ C(A, Sum) * C(B, Sum) ...").fit()` (or `fit(cov_type="HC1", use_t=True)`),
/// `anova_lm(fit, typ=3)` or `typ=2` (`robust="hc1"` for robust tables) and `fit.t_test` for marginal means
/// (fixtures: `Scripts/fixtures/factorial.py`).
public struct FactorialRegression: Sendable, Hashable {
  public let data: FactorialData
  public let maximumInteractionOrder: Int
  public let covariance: CovarianceEstimator
  public let anovaType: ANOVAType
  public let confidenceLevel: Double

  public init(
    data: FactorialData, maximumInteractionOrder: Int? = nil, covariance: CovarianceEstimator = .classical,
    anovaType: ANOVAType = .typeIII, confidenceLevel: Double = 0.95
  ) throws(StatsError) {
    let factorCount = data.design.factors.count
    let order = maximumInteractionOrder ?? (data.design.isFractional ? min(2, factorCount) : factorCount)
    try StatsError.require(
      order >= 1 && order <= factorCount, "interaction order",
      "must be between 1 and the number of factors (\(factorCount)), got \(order)")
    _ = try Alternative.validatedConfidenceLevel(confidenceLevel, field: "confidence level")
    self.data = data
    self.maximumInteractionOrder = order
    self.covariance = covariance
    self.anovaType = anovaType
    self.confidenceLevel = confidenceLevel
  }

  /// The model terms and the terms left out as aliases.
  public var model: FactorialModel {
    let terms = data.design.estimableTerms(maximumOrder: maximumInteractionOrder).terms.map(\.term)
    return FactorialModel(factors: data.design.factors, terms: terms)
  }
}
