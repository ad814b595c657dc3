import ArgumentParser

/// `strata simulate`: Monte Carlo checks of the statistics, run as the user would read them.
///
/// `peeking` (the default, so `strata simulate --looks K` runs it) shows that peeking inflates false
/// positives and the sequential guards do not; `pooling` calibrates partial pooling across segments;
/// `discovery` shows that testing segments on the data they were found on inflates false positives.
struct Simulate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "simulate",
    abstract: "Monte Carlo checks: peeking (the default), partial pooling, segment discovery's double dipping.",
    discussion: """
      Examples:
        strata simulate --looks 10 --alpha 0.025 --sides 1
        strata simulate --looks 5 --drift 2.8 --json
        strata simulate pooling --segments 12 --tau 0.01 --campaigns 2000 --seed 7
        strata simulate discovery --runs 300 --seed 7
      """,
    subcommands: [SimulateCommand.self, SimulatePoolingCommand.self, SimulateDiscoveryCommand.self],
    defaultSubcommand: SimulateCommand.self)
}
