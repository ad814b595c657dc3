/// An exact rescaling by a power of two, so that a computation on estimates and variances of any magnitude
/// runs on numbers near 1 and its results are scaled back without losing a digit.
///
/// Multiplying by 2ⁿ changes only a double's exponent, so a computation made of sums, products, quotients
/// and square roots of the rescaled numbers gives exactly the rescaled results (as long as nothing falls
/// into the subnormal range or overflows, which the rescaling is there to prevent). Estimates scale by 2ⁿ,
/// variances by 2²ⁿ. Numbers whose (smallest) standard error lies within 2^±`band` are left as they are
/// (`isIdentity`), so ordinary data take the same path, bit for bit, as without the rescaling.
public struct PowerOfTwoScale: Sendable, Hashable {
  /// n: a number x of the computation is x·2⁻ⁿ inside it.
  public let exponent: Int

  /// Standard errors between 2⁻¹⁰⁰ and 2¹⁰⁰ need no rescaling: their variances, reciprocals and squares stay far
  /// from both ends of the double range.
  public static let band = 100

  public static let identity = PowerOfTwoScale(exponent: 0)

  public init(exponent: Int) { self.exponent = exponent }

  /// The widest span of standard errors, as a power of two, that `init(variances:)` rescales: the largest variance
  /// is then at most 2⁹⁶², its sums and squared deviations finite.
  public static let widestSpanRescaled = 480

  /// The scale that brings the smallest of `variances`' square roots to [1, 2), or the identity when it already
  /// lies within 2^±`band`, when none is a positive finite number (the caller's checks report those), or when the
  /// standard errors span more than 2^`widestSpanRescaled`.
  ///
  /// The smallest variance is the one whose reciprocal dominates inverse-variance weights and posterior
  /// precisions: brought near 1, every weight is at most about 1. Scaled by the largest instead, the smallest
  /// would fall to 0 and its weight to ∞ (review R1: segments whose standard errors span 2⁵⁴⁰). But a variance
  /// more than 2¹⁰²⁴ times the smallest would then become ∞, and the τ posterior's scan of scales up to the
  /// largest never ended (review R6: standard errors spanning 2⁵³⁰); centred on the span instead, τ² (set by the
  /// estimates' spread, not by the variances) landed near 2⁵³¹ and the REML score's w³ underflowed (τ² 2e-4 off).
  /// Data that span that much are left as they are: their own magnitudes keep the weights in range (both
  /// reviews' cases are computed exactly so, as before the rescaling).
  public init(variances: [Double]) {
    let positive = variances.lazy.filter { $0.isFinite && $0 > 0 }
    let smallest = (positive.min() ?? 0).squareRoot()
    let largest = (positive.max() ?? 0).squareRoot()
    guard Int(largest.exponent) - Int(smallest.exponent) <= Self.widestSpanRescaled else {
      self.init(exponent: 0)
      return
    }
    self.init(standardError: smallest)
  }

  /// How far apart the largest and the smallest of `variances`' square roots (positive finite ones) lie, as a power
  /// of two (the difference of their exponents), or nil without any.
  public static func span(variances: [Double]) -> Int? {
    let positive = variances.lazy.filter { $0.isFinite && $0 > 0 }
    guard let smallest = positive.min(), let largest = positive.max() else { return nil }
    return Int(largest.squareRoot().exponent) - Int(smallest.squareRoot().exponent)
  }

  /// The scale that brings `standardError` to [1, 2), or the identity within 2^±`band`.
  public init(standardError: Double) {
    guard standardError.isFinite, standardError > 0, abs(Int(standardError.exponent)) > Self.band else {
      self.exponent = 0
      return
    }
    self.exponent = Int(standardError.exponent)
  }

  public var isIdentity: Bool { exponent == 0 }

  /// x·2⁻ⁿ: an estimate (or standard error) of the caller's scale inside the computation.
  public func down(_ x: Double) -> Double { Self.times(x, powerOfTwo: -exponent) }
  /// v·2⁻²ⁿ: a variance of the caller's scale inside the computation.
  public func downVariance(_ v: Double) -> Double { Self.times(v, powerOfTwo: -2 * exponent) }
  /// x·2ⁿ: an estimate of the computation in the caller's scale.
  public func up(_ x: Double) -> Double { Self.times(x, powerOfTwo: exponent) }
  /// v·2²ⁿ: a variance of the computation in the caller's scale (∞ when it is beyond the double range).
  public func upVariance(_ v: Double) -> Double { Self.times(v, powerOfTwo: 2 * exponent) }
  /// An interval of the computation in the caller's scale.
  public func up(_ interval: ConfidenceInterval) -> ConfidenceInterval {
    ConfidenceInterval(lower: up(interval.lower), upper: up(interval.upper), confidenceLevel: interval.confidenceLevel)
  }
  /// An interval of variances of the computation in the caller's scale.
  public func upVariance(_ interval: ConfidenceInterval) -> ConfidenceInterval {
    ConfidenceInterval(
      lower: upVariance(interval.lower), upper: upVariance(interval.upper), confidenceLevel: interval.confidenceLevel)
  }

  /// x·2ᵖ (scalbn: exact unless the result is subnormal or beyond the double range), for any p.
  public static func times(_ x: Double, powerOfTwo p: Int) -> Double {
    p == 0 ? x : Double(sign: .plus, exponent: p, significand: x)
  }
}
