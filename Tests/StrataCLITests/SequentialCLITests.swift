import Foundation
import StrataTestSupport
import Testing

@Suite("strata calc boundaries, simulate, plan --looks")
struct SequentialCLITests {
  @Test func boundariesJSONFollowsTheContract() throws {
    let run = try runStrata([
      "calc", "boundaries", "--looks", "5", "--alpha", "0.05", "--sides", "2", "--spending", "obf", "--json",
    ])
    #expect(run.status == 0)
    let looks = try #require(try run.json()["looks"] as? [[String: Any]])
    #expect(looks.count == 5)
    for look in looks {
      for key in ["fraction", "z", "nominal_p", "alpha_spent"] {
        #expect(look[key] is Double || look[key] is Int, "\(key)")
      }
    }
    // rpact 3.3.4 getDesignGroupSequential(kMax = 5, alpha = 0.05, sided = 2, typeOfDesign = "asOF").
    let z = looks.compactMap { $0["z"] as? Double }
    for (got, expected) in zip(
      z, [4.87688494879076, 3.3570119217038155, 2.680280067026615, 2.2898167744278908, 2.031032048165798])
    {
      #expect(isClose(got, expected, relativeTolerance: 1e-6))
    }
    // Two-sided nominal p = 2(1 − Φ(z)).
    #expect(isClose(looks[0]["nominal_p"] as? Double ?? 0, 1.0777425258509317e-06, relativeTolerance: 1e-6))
  }

  @Test func tinyEarlySpendingStaysFinite() throws {
    // rpact prints Inf for looks 1–2 of this design.
    let run = try runStrata(["calc", "boundaries", "--looks", "10", "--alpha", "0.01", "--spending", "obf", "--json"])
    #expect(run.status == 0)
    let looks = try #require(try run.json()["looks"] as? [[String: Any]])
    #expect(isClose(looks[0]["z"] as? Double ?? 0, 8.799158954365282, relativeTolerance: 1e-9))
    #expect((looks[1]["z"] as? Double ?? 0) > 6)
  }

  /// The library names values (`looks`, `alternative`); the message names the flag that was wrong.
  @Test(arguments: [
    (["--looks", "0", "--spending", "obf"], "--looks"), (["--looks", "3", "--spending", "foo"], "--spending"),
    (["--looks", "3", "--fractions", "0.5,0.4,1", "--spending", "obf"], "--fractions"),
    (["--looks", "3", "--fractions", "0.2,0.5,0.9", "--spending", "obf"], "--fractions"),
    (["--looks", "3", "--alpha", "1.2", "--spending", "obf"], "--alpha"),
    (["--looks", "3", "--alpha", "0", "--spending", "obf"], "--alpha"),
    (["--looks", "3", "--sides", "3", "--spending", "obf"], "--sides"),
    (["--looks", "2", "--spending", "hsd:abc"], "--spending"),
    (["--looks", "2", "--spending", "hsd:500"], "--spending"),
  ])
  func badBoundaryInputExitsOne(_ arguments: [String], flag: String) throws {
    for command in [["calc", "boundaries"], ["simulate", "--experiments", "10"]] {
      let run = try runStrata(command + arguments)
      #expect(run.status == 1)
      #expect(run.stderr.hasPrefix("strata: error: \(flag): "), "names the flag: \(run.stderr)")
      #expect(run.stdout.isEmpty)
    }
  }

  /// `--spending` is spelled the same way by every command: case-insensitive obf (of, obrien-fleming),
  /// pocock (p) or hsd:GAMMA, obf when left out.
  @Test func everyCommandTakesTheSameSpendings() throws {
    for (spelling, canonical) in [("OBF", "obf"), ("of", "obf"), ("Pocock", "pocock"), ("hsd:-4", "hsd:-4")] {
      let boundaries = try runStrata(["calc", "boundaries", "--looks", "3", "--spending", spelling, "--json"])
      #expect(try boundaries.json()["spending"] as? String == canonical)
      let simulate = try runStrata(
        ["simulate", "--looks", "3", "--spending", spelling, "--experiments", "10", "--json"])
      #expect(try simulate.json()["spending"] as? String == canonical)
      let plan = try runStrata(
        ["plan", "--metric", "mean", "--sd", "10", "--mde", "2", "--looks", "3", "--spending", spelling, "--json"])
      #expect(try plan.json()["spending"] as? String == canonical)
    }
    let unnamed = try runStrata(["calc", "boundaries", "--looks", "3", "--json"])
    #expect(try unnamed.json()["spending"] as? String == "obf")
  }

  @Test func unparsableValueIsAUsageError() throws {
    #expect(try runStrata(["calc", "boundaries", "--looks", "two", "--spending", "obf"]).status == 64)
    #expect(
      try runStrata(["calc", "boundaries", "--looks", "2", "--fractions", "0.5,x", "--spending", "obf"]).status == 64)
  }

  @Test func helpHasExamples() throws {
    for command in [["calc", "boundaries"], ["simulate"]] {
      let run = try runStrata(command + ["--help"])
      #expect(run.status == 0)
      #expect(run.stdout.contains("Examples:"))
    }
  }

  @Test func humanTableIsAligned() throws {
    let run = try runStrata(["calc", "boundaries", "--looks", "3", "--spending", "pocock"])
    #expect(run.status == 0)
    #expect(run.stdout.contains("look  fraction  z boundary"))
  }

  @Test func simulateIsReproducible() throws {
    let arguments = [
      "simulate", "--looks", "4", "--alpha", "0.025", "--sides", "1", "--experiments", "3000", "--seed", "11", "--json",
    ]
    let first = try runStrata(arguments)
    let second = try runStrata(arguments)
    #expect(first.status == 0)
    #expect(first.stdout == second.stdout)
    let json = try first.json()
    #expect(json["rate_is"] as? String == "false_positive_rate")
    let methods = try #require(json["methods"] as? [[String: Any]])
    #expect(methods.map { $0["method"] as? String } == ["naive", "group_sequential", "always_valid"])
    for m in methods {
      let rate = m["rate"] as? Double ?? -1
      #expect((m["ci_low"] as? Double ?? 1) <= rate && rate <= (m["ci_high"] as? Double ?? 0))
    }
    #expect(try runStrata(["simulate", "--looks", "4", "--experiments", "0"]).status == 1)
  }

  @Test func planWithLooksAddsInflation() throws {
    let run = try runStrata([
      "plan", "--metric", "mean", "--sd", "10.0", "--mde", "2.0", "--looks", "5", "--spending", "hsd:-4", "--json",
    ])
    #expect(run.status == 0)
    let json = try run.json()
    // rpact 3.3.4 getDesignCharacteristics(...)$inflationFactor.
    let inflation = json["inflation"] as? Double ?? 0
    #expect(isClose(inflation, 1.0253892860712406, relativeTolerance: 1e-6))
    let fixed = json["n_per_variant_unrounded"] as? Double ?? 0
    #expect(json["max_n_per_variant"] as? Int == Int((fixed * inflation).rounded(.up)))
    #expect(json["n_per_variant"] as? Int == Int(fixed.rounded(.up)))
    // --looks needs a sample-size or power question; --spending without --looks is a usage error.
    #expect(try runStrata(["plan", "--metric", "mean", "--sd", "10", "--n", "100", "--looks", "3"]).status == 64)
    #expect(try runStrata(["plan", "--metric", "mean", "--sd", "10", "--mde", "2", "--spending", "obf"]).status == 64)
    #expect(try runStrata(["plan", "--metric", "mean", "--sd", "10", "--mde", "2", "--looks", "0"]).status == 1)
  }

  /// With --n at the planned maximum, the sequential power is back at the target.
  @Test func planPowerWithLooks() throws {
    let arguments = ["plan", "--metric", "proportion", "--baseline", "0.18", "--mde", "0.10", "--relative"]
    let sized = try runStrata(arguments + ["--looks", "5", "--spending", "obf", "--json"]).json()
    let maximum = try #require(sized["max_n_per_variant"] as? Int)
    let run = try runStrata(arguments + ["--n", "\(maximum)", "--looks", "5", "--spending", "obf", "--json"])
    #expect(run.status == 0)
    let json = try run.json()
    let power = json["power_sequential"] as? Double ?? 0
    #expect(power >= 0.8 && power < 0.8005, "power \(power) at the rounded-up maximum")
    #expect((json["power"] as? Double ?? 0) > power)
    let fraction = json["expected_fraction_at_stop"] as? Double ?? 0
    #expect(fraction > 0.7 && fraction < 0.9)
  }
}

@Suite("strata simulate pooling")
struct SimulatePoolingCLITests {
  @Test func shrinkageLowersTheErrorAndIsReproducible() throws {
    let arguments = [
      "simulate", "pooling", "--segments", "5", "--campaigns", "10", "--seed", "5", "--calibrated", "--json",
    ]
    let first = try runStrata(arguments)
    #expect(first.status == 0, "stderr: \(first.stderr)")
    #expect(first.stdout == (try runStrata(arguments)).stdout)
    let json = try first.json()
    #expect(json["seed"] as? Int == 5)
    #expect(json["estimates"] as? Int == 50)
    let calibrated = try #require(json["coverage_calibrated"] as? Double)
    #expect(calibrated > 0.5 && calibrated <= 1)
    let ratio = try #require(json["mse_ratio"] as? Double)
    #expect(ratio > 0 && ratio < 1)
    // Monte Carlo standard errors over campaigns (the independent units).
    for key in ["coverage_raw_mc_se", "coverage_shrunken_mc_se", "coverage_calibrated_mc_se", "mse_ratio_mc_se"] {
      let se = try #require(json[key] as? Double, "\(key)")
      #expect(se >= 0 && se < 0.5, "\(key) = \(se)")
    }
    let other = try runStrata([
      "simulate", "pooling", "--segments", "5", "--campaigns", "10", "--seed", "6", "--json",
    ])
    #expect(try other.json()["coverage_calibrated"] is NSNull)
    #expect(other.stdout != first.stdout, "the seed reaches the simulation")
  }

  @Test func badValuesExitOne() throws {
    #expect(try runStrata(["simulate", "pooling", "--segments", "1"]).status == 1)
    #expect(try runStrata(["simulate", "pooling", "--tau=-1"]).status == 1)
    #expect(try runStrata(["simulate", "pooling", "--tau-prior-scale", "0"]).status == 1)
    #expect(try runStrata(["simulate", "pooling", "--campaigns", "x"]).status == 64)
  }
}
