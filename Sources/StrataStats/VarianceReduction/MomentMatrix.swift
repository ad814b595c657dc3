/// The joint first and second moments of k value columns over one arm's units: the count, the k means and
/// the k × k co-moment matrix C with C_ij = Σ(x_i − x̄_i)(x_j − x̄_j) (the sample covariance is C/(n − 1)).
///
/// Ratio metrics (numerator, denominator), CUPED (value, covariate) and CUPED on a ratio (numerator,
/// denominator and their pre-period values) need nothing more: every estimator in this folder is a
/// function of these moments per arm. The analysis builds one from its cell statistics (counts, shifted sums,
/// sums of squares and cross-products per pair of columns, docs/analyze.md "Cell statistics"); tests and
/// simulations build one from unit rows. Two matrices merge with the multivariate form of Chan, Golub &
/// LeVeque's pairwise update, exact in real arithmetic:
/// ```
/// n = nₐ + n_b     δ = x̄_b − x̄ₐ     x̄ = x̄ₐ + δ·n_b/n     C = Cₐ + C_b + δδᵀ·nₐn_b/n
/// ```
/// Means are kept about a shift (the first row) while rows are added, so a mean of 10⁹ with a spread of 1
/// keeps the co-moments' digits (see `ColumnMoments` in StrataAnalysis for the error bound).
///
/// > T. F. Chan, G. H. Golub, R. J. LeVeque. "Updating formulae and a pairwise algorithm for computing
/// > sample variances." Stanford CS tech. report STAN-CS-79-773 (1979).
public struct MomentMatrix: Sendable, Hashable {
  /// Units (rows).
  public private(set) var count: Double
  /// x̄_i per column.
  public private(set) var means: [Double]
  /// Σ(x_i − x̄_i)(x_j − x̄_j), symmetric.
  public private(set) var comoments: [[Double]]

  /// Columns in the matrix.
  public var columnCount: Int { means.count }

  /// From already-reduced moments; validates shape, finiteness and a count from 2.
  public init(count: Double, means: [Double], comoments: [[Double]]) throws(StatsError) {
    try StatsError.requireCount(count, "n", minimum: 2)
    try StatsError.require(!means.isEmpty, "means", "needs at least one column")
    try StatsError.require(
      comoments.count == means.count && comoments.allSatisfy { $0.count == means.count }, "comoments",
      "must be \(means.count) × \(means.count), one row and column per mean")
    try StatsError.require(means.allSatisfy(\.isFinite), "means", "must be finite, got \(means)")
    for i in means.indices {
      try StatsError.require(
        comoments[i][i] >= 0 && comoments[i][i].isFinite, "comoments[\(i)][\(i)]",
        "is a sum of squares and must be finite and non-negative, got \(comoments[i][i])")
      for j in means.indices {
        try StatsError.require(comoments[i][j].isFinite, "comoments[\(i)][\(j)]", "must be finite")
      }
    }
    self.count = count
    self.means = means
    self.comoments = comoments
  }

  /// From unit rows (each with the same number of columns), one pass about the first row (``RunningMomentMatrix``).
  public init(rows: [[Double]]) throws(StatsError) {
    try StatsError.require(rows.count >= 2, "rows", "needs at least 2 units, got \(rows.count)")
    let k = rows[0].count
    try StatsError.require(k >= 1, "rows", "needs at least one column")
    var running = RunningMomentMatrix(columns: k)
    for (index, row) in rows.enumerated() {
      try StatsError.require(row.count == k, "rows[\(index)]", "has \(row.count) columns, expected \(k)")
      try StatsError.require(row.allSatisfy(\.isFinite), "rows[\(index)]", "must be finite, got \(row)")
      running.add(row)
    }
    self = try running.moments()
  }

  /// The units of `self` and `other` together (Chan et al.'s pairwise update).
  public func merged(with other: MomentMatrix) -> MomentMatrix {
    precondition(other.columnCount == columnCount, "moment matrices differ in shape")
    var result = self
    let total = count + other.count
    let delta = zip(other.means, means).map { $0 - $1 }
    let weight = count * other.count / total
    for i in 0..<columnCount {
      result.means[i] = means[i] + delta[i] * other.count / total
      for j in 0..<columnCount {
        result.comoments[i][j] = comoments[i][j] + other.comoments[i][j] + delta[i] * delta[j] * weight
      }
    }
    result.count = total
    return result
  }

  /// Column i's values times 2^−`exponents[i]`.
  ///
  /// Its mean is multiplied by 2^−eᵢ, the co-moments by 2^−(eᵢ+eⱼ). Exact while nothing
  /// falls into the subnormal range, so an estimator run on the result gives exactly its results on `self`, each
  /// scaled by its power of two (`PowerOfTwoScale`).
  public func rescaled(by exponents: [Int]) -> MomentMatrix {
    precondition(exponents.count == columnCount, "one exponent per column")
    var result = self
    for i in 0..<columnCount {
      result.means[i] = PowerOfTwoScale.times(means[i], powerOfTwo: -exponents[i])
      for j in 0..<columnCount {
        result.comoments[i][j] = PowerOfTwoScale.times(comoments[i][j], powerOfTwo: -exponents[i] - exponents[j])
      }
    }
    return result
  }

  /// Per column, the power of two by which `rescaled(by:)` brings that column near 1.
  ///
  /// The one that brings the largest standard deviation of that column over `matrices` (the
  /// largest |mean| where no column has a spread) to [1, 2), or 0 when that lies within 2^±`PowerOfTwoScale.band`
  /// (ordinary data: every exponent 0, nothing rescaled). The same exponents for every arm, so that estimators which
  /// combine arms (CUPED's θ pooled within arms, the combined sample) see one scale per column.
  public static func columnExponents(_ matrices: [MomentMatrix]) -> [Int] {
    guard let first = matrices.first else { return [] }
    return (0..<first.columnCount).map { i in
      var spread = 0.0
      var level = 0.0
      for m in matrices where i < m.columnCount {
        spread = max(spread, (m.comoments[i][i] / (m.count - 1)).squareRoot())
        level = max(level, abs(m.means[i]))
      }
      return PowerOfTwoScale(standardError: spread > 0 ? spread : level).exponent
    }
  }

  /// The sample covariance (ddof = 1) of columns i and j.
  public func covariance(_ i: Int, _ j: Int) -> Double { comoments[i][j] / (count - 1) }

  /// gᵀCh: the co-moment of the linear combinations g·x and h·x.
  func comoment(_ g: [Double], _ h: [Double]) -> Double {
    var total = 0.0
    for i in 0..<columnCount where g[i] != 0 {
      for j in 0..<columnCount where h[j] != 0 { total += g[i] * comoments[i][j] * h[j] }
    }
    return total
  }
}
