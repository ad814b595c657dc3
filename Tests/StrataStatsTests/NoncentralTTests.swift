import Foundation
import StrataStats
import StrataTestSupport
import Testing

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

@Suite("Noncentral t distribution")
struct NoncentralTTests {
  static var cases: [NoncentralTCase] { get throws { try Fixture<NoncentralTCase>.load("noncentral_t", from: .module) } }

  @Test("diagnostic")
  func diagnostic() throws {
    var rows: [(Double, String)] = []
    for c in try Self.cases {
      let d = try NoncentralT(degreesOfFreedom: c.df, noncentrality: c.ncp)
      let (lo, up) = try d.tails(c.t)
      func rel(_ a: Double, _ e: Double) -> Double { e == 0 ? abs(a) : abs(a - e) / abs(e) }
      if let e = c.cdf { rows.append((rel(lo, e), "scipy cdf \(c.testDescription) got \(lo) exp \(e)")) }
      if let e = c.sf { rows.append((rel(up, e), "scipy sf \(c.testDescription) got \(up) exp \(e)")) }
      if let m = c.cdf_mpmath { rows.append((rel(lo, m), "mp cdf \(c.testDescription) got \(lo) exp \(m)")) }
      if let m = c.sf_mpmath { rows.append((rel(up, m), "mp sf \(c.testDescription) got \(up) exp \(m)")) }
    }
    rows.sort { $0.0 > $1.0 }
    let text = rows.prefix(400).map { "\($0.0) \($0.1)" }.joined(separator: "\n")
    try text.write(toFile: "/tmp/nct_diag.txt", atomically: true, encoding: .utf8)
  }
}
