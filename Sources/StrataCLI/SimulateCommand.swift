import ArgumentParser
import StrataAnalysis
import StrataReport
import StrataStats

/// `strata simulate`: Monte Carlo proof that peeking inflates false positives and the guards do not.
struct SimulateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "peeking",
    abstract: "Simulate repeated looks: naive peeking vs group-sequential vs always-valid.",
    discussion: """
      Simulates many experiments looked at K times (z statistics drawn directly, GSL's seeded \
      Mersenne Twister: the same seed gives the same numbers) and counts how often each way of looking \
      rejects: naive (the fixed-design test at every look), the group-sequential design (--spending) and \
      always-valid inference (mixture SPRT, --tau). With --drift 0 (A/A) the rate is the real \
      false-positive rate; with a drift (A/B) it is the power. Each rate has a Clopper-Pearson 95% CI.

      --drift is the expected z at the last look (about 2.8 gives 80% power to a fixed two-sided test \
      at 0.05); --tau is the always-valid mixing sd in the same units (default: the drift a fixed \
      design has 80% power for).

      Examples:
        strata simulate --looks 10 --alpha 0.025 --sides 1
        strata simulate --looks 5 --spending pocock \\
          --experiments 100000 --seed 7
        strata simulate --looks 5 --drift 2.8 --json
      """)

  @OptionGroup var options: SequentialDesignOptions

  @Option(help: "Expected z at the last look: 0 for A/A (false positives), > 0 for A/B (power).")
  var drift: Double = 0

  @Option(help: "Always-valid mixing sd, in units of the last look's standard error.")
  var tau: Double?

  @Option(help: "Number of simulated experiments.")
  var experiments: Int = 10_000

  @Option(help: "Random seed.")
  var seed: UInt64 = 1

  @Flag(help: "Print one JSON object.")
  var json = false

  func run() throws {
    try reportingErrors {
      let design = try options.design()
      let simulation = try PeekingSimulation(
        design: design, drift: drift, mixingStandardDeviation: tau, experiments: experiments, seed: seed)
      let result = try simulation.run()
      printOutput(json: json, Self.jsonOutput(result), Self.humanOutput(result))
    }
  }

  static func jsonOutput(_ result: PeekingSimulationResult) -> JSONValue {
    let s = result.simulation
    return .object([
      ("scenario", .string(s.drift == 0 ? "A/A" : "A/B")),
      ("experiments", .integer(s.experiments)),
      // A JSON number when it is exact in a double, else the decimal string.
      ("seed", s.seed < 1 << 53 ? .integer(Int(s.seed)) : .string(String(s.seed))),
      ("looks", .integer(s.design.looks)),
      ("fractions", .array(s.design.fractions.map { .number($0) })),
      ("alpha", .number(s.design.alpha)),
      ("sides", .integer(s.design.alternative.sides)),
      ("spending", .string(s.design.spending.description)),
      ("drift", .number(s.drift)),
      ("tau", .number(s.mixingStandardDeviation)),
      ("rate_is", .string(s.drift == 0 ? "false_positive_rate" : "power")),
      (
        "methods",
        .array(
          result.methods.map { m in
            .object([
              ("method", .string(m.name)), ("rejections", .integer(m.rejections)), ("rate", .number(m.rate)),
              ("ci_low", .number(m.interval.lower)), ("ci_high", .number(m.interval.upper)),
              ("average_stopping_fraction", .number(m.averageStoppingFraction)),
            ])
          })
      ),
    ])
  }

  static func humanOutput(_ result: PeekingSimulationResult) -> String {
    let s = result.simulation
    let what = s.drift == 0 ? "false-positive rate" : "power"
    var rows = [["method", what, "95% CI", "avg. stop at"]]
    let labels = [
      "naive": "naive peeking", "group_sequential": "group-sequential (\(s.design.spending))",
      "always_valid": "always-valid (mSPRT)",
    ]
    for m in result.methods {
      rows.append([
        labels[m.name] ?? m.name, NumberText.number(m.rate, digits: 4),
        "\(NumberText.number(m.interval.lower, digits: 4))–\(NumberText.number(m.interval.upper, digits: 4))",
        NumberText.number(m.averageStoppingFraction, digits: 3),
      ])
    }
    let scenario = s.drift == 0 ? "A/A (no effect)" : "A/B (drift \(NumberText.general(s.drift)))"
    return """
      \(scenario): \(s.experiments) simulated experiments, \(s.design.looks) looks, alpha \(NumberText.general(s.design.alpha)) \
      \(s.design.alternative.sides)-sided, seed \(s.seed)

      \(textTable(rows))
      """
  }
}
