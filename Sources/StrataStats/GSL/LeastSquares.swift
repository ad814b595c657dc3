internal import CStrataGSL

/// A weighted least-squares fit from GSL: coefficients and the unscaled covariance (XᵀWX)⁻¹.
struct WeightedLeastSquaresFit {
  var coefficients: [Double]
  /// (XᵀWX)⁻¹, p × p, row-major rows.
  var unscaledCovariance: [[Double]]
  /// Σ wᵢ (yᵢ − xᵢᵀβ)².
  var weightedResidualSumOfSquares: Double
  /// Numerical rank of X found by the truncated SVD.
  var rank: Int
}

extension GSL {
  /// Weighted linear least squares through `gsl_multifit_wlinear_tsvd` (the weighted form of
  /// `gsl_multifit_linear`, same SVD workspace), which also reports the numerical rank: singular values
  /// below `rankTolerance` × the largest are dropped. The caller decides what a rank deficiency means.
  static func weightedLeastSquares(
    rows: [[Double]], response: [Double], weights: [Double], rankTolerance: Double = 1e-10
  ) throws(StatsError) -> WeightedLeastSquaresFit {
    prepare()
    let n = rows.count
    let p = rows.first?.count ?? 0
    precondition(n >= p && p > 0 && response.count == n && weights.count == n, "shape mismatch")
    guard let x = gsl_matrix_alloc(n, p), let y = gsl_vector_alloc(n), let w = gsl_vector_alloc(n),
      let c = gsl_vector_alloc(p), let cov = gsl_matrix_alloc(p, p),
      let work = gsl_multifit_linear_alloc(n, p)
    else {
      throw .numerical(routine: "gsl_multifit_linear_alloc", status: Int32(GSL_ENOMEM), message: "out of memory")
    }
    defer {
      gsl_matrix_free(x)
      gsl_vector_free(y)
      gsl_vector_free(w)
      gsl_vector_free(c)
      gsl_matrix_free(cov)
      gsl_multifit_linear_free(work)
    }
    for i in 0..<n {
      for j in 0..<p { gsl_matrix_set(x, i, j, rows[i][j]) }
      gsl_vector_set(y, i, response[i])
      gsl_vector_set(w, i, weights[i])
    }
    var chisq = 0.0
    var rank = 0
    try check("gsl_multifit_wlinear_tsvd") {
      gsl_multifit_wlinear_tsvd(x, w, y, rankTolerance, c, cov, &chisq, &rank, work)
    }
    let coefficients = (0..<p).map { gsl_vector_get(c, $0) }
    let covariance = (0..<p).map { i in (0..<p).map { j in gsl_matrix_get(cov, i, j) } }
    guard coefficients.allSatisfy(\.isFinite), covariance.allSatisfy({ $0.allSatisfy(\.isFinite) }), chisq.isFinite else {
      throw .numerical(routine: "gsl_multifit_wlinear_tsvd", status: Int32(GSL_EDOM), message: "non-finite fit")
    }
    return WeightedLeastSquaresFit(
      coefficients: coefficients, unscaledCovariance: covariance, weightedResidualSumOfSquares: chisq, rank: rank)
  }

  /// The inverse of a symmetric positive-definite matrix by Cholesky (`gsl_linalg_cholesky_decomp1`,
  /// `gsl_linalg_cholesky_invert`); a matrix that is not positive definite is a numerical failure.
  static func positiveDefiniteInverse(_ matrix: [[Double]]) throws(StatsError) -> [[Double]] {
    prepare()
    let p = matrix.count
    precondition(p > 0 && matrix.allSatisfy { $0.count == p }, "square matrix expected")
    guard let a = gsl_matrix_alloc(p, p) else {
      throw .numerical(routine: "gsl_matrix_alloc", status: Int32(GSL_ENOMEM), message: "out of memory")
    }
    defer { gsl_matrix_free(a) }
    for i in 0..<p { for j in 0..<p { gsl_matrix_set(a, i, j, matrix[i][j]) } }
    try check("gsl_linalg_cholesky_decomp1") { gsl_linalg_cholesky_decomp1(a) }
    try check("gsl_linalg_cholesky_invert") { gsl_linalg_cholesky_invert(a) }
    return (0..<p).map { i in (0..<p).map { j in gsl_matrix_get(a, i, j) } }
  }

  /// F upper-tail quantile: the x with P(F > x) = q.
  static func fisherInverseSurvival(_ q: Double, _ numerator: Double, _ denominator: Double) throws(StatsError) -> Double {
    try value { gsl_cdf_fdist_Qinv(q, numerator, denominator) }
  }

  /// Upper tail of the beta distribution, 1 − I_x(a, b), computed directly.
  static func betaSurvival(_ x: Double, _ a: Double, _ b: Double) throws(StatsError) -> Double {
    try value { gsl_cdf_beta_Q(x, a, b) }
  }
}
