/// The co-moment of two value columns a and b in one cell, over the units where both have a value:
/// count, both means and C = Σ(a − ā)(b − b̄) (the covariance is C/(n − 1)).
///
/// Ratio metrics (numerator × denominator) and CUPED (value × covariate) need it. Filled one unit at a time
/// (the bivariate Welford update) or from a row's shifted cross-product, and merged with Chan et al.'s
/// pairwise update:
/// ```
/// n = nₐ + n_b     δa = ā_b − āₐ     δb = b̄_b − b̄ₐ     C = Cₐ + C_b + δa·δb·nₐ·n_b/n
/// ```
/// Like `ColumnMoments`, the means are kept about shifts (each column's first value when that is at least 2²⁰
/// in magnitude, else 0), so huge means do not eat the co-moment's digits. See docs/analyze.md, "Cell
/// statistics".
public struct CrossMoments: Sendable, Hashable {
  public private(set) var count: Double = 0
  /// Kₐ and K_b: `shiftedMeanA` and `shiftedMeanB` are the means of a − Kₐ and b − K_b.
  public private(set) var shiftA: Double = 0
  public private(set) var shiftB: Double = 0
  public private(set) var shiftedMeanA: Double = 0
  public private(set) var shiftedMeanB: Double = 0
  /// Σ(a − ā)(b − b̄).
  public private(set) var comoment: Double = 0

  public init() {}

  /// From already-reduced moments.
  public init(count: Double, meanA: Double, meanB: Double, comoment: Double) {
    self.count = count
    shiftedMeanA = meanA
    shiftedMeanB = meanB
    self.comoment = comoment
  }

  /// From shifted sums over `count` units: `sumA` = Σ(a − Kₐ), `sumB` = Σ(b − K_b) and `sumOfProducts` =
  /// Σ(a − Kₐ)(b − K_b); C = Σ(a − Kₐ)(b − K_b) − Σ(a − Kₐ)·Σ(b − K_b)/n, with a relative error of about
  /// ε·(1 + n·|(ā − Kₐ)(b̄ − K_b)|/|C|).
  public init(count: Double, shiftA: Double, shiftB: Double, sumA: Double, sumB: Double, sumOfProducts: Double) {
    guard count > 0 else { return }
    self.count = count
    self.shiftA = shiftA
    self.shiftB = shiftB
    shiftedMeanA = sumA / count
    shiftedMeanB = sumB / count
    comoment = sumOfProducts - sumA * shiftedMeanB
  }

  @inline(__always)
  public mutating func add(_ a: Double, _ b: Double) {
    if count == 0 {
      if abs(a) >= ColumnMoments.shiftThreshold { shiftA = a }
      if abs(b) >= ColumnMoments.shiftThreshold { shiftB = b }
    }
    count += 1
    let x = a - shiftA, y = b - shiftB
    let deltaA = x - shiftedMeanA
    shiftedMeanA += deltaA / count
    shiftedMeanB += (y - shiftedMeanB) / count
    comoment += deltaA * (y - shiftedMeanB)
  }

  /// Adds `other`'s units (Chan et al.'s pairwise update), in this cell's shifts.
  public mutating func merge(_ other: CrossMoments) {
    guard other.count > 0 else { return }
    guard count > 0 else {
      self = other
      return
    }
    let total = count + other.count
    let deltaA = (other.shiftA - shiftA) + other.shiftedMeanA - shiftedMeanA
    let deltaB = (other.shiftB - shiftB) + other.shiftedMeanB - shiftedMeanB
    comoment += other.comoment + deltaA * deltaB * count * other.count / total
    shiftedMeanA += deltaA * other.count / total
    shiftedMeanB += deltaB * other.count / total
    count = total
  }

  public var meanA: Double { shiftA + shiftedMeanA }
  public var meanB: Double { shiftB + shiftedMeanB }

  /// Sample covariance (ddof = 1); 0 below two units.
  public var covariance: Double { count > 1 ? comoment / (count - 1) : 0 }

  /// Σ(a − Kₐ)(b − K_b) about the given shifts, as the aggregated format writes it.
  public func shiftedSumOfProducts(shiftA: Double, shiftB: Double) -> Double {
    comoment + count * ((self.shiftA - shiftA) + shiftedMeanA) * ((self.shiftB - shiftB) + shiftedMeanB)
  }
}
