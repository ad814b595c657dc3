import Foundation
import StrataTestSupport
import Testing

/// The `strata calc` calculators as scripts see them: JSON keys, values, exit codes, stderr.
@Suite("strata calc: chi2, srm, fisher, proportions, ttest, msprt")
struct CalcCommandTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var arguments: [String]
    var keys: [String]
    var values: [String: Double]
    var testDescription: String { arguments.joined(separator: " ") }
  }

  // Values are the contract's references (scipy 1.17.1 / closed forms), as in ../shared/oracle.
  static let cases: [Case] = [
    Case(
      arguments: ["calc", "chi2", "--table", "120,880;150,850"],
      keys: ["statistic", "df", "p_value", "yates", "expected", "notes"],
      values: ["statistic": 3.8535645472061657, "df": 1, "p_value": 0.049640386865368834]),
    Case(
      arguments: ["calc", "srm", "--observed", "500000,530700"],
      keys: ["statistic", "df", "p_value", "mismatch", "threshold", "expected", "notes"],
      values: ["statistic": 914.4173862423596, "df": 1, "p_value": 7.205791201542648e-201]),
    Case(
      arguments: ["calc", "fisher", "--table", "500,10;10,500"],
      keys: ["p_value", "odds_ratio", "sides", "notes"],
      values: ["p_value": 6.424374460782394e-265, "odds_ratio": 2500]),
    Case(
      arguments: ["calc", "proportions", "--a", "300,2000", "--b", "255,2000"],
      keys: [
        "p_a", "p_b", "lift_abs", "ci_abs_low", "ci_abs_high", "lift_rel", "ci_rel_low", "ci_rel_high", "z",
        "p_value", "sides", "confidence_level", "notes",
      ],
      values: [
        "p_a": 0.15, "p_b": 0.1275, "lift_abs": -0.0225, "ci_abs_low": -0.04391406412060883,
        "ci_rel_high": -0.018241916172655512, "z": -2.058265548136524, "p_value": 0.03956464943290234,
      ]),
    Case(
      arguments: ["calc", "ttest", "--a", "2,1.0,1.0", "--b", "3,2.0,1.5"],
      keys: [
        "statistic", "df", "p_value", "diff", "ci_low", "ci_high", "lift_rel", "ci_rel_low", "ci_rel_high",
        "equal_var", "sides", "confidence_level", "notes",
      ],
      values: [
        "statistic": 0.8944271909999159, "df": 2.9411764705882355, "p_value": 0.4381930496234128,
        "ci_low": -2.598681532629285, "ci_high": 4.598681532629286,
      ]),
    Case(
      arguments: ["calc", "msprt", "--a", "5000,3.0,1.5", "--b", "3000,3.08,1.9", "--tau", "0.05"],
      keys: ["p_value", "ci_low", "ci_high", "diff", "likelihood_ratio", "tau", "confidence_level", "notes"],
      values: ["p_value": 0.494375714555471, "ci_low": -0.05779350855393145, "ci_high": 0.21779350855393145]),
  ]

  @Test(arguments: cases)
  func jsonHasTheContractKeysAndValues(_ c: Case) throws {
    let run = try runStrata(c.arguments + ["--json"])
    #expect(run.status == 0, "stderr: \(run.stderr)")
    let json = try run.json()
    #expect(Set(json.keys) == Set(c.keys))
    for (key, expected) in c.values {
      let actual = try #require(json[key] as? Double, "\(key) missing or not a number")
      #expect(isClose(actual, expected, relativeTolerance: 1e-9), "\(key)")
    }
  }

  @Test(arguments: cases)
  func humanOutputIsATableNotJSON(_ c: Case) throws {
    let run = try runStrata(c.arguments)
    #expect(run.status == 0)
    #expect(!run.stdout.hasPrefix("{"))
    #expect(run.stdout.contains("p = "))
  }

  @Test("infinite or undefined values are null with a note")
  func nullsCarryNotes() throws {
    let fisher = try runStrata(["calc", "fisher", "--table", "5,0;0,5", "--json"]).json()
    #expect(fisher["odds_ratio"] is NSNull)
    #expect((fisher["notes"] as? [String])?.first?.contains("odds_ratio") == true)
    let proportions = try runStrata(["calc", "proportions", "--a", "0,50", "--b", "3,50", "--sides", "1", "--json"]).json()
    #expect(proportions["lift_rel"] is NSNull)
    #expect(proportions["ci_abs_high"] is NSNull)
    #expect(isClose(try #require(proportions["p_value"] as? Double), 0.03932008967441421, relativeTolerance: 1e-9))
    #expect((proportions["notes"] as? [String])?.count == 4)
  }

  @Test("--sides 1 is 'treatment greater than control'")
  func oneSided() throws {
    let t = try runStrata(["calc", "ttest", "--a", "400,3.2,0.9", "--b", "380,3.35,1.1", "--sides", "1", "--json"]).json()
    // scipy.stats.ttest_ind_from_stats(3.35, 1.1, 380, 3.2, 0.9, 400, equal_var=False, alternative='greater')
    #expect(isClose(try #require(t["p_value"] as? Double), 0.019015252894861424, relativeTolerance: 1e-9))
    let f = try runStrata(["calc", "fisher", "--table", "120,880;150,850", "--sides", "1", "--json"]).json()
    // scipy.stats.fisher_exact([[120, 880], [150, 850]], alternative='less')
    #expect(isClose(try #require(f["p_value"] as? Double), 0.02879792543446337, relativeTolerance: 1e-9))
  }

  @Test(
    "invalid values exit 1 with a sentence naming the flag",
    arguments: [
      (["calc", "chi2", "--table", "0,10;0,20"], "column 1"),
      (["calc", "chi2", "--table", "1,2;3"], "row 2"),
      (["calc", "srm", "--observed", "100,-3"], "observed[2]"),
      (["calc", "srm", "--observed", "100,200", "--threshold", "2"], "--threshold"),
      (["calc", "fisher", "--table", "1,2,3;4,5,6"], "2 × 2"),
      (["calc", "proportions", "--a", "120,100", "--b", "12,100"], "--a"),
      (["calc", "proportions", "--a", "0,100", "--b", "0,100"], "0 in both arms"),
      (["calc", "proportions", "--a", "1,100,3", "--b", "12,100"], "--a expects 2"),
      (["calc", "proportions", "--a", "10,100", "--b", "12,100", "--alpha", "1.2"], "--alpha"),
      (["calc", "ttest", "--a", "1,1,1", "--b", "3,2,1"], "--a"),
      (["calc", "ttest", "--a", "5,1,0", "--b", "3,2,0"], "sd"),
      (["calc", "ttest", "--a", "5,1,1", "--b", "3,2,1", "--sides", "3"], "--sides"),
      (["calc", "msprt", "--a", "100,1,1", "--b", "100,1.1,1", "--tau", "0"], "--tau"),
    ])
  func invalidInputExitsOne(arguments: [String], mentions: String) throws {
    let run = try runStrata(arguments + ["--json"])
    #expect(run.status == 1)
    #expect(run.stdout.isEmpty)
    #expect(run.stderr.contains(mentions), "stderr: \(run.stderr)")
  }

  @Test(
    "syntax errors and missing options are usage errors (64)",
    arguments: [
      ["calc", "chi2"],
      ["calc", "chi2", "--table", "1,x;3,4"],
      ["calc", "ttest", "--a", "1,2,3"],
      ["calc", "proportions", "--a", "1,10", "--b", "2,10", "--no-such-flag"],
      ["calc", "msprt", "--a", "100,1,1", "--b", "100,1.1,1", "--tau", "abc"],
      ["calc", "srm", "--observed", ""],
    ])
  func usageErrorsExit64(arguments: [String]) throws {
    let run = try runStrata(arguments)
    #expect(run.status == 64)
    #expect(!run.stderr.isEmpty)
  }

  @Test("every calculator's --help shows examples", arguments: ["chi2", "srm", "fisher", "proportions", "ttest", "msprt"])
  func helpHasExamples(command: String) throws {
    let run = try runStrata(["calc", command, "--help"])
    #expect(run.status == 0)
    #expect(run.stdout.contains("Examples:"))
    #expect(run.stdout.contains("strata calc \(command)"))
  }
}
