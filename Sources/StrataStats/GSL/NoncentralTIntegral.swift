internal import CStrataGSL
import Foundation

/// One tail of the noncentral t by quadrature over the chi mixture, for the regimes where the series of
/// `NoncentralT` loses accuracy (very large ν, and the tail on the far side of δ).
///
/// ```
/// P(T ≤ t) = ∫₀^∞ Φ(t·s − δ) g(s) ds,    P(T > t) = ∫₀^∞ Φ(δ − t·s) g(s) ds,
/// g(s) = 2 (ν/2)^(ν/2) s^(ν−1) e^(−νs²/2) / Γ(ν/2)      (the density of S = √(V/ν))
/// ```
/// Both integrands are positive, so each tail keeps its relative precision however small it is.
///
/// Goals and choices:
/// - ln g is evaluated at s = 1 + u as
///   `ln 2 + ½ ln(ν/2) − ½ ln 2π − c(ν/2) + ν·(ln(1+u) − u) − ν u²/2 − ln(1+u)` with c the Stirling
///   remainder of ln Γ and ln(1+u) − u from GSL's `log_1plusx_mx`. Written the obvious way the terms are
///   ~ν ln ν and cancel, losing ~ν·1e-16 (1e-8 at ν = 1e8).
/// - ln Φ comes from GSL's `log_erfc`, so the integrand is exp(ln Φ + ln g − peak) with the peak value
///   factored out: no underflow for tails down to ~1e-300.
/// - The variable is r = ln s: the integrand gains a factor s, which turns the s^(ν−1) singularity at
///   s = 0 (ν < 1) into a smooth e^(νr) decay.
/// - The peak r* is bracketed on a grid in r (a unimodal integrand's largest grid value sits next to
///   its maximum) and refined by golden section; quadrature then runs on (−∞, r* − 8w], [r* − 8w, r*],
///   [r*, r* + 8w], [r* + 8w, ∞) with w the curvature width, so a peak as narrow as 1/√(2ν) is never
///   stepped over by the first Gauss–Kronrod rule.
/// - The integrand runs inside GSL's C callback, which cannot throw, so it calls GSL's plain
///   `log_erfc` / `log_1plusx_mx` directly instead of going through `GSL.special`: `GSL.prepare()` has
///   switched the abort handler off, and a NaN anywhere makes the integral non-finite, which
///   `Integration` turns into `StatsError.numerical`.
/// - Tolerance per piece: 1e-13 relative or 1e-15·w absolute (w the peak width, the integral being ≳ w);
///   GSL's own error estimate must end below 1e-11 relative.
struct NoncentralTIntegral {
  let t: Double
  let degreesOfFreedom: Double
  let noncentrality: Double
  private let logConstant: Double

  init(t: Double, degreesOfFreedom: Double, noncentrality: Double) throws(StatsError) {
    self.t = t
    self.degreesOfFreedom = degreesOfFreedom
    self.noncentrality = noncentrality
    let z = degreesOfFreedom / 2
    logConstant =
      log(2.0) + 0.5 * log(z) - 0.5 * log(2 * Double.pi) - (try Self.stirlingRemainder(z))
  }

  /// c(z) = ln Γ(z) − [(z − ½) ln z − z + ½ ln 2π]; the asymptotic series for z ≥ 10 (next term below
  /// 2e-14 there), the difference itself below.
  static func stirlingRemainder(_ z: Double) throws(StatsError) -> Double {
    if z >= 10 {
      let w = 1 / (z * z)
      return (1.0 / 12 - w * (1.0 / 360 - w * (1.0 / 1260 - w * (1.0 / 1680 - w / 1188)))) / z
    }
    let logGamma = try GSL.special { gsl_sf_lngamma_e(z, $0) }
    return logGamma - ((z - 0.5) * log(z) - z + 0.5 * log(2 * Double.pi))
  }

  /// ln of the integrand in r = ln s (so ds = s dr, which also removes the s^(ν−1) singularity at 0 for
  /// ν < 1) for the upper (`upper == true`) or lower tail.
  private func logIntegrand(_ r: Double, upper: Bool) -> Double {
    // Past s = e^100 ≈ 2.7e43 the density's e^(−νs²/2) is below e^(−1e80) for any ν ≥ 1e-6 (and GSL's
    // log_erfc returns NaN for arguments beyond ~1e86).
    guard r < 100 else { return -.infinity }
    let s = exp(r)
    let u = expm1(r)
    let argument = upper ? noncentrality - t * s : t * s - noncentrality
    // GSL's log_erfc returns NaN beyond ~1e86; there ln Φ is 0 or far below any double's logarithm.
    let logPhi =
      abs(argument) > 1e80 ? (argument > 0 ? 0 : -.infinity) : gsl_sf_log_erfc(-argument / 2.0.squareRoot()) - log(2.0)
    let nu = degreesOfFreedom
    // ln(1 + u) − u: GSL's series near 0 where the difference cancels, r − u elsewhere (GSL's routine is
    // undefined at u = −1, which r → −∞ reaches).
    let logOnePlusMinus = abs(u) < 0.5 ? gsl_sf_log_1plusx_mx(u) : r - u
    // ln g(1 + u) + ln s, with ln(1 + u) = r.
    let logDensity = logConstant + nu * logOnePlusMinus - nu * u * u / 2 - r
    return logPhi + logDensity + r
  }

  /// P(T > t) when `upper`, else P(T ≤ t).
  func tail(upper: Bool) throws(StatsError) -> Double {
    GSL.prepare()
    let f = { (r: Double) in self.logIntegrand(r, upper: upper) }
    let peak = findPeak(f)
    let top = f(peak)
    // The grid spans every s a double can hold (e^−745 to e^100). An integrand whose peak is below e^−850
    // integrates to less than the smallest double (the scaled integrand is at most 1 and, unimodal in r,
    // has an integral far below e^100 even for ν = 1e-3, whose width in r is ~1/ν): the tail is 0.
    if top < -850 { return 0 }
    guard top.isFinite else {
      throw .numerical(routine: "NoncentralTIntegral", status: 0, message: "integrand peak is not finite")
    }
    // Curvature width from a central second difference (the width in r is about 1/√(2ν) for large ν);
    // a broad fallback when the log is not concave there.
    let h = 1e-3 / max(1, degreesOfFreedom.squareRoot() / 10)
    let curvature = (f(peak + h) - 2 * top + f(peak - h)) / (h * h)
    let width = curvature < 0 && curvature.isFinite ? min(1, 1 / (-curvature).squareRoot()) : 0.5
    let scaled = { (r: Double) -> Double in exp(self.logIntegrand(r, upper: upper) - top) }
    let (left, right) = (peak - 8 * width, peak + 8 * width)
    // The scaled integrand peaks at 1 with width ≈ w, so the whole is ≳ w: pieces far from the peak need
    // only an absolute accuracy of 1e-15·w, not a relative one they cannot reach.
    let (absolute, tolerance, acceptable) = (1e-15 * width, 1e-13, 1e-11)
    var total = try Integration.fromNegativeInfinity(
      to: left, absoluteTolerance: absolute, relativeTolerance: tolerance, acceptableRelativeError: acceptable,
      scaled)
    total += try Integration.finite(
      from: left, to: peak, absoluteTolerance: absolute, relativeTolerance: tolerance,
      acceptableRelativeError: acceptable,
      scaled)
    total += try Integration.finite(
      from: peak, to: right, absoluteTolerance: absolute, relativeTolerance: tolerance,
      acceptableRelativeError: acceptable,
      scaled)
    total += try Integration.toInfinity(
      from: right, absoluteTolerance: absolute, relativeTolerance: tolerance, acceptableRelativeError: acceptable,
      scaled)
    return min(1, exp(top) * total)
  }

  /// The maximizing r of a unimodal log-integrand: a grid in r = ln s (step 0.05 over [−40, 8], where
  /// the mass of every moderate case lies, step 0.5 out to −745 and 100 for extreme t and δ), then
  /// golden section between the neighbours of the best grid point.
  private func findPeak(_ f: (Double) -> Double) -> Double {
    var grid: [Double] = stride(from: -745.0, to: -40, by: 0.5).map { $0 }
    grid += (-800...160).map { Double($0) * 0.05 }
    grid += stride(from: 8.5, through: 100, by: 0.5).map { $0 }
    var bestIndex = 0
    var best = -Double.infinity
    for (index, r) in grid.enumerated() {
      let value = f(r)
      if value > best {
        best = value
        bestIndex = index
      }
    }
    var a = grid[max(0, bestIndex - 1)]
    var b = grid[min(grid.count - 1, bestIndex + 1)]
    let ratio = (5.0.squareRoot() - 1) / 2
    var c = b - ratio * (b - a)
    var d = a + ratio * (b - a)
    var fc = f(c)
    var fd = f(d)
    for _ in 0..<200 where b - a > 1e-15 * (1 + abs(a)) {
      if fc > fd {
        b = d
        d = c
        fd = fc
        c = b - ratio * (b - a)
        fc = f(c)
      } else {
        a = c
        c = d
        fc = fd
        d = a + ratio * (b - a)
        fd = f(d)
      }
    }
    return (a + b) / 2
  }
}
