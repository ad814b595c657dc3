import Foundation
import StrataTestSupport
import Testing

@Suite("strata simulate pooling --variants")
struct SimulatePoolingVariantsCLITests {
  @Test func severalVariantsAddTheirKeysAndText() throws {
    let arguments = [
      "simulate", "pooling", "--segments", "4", "--variants", "3", "--lead", "1.5", "--campaigns", "30", "--seed",
      "9", "--calibrated",
    ]
    let run = try runStrata(arguments + ["--json"])
    #expect(run.status == 0, "stderr: \(run.stderr)")
    #expect(run.stdout == (try runStrata(arguments + ["--json"])).stdout, "seeded")
    let json = try run.json()
    #expect(json["variants"] as? Int == 3)
    #expect(json["lead"] as? Double == 1.5)
    #expect(json["adjusted_for"] as? Int == 12)
    let share = try #require(json["leader_chosen_share"] as? Double)
    #expect(share >= 0 && share <= 1)
    #expect(json["leader_chosen_share_mc_se"] is Double)
    let best = try #require(json["best_segment"] as? [String: Any])
    #expect(best["quoted_interval"] as? String == "morris_adjusted")
    for key in [
      "coverage_quoted", "coverage_quoted_segments_only", "coverage_raw_adjusted",
      "coverage_raw_adjusted_segments_only",
    ] {
      let value = try #require(best[key] as? Double, "\(key)")
      #expect(value >= 0 && value <= 1, "\(key) = \(value)")
      #expect(best[key + "_mc_se"] is Double, "\(key)_mc_se")
    }
    // Each campaign's interval adjusted for K lies inside its V·K one.
    #expect((best["coverage_quoted_segments_only"] as? Double ?? 2) <= (best["coverage_quoted"] as? Double ?? -1))
    let text = try runStrata(arguments)
    #expect(text.status == 0)
    #expect(text.stdout.contains("30 simulated campaigns × 4 segments × 3 variants sharing one control (the first "))
    #expect(text.stdout.contains("raw, Bonferroni over 4 segments × 3 variants"))
    #expect(text.stdout.contains("morris_adjusted for the 4 segments only"))
  }

  @Test func oneVariantKeepsItsOutputAndAddsNeutralKeys() throws {
    let run = try runStrata(["simulate", "pooling", "--segments", "2", "--campaigns", "20", "--seed", "3", "--json"])
    #expect(run.status == 0)
    let json = try run.json()
    #expect(json["variants"] as? Int == 1 && json["adjusted_for"] as? Int == 2)
    #expect(json["leader_chosen_share"] is NSNull)
    let best = try #require(json["best_segment"] as? [String: Any])
    #expect(best["coverage_raw_adjusted_segments_only"] as? Double == best["coverage_raw_adjusted"] as? Double)
    let text = try runStrata(["simulate", "pooling", "--segments", "2", "--campaigns", "20", "--seed", "3"])
    #expect(!text.stdout.contains("variants") && !text.stdout.contains("segments only"))
  }

  @Test func badVariantsOrLeadExitOneNamingTheFlag() throws {
    for (arguments, flag) in [
      (["--variants", "0"], "--variants"), (["--variants", "1001"], "--variants"),
      (["--variants", "3", "--lead", "nan"], "--lead"), (["--variants", "3", "--lead", "inf"], "--lead"),
      (["--lead", "2"], "--lead"),
    ] {
      let run = try runStrata(["simulate", "pooling", "--campaigns", "5"] + arguments)
      #expect(run.status == 1, "\(arguments)")
      #expect(run.stderr.hasPrefix("strata: error: \(flag): "), "\(arguments): \(run.stderr)")
      #expect(run.stdout.isEmpty)
    }
    #expect(try runStrata(["simulate", "pooling", "--variants", "x"]).status == 64)
  }

  @Test func helpShowsAnExample() throws {
    let help = try runStrata(["simulate", "pooling", "--help"])
    #expect(help.stdout.contains("strata simulate pooling --segments 2 --variants 15 --lead 2 --json"))
    #expect(help.stdout.contains("--lead <lead>"))
  }
}
