import Foundation
import StrataTestSupport
import Testing

/// `plan.prior` and `plan.bayesian_scale` end to end (issue 18).
///
/// A definition's `prior: 0.1` reaches every `results[].bayesian` of `strata analyze --json` as a proper
/// N(0, 0.1²) prior on the relative lift, and without it the prior is flat. Each summary is checked against the closed form computed here from the same result's own arm
/// statistics (the Gaussian approximation with the delta-method variance of the relative lift; rates with
/// the binomial variance p(1 − p)).
@Suite("strata analyze: plan.prior in the Bayesian summaries")
struct AnalyzeBayesianPriorCLITests {
  static let root = packageRootURL()
  static let data = root.appendingPathComponent("experiments/data/gym-renewal.csv").path

  /// The gym-renewal definition with `lines` added under `plan:`, analysed with `--json` (no look log).
  static func analyze(planLines: [String]) throws -> [String: Any] {
    let text = try String(
      contentsOf: root.appendingPathComponent("experiments/gym-renewal.yaml"), encoding: .utf8)
    #expect(text.contains("\nplan:\n"))
    let edited = text.replacingOccurrences(
      of: "\nplan:\n", with: "\nplan:\n" + planLines.map { "  \($0)\n" }.joined())
    let directory = try makeTemporaryDirectory("strata-prior")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("gym-renewal.yaml")
    try edited.write(to: file, atomically: true, encoding: .utf8)
    let run = try runStrata(["analyze", "--experiment", file.path, "--data", data, "--no-look-log", "--json"])
    #expect(run.status == 0, "\(run.stderr)")
    return try run.json()
  }

  static func cdf(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }
  static func density(_ z: Double) -> Double { exp(-z * z / 2) / (2 * Double.pi).squareRoot() }

  /// Checks every comparison's `bayesian` against the closed form under `prior` (nil: flat) on the relative
  /// or absolute lift; returns how many.
  static func checkSummaries(_ json: [String: Any], prior: Double?, relative: Bool = true) throws -> Int {
    let results = try #require(json["results"] as? [[String: Any]])
    var checked = 0
    for r in results {
      let b = try #require(r["bayesian"] as? [String: Any], "every gym-renewal comparison has a summary")
      #expect(b["scale"] as? String == (relative ? "relative" : "absolute"))
      #expect(b["prior"] as? String == (prior == nil ? "flat" : "normal"))
      if let prior { #expect(b["prior_sd"] as? Double == prior) } else { #expect(b["prior_sd"] is NSNull) }
      let nc = try #require(r["n_control"] as? Double), nt = try #require(r["n_treatment"] as? Double)
      let mc: Double, mt: Double, sc: Double, st: Double
      if r["kind"] as? String == "binomial" {
        mc = try #require(r["rate_control"] as? Double)
        mt = try #require(r["rate_treatment"] as? Double)
        (sc, st) = ((mc * (1 - mc)).squareRoot(), (mt * (1 - mt)).squareRoot())
      } else {
        mc = try #require(r["mean_control"] as? Double)
        mt = try #require(r["mean_treatment"] as? Double)
        (sc, st) = (try #require(r["sd_control"] as? Double), try #require(r["sd_treatment"] as? Double))
      }
      let lift = relative ? (mt - mc) / mc : mt - mc
      let variance =
        relative
        ? st * st / (nt * mc * mc) + sc * sc * mt * mt / (nc * mc * mc * mc * mc) : st * st / nt + sc * sc / nc
      let precision = 1 / variance + (prior.map { 1 / ($0 * $0) } ?? 0)
      let mean = lift / variance / precision
      let sd = (1 / precision).squareRoot()
      let z = mean / sd
      let expected: [(String, Double)] = [
        ("posterior_mean", mean), ("posterior_sd", sd), ("ci_low", mean - 1.959963984540054 * sd),
        ("ci_high", mean + 1.959963984540054 * sd), ("chance_to_win", cdf(z)),
        ("risk_control", mean * cdf(z) + sd * density(z)), ("risk_treatment", -mean * cdf(-z) + sd * density(z)),
      ]
      for (key, value) in expected {
        let actual = try #require(b[key] as? Double, "\(key)")
        #expect(
          isClose(actual, value, relativeTolerance: 1e-9, absoluteTolerance: 1e-13), "\(key): \(actual) vs \(value)")
      }
      checked += 1
    }
    return checked
  }

  @Test("prior: 0.1 gives a normal prior with prior_sd 0.1; the default is flat; both match the closed form")
  func priorEndToEnd() throws {
    let proper = try Self.analyze(planLines: ["prior: 0.1"])
    let flat = try Self.analyze(planLines: [])
    #expect(try Self.checkSummaries(proper, prior: 0.1) >= 8)
    #expect(try Self.checkSummaries(flat, prior: nil) >= 8)
    // The prior pulls the posterior toward 0: never further from it than the flat one.
    let a = try #require(proper["results"] as? [[String: Any]]), b = try #require(flat["results"] as? [[String: Any]])
    for (x, y) in zip(a, b) {
      let shrunk = try #require((x["bayesian"] as? [String: Any])?["posterior_mean"] as? Double)
      let raw = try #require((y["bayesian"] as? [String: Any])?["posterior_mean"] as? Double)
      #expect(abs(shrunk) < abs(raw))
    }
  }

  @Test("bayesian_scale: absolute summarises treatment − control, with the prior on that scale")
  func absoluteScale() throws {
    let json = try Self.analyze(planLines: ["prior: 0.02", "bayesian_scale: absolute"])
    #expect(try Self.checkSummaries(json, prior: 0.02, relative: false) >= 8)
  }

  /// gbstats 0.8.0's absolute cases with a flat prior on proportions (Tests/StrataStatsTests/Fixtures/
  /// bayesian_gbstats.json, from Scripts/fixtures/bayesian_gbstats.py), one segment each, analysed as
  /// aggregated cells; a seventh segment with no conversion under control has no relative lift and falls back
  /// to the absolute one with the flat prior although the plan sets one.
  @Test("absolute summaries match gbstats end to end; a control rate of 0 falls back to the absolute lift")
  func absoluteAgainstGbstats() throws {
    let fixture = Self.root.appendingPathComponent("Tests/StrataStatsTests/Fixtures/bayesian_gbstats.json")
    let all =
      try #require(
        try JSONSerialization.jsonObject(with: Data(contentsOf: fixture)) as? [String: Any])["cases"]
      as? [[String: Any]]
    let cases = try #require(all).filter {
      $0["relative"] as? Bool == false && $0["prior_variance"] is NSNull && $0["lower_is_better"] as? Bool == false
        && (($0["control"] as? [String: Any])?["mean"] as? Double ?? 2) < 1
    }
    #expect(cases.count == 6)
    var csv = "variant,segment,n,converted_sum\n"
    var segments = ""
    for (index, c) in cases.enumerated() {
      for (variant, arm) in [("control", "control"), ("treatment", "treatment")] {
        let a = try #require(c[arm] as? [String: Any])
        let n = try #require(a["n"] as? Int), mean = try #require(a["mean"] as? Double)
        csv += "\(variant),s\(index),\(n),\(Int((mean * Double(n)).rounded()))\n"
      }
      segments += "  - name: s\(index)\n    rule: g == \(index)\n"
    }
    csv += "control,zero,500,0\ntreatment,zero,500,4\n"
    segments += "  - name: zero\n"
    let yaml = """
      id: gbstats-absolute
      variants: [control, treatment]
      segments:
      \(segments)metrics:
        - name: converted
          kind: binomial
          role: primary
      plan:
        prior: 0.5

      """
    let directory = try makeTemporaryDirectory("strata-gb")
    defer { try? FileManager.default.removeItem(at: directory) }
    let definition = directory.appendingPathComponent("gb.yaml"), cells = directory.appendingPathComponent("gb.csv")
    try yaml.replacingOccurrences(of: "plan:\n  prior: 0.5", with: "plan:\n  bayesian_scale: absolute").write(
      to: definition, atomically: true, encoding: .utf8)
    try csv.write(to: cells, atomically: true, encoding: .utf8)
    func run() throws -> [[String: Any]] {
      let run = try runStrata([
        "analyze", "--experiment", definition.path, "--data", cells.path, "--no-look-log", "--json",
      ])
      #expect(run.status == 0, "\(run.stderr)")
      return try #require(try run.json()["results"] as? [[String: Any]])
    }
    let results = try run()
    for (index, c) in cases.enumerated() {
      let r = try #require(results.first { $0["segment"] as? String == "s\(index)" })
      let b = try #require(r["bayesian"] as? [String: Any])
      #expect(b["scale"] as? String == "absolute" && b["prior"] as? String == "flat")
      for (key, tolerance) in [
        ("posterior_mean", 1e-9), ("posterior_sd", 1e-9), ("ci_low", 1e-9), ("ci_high", 1e-9),
        ("chance_to_win", 1e-6), ("risk_control", 1e-6), ("risk_treatment", 1e-6),
      ] {
        let actual = try #require(b[key] as? Double), expected = try #require(c[key] as? Double)
        #expect(
          isClose(actual, expected, relativeTolerance: tolerance, absoluteTolerance: 1e-12),
          "\(c["name"] ?? ""): \(key) \(actual) vs gbstats \(expected)")
      }
    }
    // Relative by default: the zero-control segment falls back to the absolute lift and the flat prior.
    try yaml.write(to: definition, atomically: true, encoding: .utf8)
    let fallback = try run()
    let zero = try #require(fallback.first { $0["segment"] as? String == "zero" })
    let b = try #require(zero["bayesian"] as? [String: Any])
    #expect(b["scale"] as? String == "absolute" && b["prior"] as? String == "flat" && b["prior_sd"] is NSNull)
    #expect(isClose(try #require(b["posterior_mean"] as? Double), 0.008, relativeTolerance: 1e-12))
    let other = try #require(fallback.first { $0["segment"] as? String == "s0" }?["bayesian"] as? [String: Any])
    #expect(other["scale"] as? String == "relative" && other["prior"] as? String == "normal")
  }
}
