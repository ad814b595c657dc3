import StrataDesign

/// One coefficient of the effect-coded model with its t test and confidence interval.
public struct RegressionCoefficient: Sendable, Hashable {
  /// `Intercept`, `A[a1]`, `A[a1]:B[b1]`, … (patsy-style labels of the coded level).
  public var label: String
  /// The term the coefficient belongs to (`.identity` for the intercept).
  public var term: EffectWord
  public var estimate: Double
  public var standardError: Double
  /// t = estimate / standardError, two-sided p-value from Student's t with the residual degrees of freedom.
  public var test: TestResult
  public var interval: ConfidenceInterval
}

/// One row of the ANOVA table: the Wald F test of a term (see `ANOVAType`).
public struct ANOVARow: Sendable, Hashable {
  public var term: EffectWord
  /// `subject`, `subject:image`, ….
  public var name: String
  public var degreesOfFreedom: Int
  /// F · df · σ̂² (the Type III sum of squares for classical errors; statsmodels backs it out the same way
  /// under robust errors).
  public var sumOfSquares: Double
  /// F statistic and its upper-tail p-value on (df, residual df).
  public var test: TestResult
}

/// An estimated marginal mean: the model's mean of one factor level, averaged with equal weight over the
/// levels of every other factor.
public struct MarginalMean: Sendable, Hashable {
  public var factor: Int
  public var level: Int
  public var estimate: Double
  public var standardError: Double
  public var interval: ConfidenceInterval
}

/// A cell (run) of the design with data: its observed and fitted means and a simultaneous interval.
public struct CellEstimate: Sendable, Hashable {
  /// Level index per factor.
  public var levels: [Int]
  public var count: Double
  public var observedMean: Double
  /// The model's mean for the cell (equal to the observed mean in a saturated model).
  public var fitted: Double
  public var standardError: Double
  /// Šidák-adjusted interval: all cells' intervals hold together with probability ≥ `confidenceLevel`.
  public var simultaneousInterval: ConfidenceInterval
}

/// A model term the analysis estimated, with what its estimate is aliased with in a fractional design.
public struct EstimatedTerm: Sendable, Hashable {
  public var term: EffectWord
  public var name: String
  /// Effects (up to the model's interaction order) whose sum the coefficient estimates along with `term`.
  public var aliasedWith: [EffectWord]
}

/// Everything a factorial regression reports.
public struct FactorialRegressionResult: Sendable, Hashable {
  public var model: FactorialModel
  public var covariance: CovarianceEstimator
  public var anovaType: ANOVAType
  public var unitCount: Double
  public var residualDegreesOfFreedom: Double
  public var residualSumOfSquares: Double
  /// R² = 1 − RSS/TSS on the unit level.
  public var rSquared: Double
  public var terms: [EstimatedTerm]
  /// Terms left out because they are aliased with an earlier term (or with the mean, `.identity`).
  public var aliasedTerms: [AliasedTerm]
  public var coefficients: [RegressionCoefficient]
  public var anova: [ANOVARow]
  /// Per factor, per level.
  public var marginalMeans: [[MarginalMean]]
  public var cells: [CellEstimate]
  /// Index into `cells` of the cell with the highest fitted mean.
  public var bestCellIndex: Int
  /// The confidence level of each cell interval: γ = c^(1/m) for m cells (Šidák).
  public var perCellConfidenceLevel: Double

  /// The coefficient covariance used for every standard error (p × p).
  public var coefficientCovariance: [[Double]]

  public var bestCell: CellEstimate { cells[bestCellIndex] }
}

/// How coefficient standard errors are estimated.
///
/// - `classical`: σ̂²(XᵀX)⁻¹ with σ̂² = RSS/(N − p).
/// - `hc0`…`hc3`: White's sandwich (XᵀX)⁻¹ Xᵀ diag(ωᵢ) X (XᵀX)⁻¹ with ωᵢ = eᵢ² (HC0), eᵢ²·N/(N − p) (HC1,
///   the default for robust errors, Stata's `robust`), eᵢ²/(1 − hᵢ) (HC2), eᵢ²/(1 − hᵢ)² (HC3), hᵢ the
///   leverage (MacKinnon & White 1985). All match statsmodels' `cov_HC0` … `cov_HC3`.
///
/// > J. G. MacKinnon, H. White. "Some heteroskedasticity-consistent covariance matrix estimators with
/// > improved finite sample properties." *Journal of Econometrics* 29 (1985), 305–325.
public enum CovarianceEstimator: String, Sendable, Hashable, Codable, CaseIterable {
  case classical
  case hc0
  case hc1
  case hc2
  case hc3
}
