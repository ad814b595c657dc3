/// A ratio-of-means lift r = m_b / m_a − 1 with its first-order delta-method standard error.
///
/// ```
/// Var(r) ≈ se_b² / m_a² + m_b² · se_a² / m_a⁴
/// ```
/// where se_a, se_b are the standard errors of the two means (arms independent). `nil` when m_a = 0.
struct RelativeLift {
  var estimate: Double
  var standardError: Double

  init?(controlMean: Double, controlStandardError: Double, treatmentMean: Double, treatmentStandardError: Double) {
    guard controlMean != 0 else { return nil }
    estimate = treatmentMean / controlMean - 1
    // Written as (se_b/m_a)² + ((m_b/m_a)·(se_a/m_a))² so that m_a⁴ cannot overflow or underflow.
    let treatmentTerm = treatmentStandardError / controlMean
    let controlTerm = (treatmentMean / controlMean) * (controlStandardError / controlMean)
    standardError = (treatmentTerm * treatmentTerm + controlTerm * controlTerm).squareRoot()
  }
}
