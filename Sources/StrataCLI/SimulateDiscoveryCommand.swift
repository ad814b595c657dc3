import ArgumentParser
import StrataAnalysis
import StrataDiscovery
import StrataReport
import StrataStats

/// `strata simulate discovery`: the null simulation of double dipping against the honest split.
struct SimulateDiscoveryCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "discovery",
    abstract: "Simulate segment discovery under the null: double dipping against the honest split.",
    discussion: """
      Each run draws units with two pre-treatment features, a random arm and an outcome that nothing \
      affects. Double dipping clusters all units (k-means), picks the segment whose effect looks best \
      and tests it (Welch) on the same units; the honest split does the finding and picking on the \
      discovery half and the test on the confirmation half. Prints how often each rejects at --alpha: \
      double dipping far above alpha, the honest split at alpha within Monte Carlo error. GSL's seeded \
      Mersenne Twister: the same seed gives the same numbers. See docs/discover.md.

      Examples:
        strata simulate discovery --runs 500 --seed 7
        strata simulate discovery --runs 200 --units 1000 --k 6 --json
      """)

  @Option(help: "Simulated campaigns.") var runs = 2_000
  @Option(help: "Units per campaign.") var units = 2_000
  @Option(help: "Segments found in each campaign.") var k = 4
  @Option(help: "Significance level.") var alpha = 0.05
  @Option(help: "Random seed, 0 to 4294967295.") var seed: UInt64 = 1
  @Flag(help: "Print one JSON object.") var json = false

  func run() throws {
    try reportingErrors {
      let simulation = try DiscoveryNullSimulation(runs: runs, units: units, clusterCount: k, alpha: alpha, seed: seed)
      let result = try simulation.run()
      let json: JSONValue = .object([
        ("runs", .integer(result.runs)), ("units", .integer(units)), ("k", .integer(k)), ("alpha", .number(alpha)),
        ("seed", .integer(Int(seed))),
        ("double_dipping_rejections", .integer(result.doubleDippingRejections)),
        ("double_dipping_rate", .number(result.doubleDippingRate)),
        ("honest_rejections", .integer(result.honestRejections)), ("honest_rate", .number(result.honestRate)),
        ("monte_carlo_se", .number(result.standardError)),
      ])
      let text = """
        \(result.runs) campaigns of \(units) units, \(k) segments, no effect anywhere, alpha \(alpha), seed \(seed):
          double dipping (find, pick and test on the same units): \(percent(result.doubleDippingRate)) rejected
          honest split (find and pick on one half, test on the other): \(percent(result.honestRate)) rejected
          Monte Carlo standard error at alpha: \(percent(result.standardError))
        """
      printOutput(json: self.json, json, text)
    }
  }

  private func percent(_ x: Double) -> String { NumberText.number(100 * x, digits: 2) + "%" }
}
