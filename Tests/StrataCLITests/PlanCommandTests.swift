import Foundation
import StrataTestSupport
import Testing

@Suite("strata plan")
struct PlanCommandTests {
  @Test("--json prints the contract keys: sample size for a relative lift")
  func proportionSampleSize() throws {
    let run = try runStrata([
      "plan", "--metric", "proportion", "--baseline", "0.1", "--mde", "0.1", "--relative", "--json",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let json = try run.json()
    #expect(json["n_per_variant"] as? Int == 14751)
    #expect(json["n_total"] as? Int == 29502)
    #expect(json["days"] == nil)
    let unrounded = try #require(json["n_per_variant_unrounded"] as? Double)
    #expect(isClose(unrounded, 14750.79046904491, relativeTolerance: 1e-10))
    #expect(isClose(try #require(json["treatment_rate"] as? Double), 0.11, relativeTolerance: 1e-12))
    #expect(json["alpha_per_comparison"] as? Double == 0.05)
    #expect(json["solved_for"] as? String == "sample_size")
  }

  @Test("--daily-units adds days; K variants split alpha")
  func daysAndVariants() throws {
    let run = try runStrata([
      "plan", "--metric", "proportion", "--baseline", "0.01", "--mde", "0.002", "--daily-units", "5000", "--json",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let json = try run.json()
    #expect(json["n_per_variant"] as? Int == 42693)
    #expect(json["days"] as? Int == 18)
    let three = try runStrata([
      "plan", "--metric", "proportion", "--baseline", "0.15", "--mde", "0.01", "--alpha", "0.1", "--variants", "3",
      "--sides", "1", "--json",
    ])
    let threeJSON = try three.json()
    #expect(threeJSON["n_per_variant"] as? Int == 16195)
    #expect(threeJSON["n_total"] as? Int == 48585)
    #expect(threeJSON["alpha_per_comparison"] as? Double == 0.05)
  }

  /// A fractional or tiny --daily-units is printed in significant digits, not as "0.00" units a day taking a
  /// 300-digit number of days.
  @Test("--daily-units below 0.01 and durations beyond 9e15 days read in significant digits")
  func tinyDailyUnits() throws {
    let base = ["plan", "--metric", "proportion", "--baseline", "0.58", "--mde", "0.05"]
    let small = try runStrata(base + ["--daily-units", "0.001"])
    #expect(small.status == 0, "\(small.stderr)")
    #expect(small.stdout.contains("At 0.001 units a day that takes 3,000,000 days."), "\(small.stdout)")
    let tiny = try runStrata(base + ["--daily-units", "1e-300"])
    #expect(tiny.status == 0, "\(tiny.stderr)")
    #expect(tiny.stdout.contains("At 1e-300 units a day that takes 3e+303 days."), "\(tiny.stdout)")
    let usual = try runStrata(base + ["--daily-units", "12.5"])
    #expect(usual.stdout.contains("At 12.50 units a day that takes 240 days."), "\(usual.stdout)")
  }

  @Test("means: sample size, and the inverse problems with --n")
  func meansAndInverses() throws {
    let size = try runStrata(["plan", "--metric", "mean", "--sd", "4", "--mde", "1", "--sides", "1", "--json"]).json()
    #expect(size["n_per_variant"] as? Int == 199)
    #expect(size["n_total"] as? Int == 398)

    // R: power.t.test(n = 394, delta = 0.2, sd = 1)$power = 0.80074..., so --n 394 --mde 0.2 gives it back.
    let power = try runStrata(["plan", "--metric", "mean", "--sd", "1", "--mde", "0.2", "--n", "394", "--json"]).json()
    #expect(power["solved_for"] as? String == "power")
    let p = try #require(power["power"] as? Double)
    #expect(p > 0.8 && p < 0.802)

    let mde = try runStrata(["plan", "--metric", "proportion", "--baseline", "0.1", "--n", "14751", "--json"]).json()
    #expect(mde["solved_for"] as? String == "mde")
    let effect = try #require(mde["mde"] as? Double)
    #expect(effect > 0.00999 && effect < 0.01)
  }

  @Test("people get a sentence and aligned inputs")
  func humanOutput() throws {
    let run = try runStrata([
      "plan", "--metric", "proportion", "--baseline", "0.18", "--mde", "0.10", "--relative", "--variants", "3",
      "--daily-units", "1200",
    ])
    #expect(run.status == 0)
    #expect(run.stdout.contains("You need 8,993 units per variant, 26,979 in total over 3 variants."))
    #expect(run.stdout.contains("23 days"))
    #expect(run.stdout.contains("Bonferroni"))
    let help = try runStrata(["plan", "--help"])
    #expect(help.status == 0)
    #expect(help.stdout.contains("Gym renewal"))
  }

  @Test("invalid values exit 1 naming the flag; usage errors exit 64")
  func errors() throws {
    let invalid: [([String], String)] = [
      (["--metric", "proportion", "--baseline", "0.95", "--mde", "0.1"], "--mde"),
      (["--metric", "proportion", "--baseline", "1.5", "--mde", "0.1"], "--baseline"),
      (["--metric", "proportion", "--baseline", "0.1", "--mde", "0.01", "--alpha", "1.2"], "--alpha"),
      (["--metric", "proportion", "--baseline", "0.1", "--mde", "0.01", "--power", "1"], "--power"),
      (["--metric", "proportion", "--baseline", "0.1", "--mde", "0.01", "--variants", "1"], "--variants"),
      (["--metric", "proportion", "--baseline", "0.1", "--mde", "0.01", "--sides", "3"], "--sides"),
      (["--metric", "proportion", "--baseline", "0.1", "--mde=-0.01", "--sides", "1"], "--mde"),
      (["--metric", "mean", "--sd", "0", "--mde", "1"], "--sd"),
      (["--metric", "mean", "--sd", "2", "--mde", "1", "--n", "1"], "--n"),
      (["--metric", "mean", "--sd", "2", "--mde", "1", "--daily-units", "0"], "--daily-units"),
    ]
    for (arguments, flag) in invalid {
      let run = try runStrata(["plan"] + arguments + ["--json"])
      #expect(run.status == 1, "\(arguments): \(run.stderr)")
      #expect(run.stderr.contains(flag), "\(arguments): \(run.stderr)")
      #expect(run.stdout.isEmpty)
    }
    let usage: [[String]] = [
      ["--metric", "proportion", "--mde", "0.1"],  // no baseline
      ["--metric", "mean", "--mde", "1"],  // no sd
      ["--metric", "ratio", "--baseline", "0.1", "--mde", "0.1"],
      ["--metric", "proportion", "--baseline", "abc", "--mde", "0.1"],
      ["--metric", "proportion", "--baseline", "0.1"],  // neither --mde nor --n
      ["--metric", "proportion", "--baseline", "0.1", "--mde", "0.01", "--n", "100", "--power", "0.9"],
      ["--metric", "mean", "--sd", "1", "--mde", "0.1", "--relative"],  // relative mean without baseline
    ]
    for arguments in usage {
      let run = try runStrata(["plan"] + arguments)
      #expect(run.status == 64, "\(arguments): \(run.stderr)")
      #expect(!run.stderr.isEmpty)
    }
  }
}
