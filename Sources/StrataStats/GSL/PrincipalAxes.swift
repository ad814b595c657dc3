internal import CStrataGSL

/// The principal axes of a symmetric positive semi-definite matrix (a covariance matrix): its eigenvalues, largest
/// first, and unit eigenvectors.
///
/// Computed by GSL's one-sided Jacobi-free SVD (`gsl_linalg_SV_decomp`): for a symmetric positive semi-definite
/// matrix A = U S Vᵀ is also its eigendecomposition (U = V, S the eigenvalues). Each vector's sign is fixed so
/// that its largest-magnitude entry is positive, so the same matrix gives the same axes on every run.
public struct PrincipalAxes: Sendable, Hashable {
  /// Eigenvalues, largest first.
  public let values: [Double]
  /// `vectors[i]`: the unit eigenvector of `values[i]`.
  public let vectors: [[Double]]

  /// Decomposes `matrix` (square, symmetric, finite, at least 1 × 1).
  public init(symmetric matrix: [[Double]]) throws(StatsError) {
    let d = matrix.count
    try StatsError.require(
      d >= 1 && matrix.allSatisfy { $0.count == d && $0.allSatisfy(\.isFinite) }, "matrix",
      "must be a square matrix of finite numbers")
    GSL.prepare()
    let a = try GSL.allocate("gsl_matrix_alloc") { gsl_matrix_alloc(d, d) }
    defer { gsl_matrix_free(a) }
    let v = try GSL.allocate("gsl_matrix_alloc") { gsl_matrix_alloc(d, d) }
    defer { gsl_matrix_free(v) }
    let s = try GSL.allocate("gsl_vector_alloc") { gsl_vector_alloc(d) }
    defer { gsl_vector_free(s) }
    let work = try GSL.allocate("gsl_vector_alloc") { gsl_vector_alloc(d) }
    defer { gsl_vector_free(work) }
    for i in 0..<d { for j in 0..<d { gsl_matrix_set(a, i, j, matrix[i][j]) } }
    try GSL.check("gsl_linalg_SV_decomp") { gsl_linalg_SV_decomp(a, v, s, work) }
    var values: [Double] = []
    var vectors: [[Double]] = []
    for column in 0..<d {
      values.append(gsl_vector_get(s, column))
      var vector = (0..<d).map { gsl_matrix_get(v, $0, column) }
      let largest = vector.indices.max { abs(vector[$0]) < abs(vector[$1]) } ?? 0
      if vector[largest] < 0 { vector = vector.map { -$0 } }
      vectors.append(vector)
    }
    guard values.allSatisfy(\.isFinite), vectors.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
      throw .numerical(routine: "gsl_linalg_SV_decomp", status: Int32(GSL_EDOM), message: "non-finite result")
    }
    self.values = values
    self.vectors = vectors
  }
}
