/// Bracketed root finding for the planning equations (power as a function of n or of the effect).
///
/// Brent's method (inverse quadratic interpolation and secant steps, falling back to bisection), which
/// keeps a sign change in its bracket at every step, so it cannot leave the interval and converges for
/// any continuous function; it stops when the bracket is narrower than
/// `2·ε·|x| + absoluteTolerance` with ε the double precision unit roundoff.
///
/// > R. P. Brent. *Algorithms for Minimization without Derivatives*, ch. 4. Prentice-Hall (1973).
enum RootFinder {
  /// A root of `f` in [lower, upper], where f(lower) and f(upper) must differ in sign (or one be 0).
  static func brent(
    in lower: Double, _ upper: Double, absoluteTolerance: Double, maximumIterations: Int = 200,
    _ f: (Double) throws(StatsError) -> Double
  ) throws(StatsError) -> Double {
    var a = lower
    var b = upper
    var fa = try f(a)
    var fb = try f(b)
    if fa == 0 { return a }
    if fb == 0 { return b }
    guard (fa < 0) != (fb < 0) else {
      throw .numerical(routine: "RootFinder.brent", status: 0, message: "no sign change in [\(a), \(b)]")
    }
    var c = a
    var fc = fa
    var d = b - a
    var e = d
    for _ in 0..<maximumIterations {
      if (fb < 0) == (fc < 0) {
        // Keep the root between b and c.
        c = a
        fc = fa
        d = b - a
        e = d
      }
      if abs(fc) < abs(fb) {
        // b is the best estimate so far.
        (a, b, c) = (b, c, b)
        (fa, fb, fc) = (fb, fc, fb)
      }
      let tolerance = 2 * Double.ulpOfOne * abs(b) + 0.5 * absoluteTolerance
      let middle = 0.5 * (c - b)
      if abs(middle) <= tolerance || fb == 0 { return b }
      if abs(e) >= tolerance && abs(fa) > abs(fb) {
        // Try interpolation: secant when only two points are distinct, inverse quadratic otherwise.
        let s = fb / fa
        var p: Double
        var q: Double
        if a == c {
          p = 2 * middle * s
          q = 1 - s
        } else {
          let r = fb / fc
          let t = fa / fc
          p = s * (2 * middle * t * (t - r) - (b - a) * (r - 1))
          q = (t - 1) * (r - 1) * (s - 1)
        }
        if p > 0 { q = -q } else { p = -p }
        if 2 * p < min(3 * middle * q - abs(tolerance * q), abs(e * q)) {
          e = d
          d = p / q
        } else {
          d = middle
          e = d
        }
      } else {
        d = middle
        e = d
      }
      a = b
      fa = fb
      b += abs(d) > tolerance ? d : (middle > 0 ? tolerance : -tolerance)
      fb = try f(b)
    }
    throw .numerical(routine: "RootFinder.brent", status: 0, message: "no convergence in \(maximumIterations) iterations")
  }

  /// Like `brent`, for an increasing f with f(lower) < 0: doubles `upper` (up to `limit`) until f(upper) ≥ 0.
  static func brentExpandingUp(
    from lower: Double, _ upper: Double, limit: Double, absoluteTolerance: Double,
    _ f: (Double) throws(StatsError) -> Double
  ) throws(StatsError) -> Double? {
    var high = upper
    while try f(high) < 0 {
      guard high < limit else { return nil }
      high = min(limit, high * 2)
    }
    return try brent(in: lower, high, absoluteTolerance: absoluteTolerance, f)
  }
}
