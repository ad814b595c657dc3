import ArgumentParser

@main
struct Strata: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "strata",
    abstract: "Experimentation and statistics for segment-targeted campaigns.",
    discussion: """
      Deterministic assignment, validated statistics (through GSL) and stakeholder reports.

      Examples:
        strata calc proportions --a 300,2000 --b 255,2000
        strata plan --metric proportion --baseline 0.58 --mde 0.05 --variants 3
        strata analyze --experiment experiments/gym-renewal.yaml \\
          --data experiments/data/gym-renewal.csv --report reports/
      """,
    version: "0.1.0",
    subcommands: [
      Calc.self,
      Assign.self,
      Validate.self,
      New.self,
      Plan.self,
      Design.self,
      Simulate.self,
      Analyze.self,
      Looks.self,
    ]
  )
}

/// `strata calc ...`: quick calculators on summary numbers.
struct Calc: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Quick calculators: tests and intervals from counts and summary statistics.",
    subcommands: [
      BoundariesCommand.self,
      CalcChi2.self, CalcSRM.self, CalcFisher.self, CalcProportions.self, CalcTTest.self, CalcMSPRT.self,
      FactorialCalc.self,
    ]
  )
}
