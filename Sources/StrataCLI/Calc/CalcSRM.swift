import ArgumentParser
import StrataAnalysis
import StrataReport
import StrataStats

/// `strata calc srm`: sample-ratio-mismatch check (chi-squared goodness of fit).
struct CalcSRM: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "srm",
    abstract: "Sample ratio mismatch: are the units per variant consistent with the planned split?",
    discussion: """
      A chi-squared goodness-of-fit test of the observed units per variant against the planned weights \
      (any scale: 50,50 and 1,1 agree; equal when omitted), with k − 1 degrees of freedom. A mismatch \
      (p strictly below --threshold, 0.001 by default) means assignment or logging is broken: do not \
      trust the experiment's other results until it is explained.

      Examples:
        strata calc srm --observed 50000,51000
        strata calc srm --observed 10013,9870,10105,20011 \\
          --weights 20,20,20,40 --json
      """)

  @Option(help: ArgumentHelp("Units observed in each variant.", valueName: "n1,n2,..."))
  var observed: NumberList
  @Option(help: ArgumentHelp("Planned weights, any scale (equal if omitted).", valueName: "w1,w2,..."))
  var weights: NumberList?
  @Option(help: "Flag a mismatch when p is strictly below this (0 < threshold < 1).")
  var threshold: Double = 0.001
  @Flag(help: CalcHelp.json) var json = false

  func run() throws {
    try reportingErrors {
      guard threshold > 0 && threshold < 1 else {
        throw InvalidInput("--threshold must be strictly between 0 and 1, got \(threshold)")
      }
      let test = try forFlag("--observed/--weights") {
        try ChiSquaredGoodnessOfFitTest(observed: observed.values, weights: weights?.values)
      }
      let r = try test.result()
      let mismatch = r.test.pValue < threshold
      if json {
        var out = CalcOutput()
        out.add("statistic", r.test.statistic)
        out.add("df", r.degreesOfFreedom)
        out.add("p_value", r.test.pValue)
        out.add("mismatch", .bool(mismatch))
        out.add("threshold", threshold)
        out.add("expected", .array(r.expected[0].map { .finite($0) }))
        printJSON(out.json)
      } else {
        let total = observed.values.reduce(0, +)
        var rows = [["variant", "observed", "expected", "observed share", "planned share"]]
        for (i, (o, e)) in zip(observed.values, r.expected[0]).enumerated() {
          rows.append([
            "\(i + 1)", NumberText.human(o, digits: 0), NumberText.human(e, digits: 1),
            NumberText.human(o / total * 100, digits: 3) + "%",
            NumberText.human(test.proportions[i] * 100, digits: 3) + "%",
          ])
        }
        print(
          [
            "Sample ratio mismatch check (chi-squared goodness of fit)", "", textTable(rows), "",
            "χ² = \(NumberText.human(r.test.statistic)), df = \(NumberText.human(r.degreesOfFreedom, digits: 0)), p = \(NumberText.human(r.test.pValue))",
            mismatch
              ? "MISMATCH: p < \(NumberText.human(threshold)). The split is not what was planned; check assignment and logging."
              : "No mismatch detected at threshold \(NumberText.human(threshold)).",
          ].joined(separator: "\n"))
      }
    }
  }
}
