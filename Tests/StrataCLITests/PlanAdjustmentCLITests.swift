import Foundation
import StrataTestSupport
import Testing

@Suite("strata plan: ratio metrics and CUPED")
struct PlanAdjustmentCLITests {
  @Test("--correlation sizes a proportion test with 1 − ρ² of the units")
  func correlationShrinksTheSize() throws {
    let base = ["plan", "--metric", "proportion", "--baseline", "0.3", "--mde", "0.02", "--json"]
    let plain = try runStrata(base).json()
    let adjusted = try runStrata(base + ["--correlation", "0.6"]).json()
    let n0 = try #require(plain["n_per_variant_unrounded"] as? Double)
    let n1 = try #require(adjusted["n_per_variant_unrounded"] as? Double)
    #expect(isClose(n1, n0 * 0.64, relativeTolerance: 1e-12))
    #expect(isClose(try #require(adjusted["variance_reduction"] as? Double), 0.36, relativeTolerance: 1e-12))
    #expect(adjusted["correlation"] as? Double == 0.6)
  }

  @Test("--metric ratio sizes the ratio as a mean with R and the delta-method sd")
  func ratio() throws {
    let run = try runStrata([
      "plan", "--metric", "ratio", "--numerator-mean", "90", "--numerator-sd", "80", "--denominator-mean", "1.8",
      "--denominator-sd", "1.2", "--ratio-correlation", "0.7", "--mde", "0.03", "--relative", "--json",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let json = try run.json()
    #expect(json["metric"] as? String == "ratio")
    #expect(json["baseline"] as? Double == 50)
    // σ_R = √(80² − 2·50·0.7·80·1.2 + 50²·1.2²)/1.8.
    let expected = (6400 - 2 * 50 * 0.7 * 80 * 1.2 + 2500 * 1.44).squareRoot() / 1.8
    #expect(isClose(try #require(json["sd"] as? Double), expected, relativeTolerance: 1e-12))
  }

  @Test("Missing ratio inputs and conflicting CUPED flags are usage errors; ρ = 1 is an input error")
  func errors() throws {
    let missing = try runStrata(["plan", "--metric", "ratio", "--numerator-mean", "1", "--mde", "0.1"])
    #expect(missing.status == 64)
    #expect(missing.stderr.contains("--denominator-mean"))
    let both = try runStrata([
      "plan", "--metric", "mean", "--sd", "2", "--mde", "0.1", "--correlation", "0.5", "--variance-reduction", "0.2",
    ])
    #expect(both.status == 64)
    let stray = try runStrata(["plan", "--metric", "mean", "--sd", "2", "--mde", "0.1", "--numerator-mean", "3"])
    #expect(stray.status == 64)
    let one = try runStrata(["plan", "--metric", "mean", "--sd", "2", "--mde", "0.1", "--correlation", "1"])
    #expect(one.status == 1)
    #expect(one.stderr.contains("--correlation"))
    let reduction = try runStrata([
      "plan", "--metric", "mean", "--sd", "2", "--mde", "0.1", "--variance-reduction", "1",
    ])
    #expect(reduction.status == 1)
    #expect(reduction.stderr.contains("--variance-reduction"))
  }
}
