import ArgumentParser
import StrataAnalysis
import StrataReport
import StrataStats

/// `strata calc msprt`: always-valid p-value and confidence sequence at one look.
struct CalcMSPRT: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "msprt",
    abstract: "Always-valid p-value and interval for a difference in means (mixture SPRT).",
    discussion: """
      The mixture sequential probability ratio test with a normal mixing prior N(0, τ²) on the \
      difference: v = sd_a²/n_a + sd_b²/n_b, θ = mean_b − mean_a, \
      Λ = √(v/(v+τ²))·exp(θ²τ²/(2v(v+τ²))), p = min(1, 1/Λ), and the interval \
      θ ± √(v(v+τ²)/τ² · (2 ln(1/α) + ln((v+τ²)/v))). Unlike a fixed-horizon p-value, this one may be \
      checked after every batch of data and the test stopped as soon as p < α. Choose τ near the effect \
      size you care about, in the metric's units.

      Examples:
        strata calc msprt --a 5000,3.0,1.5 --b 3000,3.08,1.9 --tau 0.05
        strata calc msprt --a 2000,0,1 --b 2000,0.12,1 --tau 0.1 --alpha 0.01 --json
      """)

  @Option(help: CalcHelp.meanControl) var a: NumberList
  @Option(help: CalcHelp.meanTreatment) var b: NumberList
  @Option(help: "τ (1e-150 to 1e150), standard deviation of the normal mixing distribution on the difference.")
  var tau: Double
  @Option(help: CalcHelp.alpha) var alpha: Double = 0.05
  @Flag(help: CalcHelp.json) var json = false

  func run() throws {
    try reportingErrors {
      let (control, treatment) = try meanArms(a: a, b: b)
      let confidence = try confidenceLevel(alpha: alpha)
      // τ named by its flag, the arms' values by theirs (`--a sd`).
      let r = try withArmFlags {
        try namingFlags { () throws(StatsError) in
          try MixtureSPRT(
            control: control, treatment: treatment, mixingStandardDeviation: tau, confidenceLevel: confidence
          ).result()
        }
      }
      if json {
        var out = CalcOutput()
        out.add("p_value", r.pValue)
        out.add("ci_low", r.interval.lower)
        out.add("ci_high", r.interval.upper)
        out.add("diff", r.difference)
        out.add("likelihood_ratio", r.likelihoodRatio, whyMissing: "Λ overflows a double (p is then 0)")
        out.add("tau", tau)
        out.add("confidence_level", r.interval.confidenceLevel)
        printJSON(out.json)
      } else {
        print(
          [
            "Mixture SPRT, always valid (τ = \(NumberText.human(tau)))", "",
            textTable([
              ["", "estimate", "\(confidencePercent(r.interval.confidenceLevel)) always-valid interval"],
              ["difference (b − a)", NumberText.human(r.difference), humanInterval(r.interval)],
            ]), "",
            "Λ = \(NumberText.human(r.likelihoodRatio)), always-valid p = \(NumberText.human(r.pValue))",
          ].joined(separator: "\n"))
      }
    }
  }
}
