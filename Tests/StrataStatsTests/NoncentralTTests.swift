import Foundation
import StrataStats
import StrataTestSupport
import Testing

/// One case of `noncentral_t.json` (Scripts/fixtures/noncentral_t.py: scipy.stats.nct and 30-digit mpmath).
struct NoncentralTCase: Decodable, Sendable, CustomTestStringConvertible {
  var t: Double
  var df: Double
  var ncp: Double
  var cdf: Double?
  var sf: Double?
  var cdf_mpmath: Double?
  var sf_mpmath: Double?
  var testDescription: String { "t=\(t) df=\(df) ncp=\(ncp)" }
}

/// One case of `noncentral_t_r.json` (Scripts/fixtures/planning.R: R 4.2.2 pt(q, df, ncp)).
struct NoncentralTRCase: Decodable, Sendable, CustomTestStringConvertible {
  var t: Double
  var df: Double
  var ncp: Double
  var cdf: Double
  var sf: Double
  var testDescription: String { "t=\(t) df=\(df) ncp=\(ncp)" }
}

@Suite("Noncentral t distribution")
struct NoncentralTTests {
  static var cases: [NoncentralTCase] {
    get throws { try Fixture<NoncentralTCase>.load("noncentral_t", from: .module) }
  }
  static var rCases: [NoncentralTRCase] {
    get throws { try Fixture<NoncentralTRCase>.load("noncentral_t_r", from: .module) }
  }

  @Test("both tails match 30-digit mpmath, including tails far below 1e-16")
  func matchesMpmath() throws {
    var checked = 0
    for c in try Self.cases {
      let (lower, upper) = try NoncentralT(degreesOfFreedom: c.df, noncentrality: c.ncp).tails(c.t)
      if let expected = c.cdf_mpmath {
        // Absolute 1e-305: below ~2e-308 doubles are subnormal and lose relative precision by design.
        #expect(
          isClose(lower, expected, relativeTolerance: 1e-10, absoluteTolerance: 1e-305),
          "cdf \(c.testDescription): \(lower) vs \(expected)")
        checked += 1
      }
      if let expected = c.sf_mpmath {
        #expect(
          isClose(upper, expected, relativeTolerance: 1e-10, absoluteTolerance: 1e-305),
          "sf \(c.testDescription): \(upper) vs \(expected)")
        checked += 1
      }
    }
    #expect(checked > 500)
  }

  @Test("both tails match scipy.stats.nct to 1e-10 relative or 2e-15 absolute")
  func matchesScipy() throws {
    var checked = 0
    for c in try Self.cases {
      let (lower, upper) = try NoncentralT(degreesOfFreedom: c.df, noncentrality: c.ncp).tails(c.t)
      // scipy (Boost) computes one tail and takes the other as 1 − p, so its small tails are good to
      // ~1e-16 absolute only (it gives 1.0e-16 for P(T ≤ −10; ν = 10, δ = 10), which mpmath puts at
      // 3.9e-36); the relative check on tails is the mpmath test's job. For ν > 1e5 Boost itself drifts
      // (1.6e-7 relative at t = 4, ν = 1e8, δ = −0.5, where Strata agrees with mpmath to 2e-13), so 1e-6.
      let relative = c.df > 1e5 ? 1e-6 : 1e-10
      if let expected = c.cdf {
        #expect(
          isClose(lower, expected, relativeTolerance: relative, absoluteTolerance: 2e-15),
          "cdf \(c.testDescription): \(lower) vs \(expected)")
        checked += 1
      }
      if let expected = c.sf {
        #expect(
          isClose(upper, expected, relativeTolerance: relative, absoluteTolerance: 2e-15),
          "sf \(c.testDescription): \(upper) vs \(expected)")
        checked += 1
      }
    }
    #expect(checked > 2000)
  }

  @Test("matches R's pt(q, df, ncp) to R's own accuracy where R is exact (df ≤ 4e5, ncp² ≤ 1417)")
  func matchesR() throws {
    var checked = 0
    for c in try Self.rCases where c.df <= 4e5 && c.ncp * c.ncp <= 1417 {
      let (lower, upper) = try NoncentralT(degreesOfFreedom: c.df, noncentrality: c.ncp).tails(c.t)
      // R's AS 243 stops at an absolute error of ~1e-12 and computes the far tail as 1 − p, so the
      // comparison is absolute (measured worst case: see docs/planning.md).
      #expect(abs(lower - c.cdf) <= 2e-11, "cdf \(c.testDescription): \(lower) vs \(c.cdf)")
      #expect(abs(upper - c.sf) <= 2e-11, "sf \(c.testDescription): \(upper) vs \(c.sf)")
      checked += 1
    }
    #expect(checked > 500)
  }

  @Test("tails add up to 1, the cdf rises with t and falls with δ (seeded random cases)")
  func properties() throws {
    var generator = SplitMix64(seed: 0x5EED_0007)
    for index in 0..<150 {
      let nu = exp(Double.random(in: log(0.5)...log(1e7), using: &generator))
      let delta = Double.random(in: -12...12, using: &generator)
      let t = Double.random(in: -15...15, using: &generator)
      let label = "case \(index): t=\(t) ν=\(nu) δ=\(delta)"
      let d = try NoncentralT(degreesOfFreedom: nu, noncentrality: delta)
      let (lower, upper) = try d.tails(t)
      #expect(lower >= 0 && lower <= 1 && upper >= 0 && upper <= 1, "\(label)")
      #expect(abs(lower + upper - 1) <= 1e-13, "\(label): \(lower) + \(upper)")
      // Monotone in t: the tail near 1 to its absolute accuracy, the small tail to its relative one.
      let (lowerAbove, upperAbove) = try d.tails(t + 0.5)
      #expect(lowerAbove >= lower - 1e-15, "\(label): cdf rises with t")
      #expect(upperAbove <= upper * (1 + 1e-10), "\(label): survival falls with t")
      let shifted = try NoncentralT(degreesOfFreedom: nu, noncentrality: delta + 0.5).cdf(t)
      #expect(shifted <= lower + 1e-15, "\(label): cdf falls as δ grows")
      // Reflection: P(T ≤ t; ν, δ) = P(T ≥ −t; ν, −δ).
      let mirrored = try NoncentralT(degreesOfFreedom: nu, noncentrality: -delta).survival(-t)
      #expect(isClose(mirrored, lower, relativeTolerance: 1e-10, absoluteTolerance: 1e-300), "\(label): reflection")
    }
  }

  @Test("δ = 0 is Student's t; ν → ∞ tends to N(δ, 1)")
  func limits() throws {
    for t in [-3.0, -0.4, 0, 1.7, 6] {
      let central = try StudentT(degreesOfFreedom: 7.5)
      let d = try NoncentralT(degreesOfFreedom: 7.5, noncentrality: 0)
      #expect(try d.cdf(t) == central.cdf(t))
      #expect(try d.survival(t) == central.survival(t))
      // For ν = 1e12 the t is normal up to O(1/ν).
      let wide = try NoncentralT(degreesOfFreedom: 1e12, noncentrality: 1.3)
      #expect(abs(try wide.cdf(t) - Normal.cdf(t - 1.3)) < 1e-9)
    }
    let d = try NoncentralT(degreesOfFreedom: 3, noncentrality: 2)
    #expect(try d.cdf(.infinity) == 1 && d.survival(.infinity) == 0)
    #expect(try d.cdf(-.infinity) == 0 && d.survival(-.infinity) == 1)
  }

  @Test("invalid parameters throw invalidInput")
  func validation() {
    #expect(throws: StatsError.self) { try NoncentralT(degreesOfFreedom: 0, noncentrality: 1) }
    #expect(throws: StatsError.self) { try NoncentralT(degreesOfFreedom: .infinity, noncentrality: 1) }
    #expect(throws: StatsError.self) { try NoncentralT(degreesOfFreedom: 3, noncentrality: .nan) }
    #expect(throws: StatsError.self) { try NoncentralT(degreesOfFreedom: 3, noncentrality: 1).cdf(.nan) }
  }
}

@Suite("Noncentral t regime switches")
struct NoncentralTRegimeTests {
  @Test(
    "the methods agree on both sides of each switch (series/quadrature at ν = 1e3 and |δ| = 20, quadrature/normal at ν = 1e10)"
  )
  func continuity() throws {
    // The switches are strict inequalities: the value itself takes the lower method, one ulp more the upper.
    let switches: [(below: (Double, Double), above: (Double, Double))] = [
      ((1e3, 2.8), (1e3.nextUp, 2.8)), ((1e3, -1.0), (1e3.nextUp, -1.0)), ((50, 20), (50, 20.0.nextUp)),
      ((1e10, 2.8), (1e10.nextUp, 2.8)), ((1e10, -5.0), (1e10.nextUp, -5.0)),
    ]
    for (lowSide, highSide) in switches {
      for t in [-3.0, 0.5, 2.0, 4.5, 19.0, 23.0] {
        let below = try NoncentralT(degreesOfFreedom: lowSide.0, noncentrality: lowSide.1).tails(t)
        let above = try NoncentralT(degreesOfFreedom: highSide.0, noncentrality: highSide.1).tails(t)
        let (nu, delta) = lowSide
        let label = "ν=\(nu) δ=\(delta) t=\(t): \(below) vs \(above)"
        // Each side's own error is ~1e-13 relative; 1e-12 relative (or 1e-300) leaves room for both.
        #expect(isClose(below.lower, above.lower, relativeTolerance: 1e-12, absoluteTolerance: 1e-300), "\(label)")
        #expect(isClose(below.upper, above.upper, relativeTolerance: 1e-12, absoluteTolerance: 1e-300), "\(label)")
      }
    }
  }
}

@Suite("Noncentral t at extreme inputs")
struct NoncentralTExtremeTests {
  @Test("tails stay in [0, 1] and add up to 1 from ν = 1e-3 to 1e300, |δ| to 1e6, |t| to 1e300")
  func extremes() throws {
    for nu in [1e-3, 0.5, 7, 999, 1e3 + 1, 1e6, 1e12, 1e300] {
      for delta in [-1e6, -25, -1e-8, 1e-300, 3, 25, 1e3, 1e6] {
        for t in [-1e300, -1e10, -30, -1e-300, 0, 0.7, 30, 1e10, 1e300] {
          let label = "ν=\(nu) δ=\(delta) t=\(t)"
          do {
            let (lower, upper) = try NoncentralT(degreesOfFreedom: nu, noncentrality: delta).tails(t)
            #expect(lower >= 0 && lower <= 1 && upper >= 0 && upper <= 1, "\(label): \(lower), \(upper)")
            #expect(abs(lower + upper - 1) <= 1e-12, "\(label): \(lower) + \(upper)")
          } catch {
            // Only the absurd corner of ν < 0.5 with |t| = 1e300 (tails near ½ spread over 700 e-folds
            // of s) may give up, and it must say so (a numerical error) rather than return a number.
            #expect(nu < 0.5 && abs(t) == 1e300, "\(label): \(error)")
            #expect("\(error)".hasPrefix("numerical failure"), "\(label): \(error)")
            #expect(!"\(error)".contains("(status"), "\(label): \(error)")  // no internals for users
          }
        }
      }
    }
  }
}
