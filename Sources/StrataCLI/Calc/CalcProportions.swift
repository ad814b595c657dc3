import ArgumentParser
import StrataAnalysis
import StrataReport
import StrataStats

/// `strata calc proportions`: two-proportion z test with absolute and relative lift intervals.
struct CalcProportions: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "proportions",
    abstract: "Compare two conversion rates: pooled z test, Wald interval and relative lift.",
    discussion: """
      z and the p-value come from the pooled two-proportion z test; the absolute lift p_b − p_a has an \
      unpooled Wald interval; the relative lift p_b/p_a − 1 has a first-order delta-method interval. \
      Every lift is treatment (b) − control (a). With --sides 1 the alternative is "treatment converts \
      better" and the intervals are one-sided (upper end ∞, printed as null in JSON).

      Examples:
        strata calc proportions --a 300,2000 --b 255,2000
        strata calc proportions --a 480,4000 --b 545,4000 \\
          --alpha 0.1 --sides 1 --json
      """)

  @Option(help: ArgumentHelp("Control: conversions and units.", valueName: "conversions,n"))
  var a: NumberList
  @Option(help: ArgumentHelp("Treatment: conversions and units.", valueName: "conversions,n"))
  var b: NumberList
  @Option(help: CalcHelp.alpha) var alpha: Double = 0.05
  @Option(help: CalcHelp.sides) var sides: Int = 2
  @Flag(help: CalcHelp.json) var json = false

  func run() throws {
    try reportingErrors {
      let names = ["conversions", "n"]
      let control = try forFlag("--a") {
        let x = try values(a, flag: "--a", expecting: names)
        return try BinomialSummary(successes: x[0], trials: x[1])
      }
      let treatment = try forFlag("--b") {
        let x = try values(b, flag: "--b", expecting: names)
        return try BinomialSummary(successes: x[0], trials: x[1])
      }
      let confidence = try confidenceLevel(alpha: alpha)
      let test = try TwoProportionZTest(
        control: control, treatment: treatment, alternative: try Alternative(sides: sides),
        confidenceLevel: confidence)
      let r = try test.result()
      if json {
        printJSON(Self.jsonOutput(r))
      } else {
        print(Self.humanOutput(r, control: control, treatment: treatment))
      }
    }
  }

  static func jsonOutput(_ r: ProportionsResult) -> JSONValue {
    var out = CalcOutput()
    out.add("p_a", r.controlRate)
    out.add("p_b", r.treatmentRate)
    out.add("lift_abs", r.absoluteLift)
    out.add("ci_abs_low", r.absoluteInterval.lower, whyMissing: "the interval is one-sided")
    out.add("ci_abs_high", r.absoluteInterval.upper, whyMissing: "the interval is one-sided")
    let noBaseline = "the control rate is 0, so the relative lift is undefined"
    out.add("lift_rel", r.relativeLift, whyMissing: noBaseline)
    let relativeReason = r.relativeInterval == nil ? noBaseline : "the interval is one-sided"
    out.add("ci_rel_low", r.relativeInterval?.lower, whyMissing: relativeReason)
    out.add("ci_rel_high", r.relativeInterval?.upper, whyMissing: relativeReason)
    out.add("z", r.test.statistic)
    out.add("p_value", r.test.pValue)
    out.add("sides", .integer(r.test.alternative.sides))
    out.add("confidence_level", r.absoluteInterval.confidenceLevel)
    // The note on a missing relative lift is already carried by the null keys' notes.
    for note in r.notes where r.relativeLift != nil { out.note(note) }
    return out.json
  }

  static func humanOutput(_ r: ProportionsResult, control: BinomialSummary, treatment: BinomialSummary) -> String {
    let level = confidencePercent(r.absoluteInterval.confidenceLevel)
    let arms = textTable([
      ["", "conversions", "n", "rate"],
      [
        "control (a)", NumberText.human(control.successes, digits: 0), NumberText.human(control.trials, digits: 0),
        NumberText.human(r.controlRate * 100, digits: 3) + "%",
      ],
      [
        "treatment (b)", NumberText.human(treatment.successes, digits: 0),
        NumberText.human(treatment.trials, digits: 0),
        NumberText.human(r.treatmentRate * 100, digits: 3) + "%",
      ],
    ])
    let lifts = textTable([
      ["", "estimate", "\(level) interval"],
      [
        "absolute lift (pp)", NumberText.human(r.absoluteLift * 100, digits: 3),
        humanInterval(r.absoluteInterval, digits: 3, scale: 100),
      ],
      [
        "relative lift (%)", r.relativeLift.map { NumberText.human($0 * 100, digits: 2) } ?? "n/a",
        humanInterval(r.relativeInterval, digits: 2, scale: 100),
      ],
    ])
    var lines = [
      "Two-proportion z test (\(describe(r.test.alternative)))", "", arms, "", lifts, "",
      "z = \(NumberText.human(r.test.statistic)), p = \(NumberText.human(r.test.pValue))",
    ]
    lines += r.notes.map { "note: \($0)" }
    return lines.joined(separator: "\n")
  }
}
