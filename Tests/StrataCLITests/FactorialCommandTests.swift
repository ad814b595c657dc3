import Foundation
import StrataTestSupport
import Testing

@Suite("strata calc factorial")
struct FactorialCommandTests {
  static let factors = "subject:short|question,image:photo|none,cta:buy|learn"
  static let cells = "2000,96;2000,118;2000,104;2000,131;2000,99;2000,125;2000,101;2000,160"

  @Test("a saturated 2×2×2 proportion analysis: Type III table, marginal means, cells and the best cell")
  func proportions() throws {
    let run = try runStrata([
      "calc", "factorial", "--factors", Self.factors, "--metric", "proportion", "--cells", Self.cells, "--json",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let json = try run.json()
    #expect(json["covariance"] as? String == "hc1")
    #expect(json["anova_type"] as? Int == 3)
    #expect(json["unit_count"] as? Double == 16000)
    let anova = try #require(json["anova"] as? [[String: Any]])
    #expect(
      anova.map { $0["term"] as? String } == [
        "subject", "image", "cta", "subject:image", "subject:cta", "image:cta", "subject:image:cta",
      ])
    for row in anova {
      let p = try #require(row["p_value"] as? Double)
      #expect(p > 0 && p <= 1)
    }
    let cells = try #require(json["cells"] as? [[String: Any]])
    #expect(cells.count == 8)
    // Saturated model: fitted = observed conversion rate.
    for cell in cells {
      let observed = try #require(cell["observed"] as? Double)
      let fitted = try #require(cell["fitted"] as? Double)
      #expect(abs(observed - fitted) < 1e-12)
    }
    let best = try #require(json["best_cell"] as? [String: Any])
    #expect(best["levels"] as? [String: String] == ["subject": "question", "image": "none", "cta": "learn"])
    #expect(best["observed"] as? Double == 0.08)
    #expect(json["cells_compared"] as? Int == 8, "how many cells the best was chosen among")
    let means = try #require(json["marginal_means"] as? [[String: Any]])
    // Each marginal mean is the unweighted average of its cells' rates: subject=short → (96+104+99+101)/8000.
    let short = try #require(means.first { $0["level"] as? String == "short" })
    #expect(abs((short["estimate"] as? Double ?? 0) - 0.05) < 1e-12)
    // question − short, averaged over image and cta: (118+131+125+160 − 96−104−99−101)/8000.
    let differences = try #require(json["level_differences"] as? [[String: Any]])
    let subject = try #require(differences.first { $0["factor"] as? String == "subject" })
    #expect(subject["baseline"] as? String == "short")
    #expect(abs((subject["difference"] as? Double ?? 0) - 134.0 / 8000) < 1e-12)
    // Interaction-plot means: subject × image averaged over cta, e.g. (short, photo) = (96 + 99)/4000.
    let pairs = try #require(json["interaction_means"] as? [[String: Any]])
    #expect(pairs.count == 3)
    let first = try #require(pairs.first?["means"] as? [[String: Any]])
    #expect(first.count == 4)
    #expect(abs((first[0]["estimate"] as? Double ?? 0) - 195.0 / 4000) < 1e-12)
  }

  @Test("means with a fraction: two-factor interactions aliased in pairs are reported")
  func fractionMeans() throws {
    let run = try runStrata([
      "calc", "factorial", "--factors", "a:2,b:2,c:2,d:2", "--fraction", "1/2", "--metric", "mean",
      "--cells", "50,10,2;50,10.4,2;50,10.1,2.2;50,10.9,2;50,10.2,1.9;50,10.8,2.1;50,10.3,2;50,11.2,2.3", "--json",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let json = try run.json()
    #expect(json["resolution"] as? Int == 4)
    let terms = try #require(json["terms"] as? [[String: Any]])
    #expect(terms.map { $0["term"] as? String } == ["a", "b", "c", "d", "a:b", "a:c", "a:d"])
    #expect(terms[4]["aliased_with"] as? [String] == ["c:d"])
    let aliased = try #require(json["aliased_terms"] as? [[String: Any]])
    #expect(aliased.count == 3)
  }

  @Test("Type II and Type III tables agree for equal cells and differ for unequal ones")
  func anovaTypes() throws {
    func statistics(_ cells: String, _ type: String) throws -> [Double] {
      let run = try runStrata([
        "calc", "factorial", "--factors", "a:3,b:2", "--metric", "mean", "--cells", cells, "--anova", type, "--json",
      ])
      #expect(run.status == 0, "\(run.stderr)")
      #expect(try run.json()["anova_type"] as? Int == Int(type))
      return (try run.json()["anova"] as? [[String: Any]] ?? []).compactMap { $0["statistic"] as? Double }
    }
    let equal = "20,1,1;20,1.5,1;20,1.2,1;20,2,1;20,1.1,1;20,1.9,1"
    for (x, y) in zip(try statistics(equal, "2"), try statistics(equal, "3")) { #expect(abs(x - y) <= 1e-9 * abs(y)) }
    let unequal = "5,1,1;40,1.5,1;12,1.2,1;30,2,1;8,1.1,1;25,1.9,1"
    let (two, three) = (try statistics(unequal, "2"), try statistics(unequal, "3"))
    #expect(two.count == 3 && three.count == 3)
    #expect(abs(two[0] - three[0]) > 1e-6 * abs(three[0]))
    #expect(abs(two[2] - three[2]) <= 1e-9 * abs(three[2]))  // the highest-order term is the same test
  }

  @Test(
    "bad input exits 1 with a sentence",
    arguments: [
      (["--metric", "proportion", "--cells", "100,5;100,6"], "8 runs"),
      (["--metric", "proportion", "--cells", "100,5;100,6;100,5;100,6;100,5;100,6;100,5;100,160"], "cannot exceed"),
      (["--metric", "ratio", "--cells", "1,1"], "--metric"),
      (["--metric", "mean", "--cells", "100,5;100,6;100,5;100,6;100,5;100,6;100,5;100,6"], "n,mean,sd"),
      (["--metric", "proportion", "--errors", "hc9", "--cells", cells], "--errors"),
      (["--metric", "proportion", "--anova", "1", "--cells", cells], "--anova"),
      (["--metric", "proportion", "--fraction", "1/2", "--generators", "C=AB", "--cells", cells], "not both"),
    ])
  func badInput(arguments: [String], fragment: String) throws {
    let run = try runStrata(["calc", "factorial", "--factors", Self.factors] + arguments)
    #expect(run.status == 1, "\(arguments): \(run.stderr)")
    #expect(run.stderr.contains(fragment), "\(run.stderr)")
  }

  @Test("strata design takes --fraction or --generators, not both; either gives the same half fraction")
  func designFractionOrGenerators() throws {
    let both = try runStrata(["design", "--factors", Self.factors, "--fraction", "1/2", "--generators", "C=AB"])
    #expect(both.status == 1 && both.stderr.contains("--fraction and --generators: give one or the other"))
    let fraction = try runStrata(["design", "--factors", Self.factors, "--fraction", "1/2", "--json"])
    let generators = try runStrata(["design", "--factors", Self.factors, "--generators", "C=AB", "--json"])
    #expect(fraction.status == 0 && generators.status == 0, "\(fraction.stderr) \(generators.stderr)")
    #expect(fraction.stdout == generators.stdout)
  }
}
