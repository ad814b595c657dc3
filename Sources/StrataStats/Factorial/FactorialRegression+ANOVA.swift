/// The ANOVA table of `FactorialRegression`: Wald F tests per term, Type II or Type III.
extension FactorialRegression {
  /// One F test per model term.
  ///
  /// Type III tests β_T = 0 given every other term: F = β_Tᵀ V_TT⁻¹ β_T / df_T (statsmodels
  /// `anova3_lm_single`). Type II tests T given every term that does not contain it: with L₁ the
  /// coefficients of T and of the terms containing T, and L₂ those of the terms containing T, the
  /// restriction is L₁₂β = 0 where the rows of L₁₂ span the part of L₁ orthogonal (in the V metric) to L₂:
  /// the last df_T columns of Q in the QR decomposition of L₁ V L₂ᵀ (statsmodels `anova2_lm_single`, whose
  /// F does not depend on which basis is used). The sum of squares is F · df · σ̂² in both, as statsmodels
  /// reports it; with classical errors it is the usual Type II / Type III sum of squares.
  func anovaTable(
    model: FactorialModel, beta: [Double], variance: [[Double]], meanSquareError: Double, residualDF: Double
  ) throws(StatsError) -> [ANOVARow] {
    var rows: [ANOVARow] = []
    let ranges = model.columnRanges
    for (term, range) in zip(model.terms, ranges) {
      var restriction: [[Double]]  // rows of L₁₂ over all p coefficients
      let containing = zip(model.terms, ranges).filter {
        anovaType == .typeII && term.isSubset(of: $0.0) && $0.0 != term
      }
      if containing.isEmpty {
        restriction = range.map { column in (0..<beta.count).map { $0 == column ? 1 : 0 } }
      } else {
        let first = Array(range) + containing.flatMap { Array($0.1) }
        let second = containing.flatMap { Array($0.1) }
        let cross = first.map { i in second.map { j in variance[i][j] } }  // L₁ V L₂ᵀ
        let basis = try GSL.orthogonalComplement(of: cross, count: range.count)
        restriction = (0..<range.count).map { k in
          var row = [Double](repeating: 0, count: beta.count)
          for (position, column) in first.enumerated() { row[column] = basis[position][k] }
          return row
        }
      }
      let estimate = restriction.map { dot($0, beta) }
      let restrictedVariance = restriction.map { a in restriction.map { b in dot(a, multiplyVector(variance, b)) } }
      let inverse: [[Double]]
      do {
        inverse = try GSL.positiveDefiniteInverse(restrictedVariance)
      } catch {
        throw .numerical(
          routine: "Wald test for \(model.name(of: term))", status: 0,
          message:
            "the term's \(covariance.rawValue) covariance block is singular (a cell without outcome variation under robust errors?)"
        )
      }
      let df = range.count
      let statistic = quadraticForm(estimate, inverse) / Double(df)
      let distribution = try FisherF(numeratorDegreesOfFreedom: Double(df), denominatorDegreesOfFreedom: residualDF)
      rows.append(
        ANOVARow(
          term: term, name: model.name(of: term), degreesOfFreedom: df,
          sumOfSquares: statistic * Double(df) * meanSquareError,
          test: TestResult(statistic: statistic, pValue: try distribution.survival(statistic), alternative: .greater)))
    }
    return rows
  }
}

/// M v.
func multiplyVector(_ matrix: [[Double]], _ vector: [Double]) -> [Double] {
  matrix.map { dot($0, vector) }
}

/// Which ANOVA table `FactorialRegression` reports.
///
/// - `typeIII` (default): each term given every other term, including interactions containing it; with
///   sum-to-zero coding this is SAS's and SPSS's default and statsmodels `anova_lm(typ=3)`.
/// - `typeII`: each term given every term that does not contain it (respects marginality; more power
///   for main effects when interactions are absent); statsmodels `anova_lm(typ=2)`.
/// The two agree in balanced designs.
public enum ANOVAType: Int, Sendable, Hashable, Codable, CaseIterable {
  case typeII = 2
  case typeIII = 3
}
