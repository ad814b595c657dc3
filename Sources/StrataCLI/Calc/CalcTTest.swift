import ArgumentParser
import StrataAnalysis
import StrataReport
import StrataStats

/// `strata calc ttest`: Welch's (default) or Student's two-sample t test from summary statistics.
struct CalcTTest: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ttest",
    abstract: "Compare two means from n, mean and standard deviation: Welch's t test (or Student's).",
    discussion: """
      The statistic, degrees of freedom, difference and interval are treatment (b) − control (a); the \
      interval is diff ± t(1 − α/2, df)·se. Welch's unequal-variances test unless --equal-var. Standard \
      deviations are sample ones (n − 1 in the denominator). The relative lift mean_b/mean_a − 1 has a \
      delta-method normal interval (null when the control mean is 0). Matches \
      scipy.stats.ttest_ind_from_stats(b…, a…).

      Examples:
        strata calc ttest --a 400,3.2,0.9 --b 380,3.35,1.1
        strata calc ttest --a 100,10,2 --b 100,10.5,2 \\
          --equal-var --alpha 0.01 --json
      """)

  @Option(help: CalcHelp.meanControl) var a: NumberList
  @Option(help: CalcHelp.meanTreatment) var b: NumberList
  @Flag(help: "Assume equal variances (Student's t test) instead of Welch's.")
  var equalVar = false
  @Option(help: CalcHelp.alpha) var alpha: Double = 0.05
  @Option(help: CalcHelp.sides) var sides: Int = 2
  @Flag(help: CalcHelp.json) var json = false

  func run() throws {
    try reportingErrors {
      let (control, treatment) = try meanArms(a: a, b: b)
      let confidence = try confidenceLevel(alpha: alpha)
      let alternative = try Alternative(sides: sides)
      let r = try withArmFlags {
        try equalVar
          ? StudentTTest(control: control, treatment: treatment, alternative: alternative, confidenceLevel: confidence)
            .result()
          : WelchTTest(control: control, treatment: treatment, alternative: alternative, confidenceLevel: confidence)
            .result()
      }
      if json {
        printJSON(jsonOutput(r))
      } else {
        print(humanOutput(r, control: control, treatment: treatment))
      }
    }
  }

  func jsonOutput(_ r: TTestResult) -> JSONValue {
    var out = CalcOutput()
    out.add("statistic", r.test.statistic)
    out.add("df", r.degreesOfFreedom)
    out.add("p_value", r.test.pValue)
    out.add("diff", r.difference)
    out.add("ci_low", r.interval.lower, whyMissing: "the interval is one-sided")
    out.add("ci_high", r.interval.upper, whyMissing: "the interval is one-sided")
    let noBaseline = "the control mean is 0, so the relative lift is undefined"
    out.add("lift_rel", r.relativeLift, whyMissing: noBaseline)
    let relativeReason = r.relativeInterval == nil ? noBaseline : "the interval is one-sided"
    out.add("ci_rel_low", r.relativeInterval?.lower, whyMissing: relativeReason)
    out.add("ci_rel_high", r.relativeInterval?.upper, whyMissing: relativeReason)
    out.add("equal_var", .bool(equalVar))
    out.add("sides", .integer(r.test.alternative.sides))
    out.add("confidence_level", r.interval.confidenceLevel)
    return out.json
  }

  func humanOutput(_ r: TTestResult, control: SampleSummary, treatment: SampleSummary) -> String {
    let level = confidencePercent(r.interval.confidenceLevel)
    let arms = textTable([
      ["", "n", "mean", "sd"],
      [
        "control (a)", NumberText.human(control.count, digits: 0), NumberText.human(control.mean),
        NumberText.human(control.standardDeviation),
      ],
      [
        "treatment (b)", NumberText.human(treatment.count, digits: 0), NumberText.human(treatment.mean),
        NumberText.human(treatment.standardDeviation),
      ],
    ])
    let estimates = textTable([
      ["", "estimate", "\(level) interval"],
      ["difference (b − a)", NumberText.human(r.difference), humanInterval(r.interval)],
      [
        "relative lift (%)", r.relativeLift.map { NumberText.human($0 * 100, digits: 2) } ?? "n/a",
        humanInterval(r.relativeInterval, digits: 2, scale: 100),
      ],
    ])
    return [
      "\(equalVar ? "Student's" : "Welch's") two-sample t test (\(describe(r.test.alternative)))", "", arms, "",
      estimates, "",
      "t = \(NumberText.human(r.test.statistic)), df = \(NumberText.human(r.degreesOfFreedom, digits: 2)), p = \(NumberText.human(r.test.pValue))",
    ].joined(separator: "\n")
  }
}

/// Control and treatment from `--a` and `--b` as units, mean and standard deviation (the two arms of
/// `calc ttest` and `calc msprt`); a bad value names its flag (`--a: sd: …`).
func meanArms(a: NumberList, b: NumberList) throws -> (control: SampleSummary, treatment: SampleSummary) {
  (try summary(a, flag: "--a"), try summary(b, flag: "--b"))
}

/// `n,mean,sd` from a flag, as a validated summary.
func summary(_ list: NumberList, flag: String) throws -> SampleSummary {
  try forFlag(flag) {
    let x = try values(list, flag: flag, expecting: ["n", "mean", "sd"])
    return try SampleSummary(count: x[0], mean: x[1], standardDeviation: x[2])
  }
}
