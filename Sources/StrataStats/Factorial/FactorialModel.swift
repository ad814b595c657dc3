import StrataDesign

/// The linear model of a factorial analysis: an intercept and effect-coded (sum-to-zero) columns for each
/// term (main effects and interactions).
///
/// Effect (deviation) coding of a factor with L levels uses L − 1 columns: column j is 1 at level j, −1 at
/// the last level and 0 elsewhere, so each factor's effects sum to zero over its levels and the intercept is
/// the unweighted mean of the cell means. This is patsy's `C(x, Sum)` coding, so coefficients match
/// statsmodels' `ols("y ~ C(A, Sum) * C(B, Sum)", ...)` one for one. An interaction's columns are the
/// products of its factors' columns.
public struct FactorialModel: Sendable, Hashable {
  public let factors: [Factor]
  /// The terms in model order (main effects first), excluding the intercept.
  public let terms: [EffectWord]

  public init(factors: [Factor], terms: [EffectWord]) {
    precondition(terms.allSatisfy { $0.length >= 1 && $0.factors.allSatisfy { $0 < factors.count } })
    self.factors = factors
    self.terms = terms
  }

  /// The term's name: factor names joined with `:` (`subject:image`), as in model formulas.
  public func name(of term: EffectWord) -> String {
    term == .identity ? "Intercept" : term.factors.map { factors[$0].name }.joined(separator: ":")
  }

  /// Number of columns of a term: the product of (levels − 1) over its factors.
  public func columnCount(of term: EffectWord) -> Int {
    term.factors.reduce(1) { $0 * (factors[$1].levelCount - 1) }
  }

  /// Index ranges of each term's columns (the intercept is column 0).
  public var columnRanges: [Range<Int>] {
    var start = 1
    return terms.map { term in
      let range = start..<(start + columnCount(of: term))
      start = range.upperBound
      return range
    }
  }

  public var parameterCount: Int { 1 + terms.reduce(0) { $0 + columnCount(of: $1) } }

  /// Column labels: `Intercept`, `A[a1]`, `A[a1]:B[b2]`, … (the coded level of each column; the last
  /// level has no column of its own).
  public var columnLabels: [String] {
    var labels = ["Intercept"]
    for term in terms {
      for combination in levelCombinations(of: term) {
        labels.append(
          zip(term.factors, combination).map { "\(factors[$0].name)[\(factors[$0].levels[$1])]" }.joined(separator: ":")
        )
      }
    }
    return labels
  }

  /// The coded-level combinations of a term's columns, first factor changing slowest (patsy's order).
  private func levelCombinations(of term: EffectWord) -> [[Int]] {
    var combinations: [[Int]] = [[]]
    for factor in term.factors {
      combinations = combinations.flatMap { prefix in (0..<(factors[factor].levelCount - 1)).map { prefix + [$0] } }
    }
    return combinations
  }

  /// The effect code of `level` in column `column` of a factor with `levelCount` levels.
  static func code(level: Int, column: Int, levelCount: Int) -> Double {
    if level == levelCount - 1 { return -1 }
    return level == column ? 1 : 0
  }

  /// The design-matrix row of a cell.
  public func row(levels: [Int]) -> [Double] {
    var row = [1.0]
    row.reserveCapacity(parameterCount)
    for term in terms {
      for combination in levelCombinations(of: term) {
        var value = 1.0
        for (factor, column) in zip(term.factors, combination) {
          value *= FactorialModel.code(level: levels[factor], column: column, levelCount: factors[factor].levelCount)
        }
        row.append(value)
      }
    }
    return row
  }

  /// The row whose product with the coefficients is the estimated marginal mean of `level` of `factor`:
  /// the average of the cell rows over the full grid of levels with that factor fixed.
  public func marginalMeanRow(factor: Int, level: Int) -> [Double] {
    marginalMeanRow(fixing: [factor: level])
  }

  /// The row of the estimated marginal mean with some factors fixed (`[factor: level]`), averaged with equal weight
  /// over the full grid of the other factors' levels.
  ///
  /// With sum-to-zero coding a term averages to zero unless all its factors are fixed, when it keeps the product of
  /// their codes.
  public func marginalMeanRow(fixing fixed: [Int: Int]) -> [Double] {
    var row = [1.0]
    for term in terms {
      let allFixed = term.factors.allSatisfy { fixed[$0] != nil }
      for combination in levelCombinations(of: term) {
        guard allFixed else {
          row.append(0)
          continue
        }
        var value = 1.0
        for (factor, column) in zip(term.factors, combination) {
          value *= FactorialModel.code(
            level: fixed[factor] ?? 0, column: column, levelCount: factors[factor].levelCount)
        }
        row.append(value)
      }
    }
    return row
  }
}
