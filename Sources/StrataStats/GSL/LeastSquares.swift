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
  /// Weighted linear least squares through `gsl_multifit_wlinear_tsvd` (the weighted form of `gsl_multifit_linear`,
  /// same SVD workspace), which also reports the numerical rank: singular values below `rankTolerance` × the largest
  /// are dropped.
  ///
  /// The caller decides what a rank deficiency means.
  static func weightedLeastSquares(
    rows: [[Double]], response: [Double], weights: [Double], rankTolerance: Double = 1e-10
  ) throws(StatsError) -> WeightedLeastSquaresFit {
    prepare()
    let n = rows.count
    let p = rows.first?.count ?? 0
    precondition(n >= p && p > 0 && response.count == n && weights.count == n, "shape mismatch")
    let x = try allocate("gsl_matrix_alloc") { gsl_matrix_alloc(n, p) }
    defer { gsl_matrix_free(x) }
    let y = try allocate("gsl_vector_alloc") { gsl_vector_alloc(n) }
    defer { gsl_vector_free(y) }
    let w = try allocate("gsl_vector_alloc") { gsl_vector_alloc(n) }
    defer { gsl_vector_free(w) }
    let c = try allocate("gsl_vector_alloc") { gsl_vector_alloc(p) }
    defer { gsl_vector_free(c) }
    let cov = try allocate("gsl_matrix_alloc") { gsl_matrix_alloc(p, p) }
    defer { gsl_matrix_free(cov) }
    let work = try allocate("gsl_multifit_linear_alloc") { gsl_multifit_linear_alloc(n, p) }
    defer { gsl_multifit_linear_free(work) }
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
    guard coefficients.allSatisfy(\.isFinite), covariance.allSatisfy({ $0.allSatisfy(\.isFinite) }), chisq.isFinite
    else {
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
    let a = try allocate("gsl_matrix_alloc") { gsl_matrix_alloc(p, p) }
    defer { gsl_matrix_free(a) }
    for i in 0..<p { for j in 0..<p { gsl_matrix_set(a, i, j, matrix[i][j]) } }
    try check("gsl_linalg_cholesky_decomp1") { gsl_linalg_cholesky_decomp1(a) }
    try check("gsl_linalg_cholesky_invert") { gsl_linalg_cholesky_invert(a) }
    return (0..<p).map { i in (0..<p).map { j in gsl_matrix_get(a, i, j) } }
  }

  /// F upper-tail quantile: the x with P(F > x) = q, for 0 < q < 1.
  ///
  /// GSL 2.7.1's `gsl_cdf_fdist_Qinv` (and the `gsl_cdf_beta_Qinv`/`Pinv` under it) returns NaN for many
  /// ordinary arguments, e.g. q = 0.05, ν₁ = 1, ν₂ = 271 (about 1 in 6 of ν₁ ≤ 12, ν₂ < 20000 at common q).
  /// So the quantile is found here by safeguarded Newton steps on `gsl_cdf_fdist_Q` (bisection whenever a
  /// step leaves the bracket), to a relative width of 1e-14 in x.
  static func fisherInverseSurvival(_ q: Double, _ numerator: Double, _ denominator: Double) throws(StatsError)
    -> Double
  {
    precondition(q > 0 && q < 1 && numerator > 0 && denominator > 0, "invalid F quantile arguments")
    func tail(_ x: Double) throws(StatsError) -> Double {
      try value("gsl_cdf_fdist_Q") { gsl_cdf_fdist_Q(x, numerator, denominator) }
    }
    var low = 0.0
    var high = 1.0
    while try tail(high) > q {
      low = high
      high *= 2
      guard high < 1e300 else {
        throw .numerical(routine: "fisherInverseSurvival", status: 0, message: "no bracket for q = \(q)")
      }
    }
    var x = (low + high) / 2
    for _ in 0..<300 {
      let gap = try tail(x) - q  // decreasing in x
      if gap > 0 { low = x } else { high = x }
      if high - low <= 1e-14 * high { break }
      let density = try value("gsl_ran_fdist_pdf") { gsl_ran_fdist_pdf(x, numerator, denominator) }
      let newton = density > 0 ? x + gap / density : .nan
      let next = newton > low && newton < high ? newton : (low + high) / 2
      if gap == 0 || abs(next - x) <= 1e-15 * x { break }
      x = next
    }
    return x
  }

  /// The last `count` columns of Q in the full QR decomposition of an M × N matrix (M > N): an orthonormal basis of
  /// (part of) the orthogonal complement of its column space, M × count.
  ///
  /// Uses `gsl_linalg_QR_decomp` and `gsl_linalg_QR_unpack`.
  static func orthogonalComplement(of matrix: [[Double]], count: Int) throws(StatsError) -> [[Double]] {
    prepare()
    let m = matrix.count
    let n = matrix.first?.count ?? 0
    precondition(m > n && n > 0 && count >= 1 && count <= m, "invalid QR shape")
    let a = try allocate("gsl_matrix_alloc") { gsl_matrix_alloc(m, n) }
    defer { gsl_matrix_free(a) }
    let tau = try allocate("gsl_vector_alloc") { gsl_vector_alloc(n) }
    defer { gsl_vector_free(tau) }
    let q = try allocate("gsl_matrix_alloc") { gsl_matrix_alloc(m, m) }
    defer { gsl_matrix_free(q) }
    let r = try allocate("gsl_matrix_alloc") { gsl_matrix_alloc(m, n) }
    defer { gsl_matrix_free(r) }
    for i in 0..<m { for j in 0..<n { gsl_matrix_set(a, i, j, matrix[i][j]) } }
    try check("gsl_linalg_QR_decomp") { gsl_linalg_QR_decomp(a, tau) }
    try check("gsl_linalg_QR_unpack") { gsl_linalg_QR_unpack(a, tau, q, r) }
    return (0..<m).map { i in ((m - count)..<m).map { j in gsl_matrix_get(q, i, j) } }
  }

  /// Upper tail of the beta distribution, 1 − I_x(a, b), computed directly.
  static func betaSurvival(_ x: Double, _ a: Double, _ b: Double) throws(StatsError) -> Double {
    try value { gsl_cdf_beta_Q(x, a, b) }
  }
}
