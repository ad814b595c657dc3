import ArgumentParser
import Foundation
import StrataReport
import StrataStats

/// `strata plan`: sample size, power or minimum detectable effect of a fixed-horizon A/B(/n) test.
///
/// The options that describe the test live in `PlanDesignOptions`, so that further groups (sequential
/// looks, for instance) can be added as their own `@OptionGroup` and append keys to the output.
struct Plan: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract: "Sample size, power or minimum detectable effect of an A/B(/n) test.",
    discussion: """
      Proportions (conversion rates) match R's power.prop.test (normal approximation, pooled variance \
      under H0); means match R's power.t.test (two-sample t test, noncentral t). With more than two \
      variants, alpha is split evenly (Bonferroni) over the comparisons of each treatment with control. \
      Sizes are per variant and rounded up; --daily-units turns the total into days of traffic.

      Without --n, strata solves for the sample size. With --n (units per variant) it solves the inverse: \
      the power to detect --mde, or, without --mde, the smallest effect detectable at --power.

      Examples:
        # Gym renewal reminder: 58% of members renew; detect +5 percentage
        # points with 3 variants; 400 members reach their renewal date a day.
        strata plan --metric proportion --baseline 0.58 --mde 0.05 \\
          --variants 3 --daily-units 400

        # Newsletter click-through 2.5%: detect +0.5 percentage points,
        # one-sided, 90% power.
        strata plan --metric proportion --baseline 0.025 --mde 0.005 \\
          --sides 1 --power 0.9

        # Average basket value (sd 40 EUR): detect a 2 EUR increase.
        strata plan --metric mean --sd 40 --mde 2

        # Only 8,000 customers per arm: what lift can we detect,
        # and what power do we have for +1 percentage point?
        strata plan --metric proportion --baseline 0.12 --n 8000
        strata plan --metric proportion --baseline 0.12 --n 8000 --mde 0.01

        # Revenue per order (ratio): 1.8 orders per customer (sd 1.2), revenue
        # 90 (sd 80), correlation 0.7; detect a 3% lift, with CUPED at rho 0.5.
        strata plan --metric ratio --numerator-mean 90 --numerator-sd 80 \\
          --denominator-mean 1.8 --denominator-sd 1.2 \\
          --ratio-correlation 0.7 --mde 0.03 --relative --correlation 0.5

        # Weekly looks over 5 weeks, O'Brien-Fleming spending: the maximum size.
        strata plan --metric proportion --baseline 0.58 --mde 0.05 \\
          --looks 5 --spending obf
      """
  )

  @OptionGroup var design: PlanDesignOptions

  @OptionGroup(title: "Ratio metrics and CUPED") var adjustment: PlanAdjustmentOptions

  @OptionGroup(title: "Group-sequential looks") var sequential: PlanSequentialOptions

  @Option(name: .customLong("daily-units"), help: "Eligible units a day across all variants; adds `days`.")
  var dailyUnits: Double?

  @Flag(help: "Print one JSON object instead of the readable summary.")
  var json = false

  func validate() throws {
    try design.validateCombination()
    try adjustment.validateCombination(metric: design.metric)
    try sequential.validateCombination(question: design.question)
  }

  func run() throws {
    try reportingErrors {
      let report = try PlanReport(
        design: design, dailyUnits: dailyUnits, sequential: sequential, adjustment: adjustment)
      printOutput(json: json, .object(report.fields), report.humanText)
    }
  }
}

/// What the metric is.
enum PlanMetricName: String, ExpressibleByArgument, CaseIterable, Sendable {
  case proportion
  case mean
  /// Σnumerator/Σdenominator per arm (PlanAdjustmentOptions).
  case ratio
}

/// The options that describe a fixed-horizon test and the question asked of it.
struct PlanDesignOptions: ParsableArguments {
  @Option(help: "What is measured: proportion (a conversion rate), mean, or ratio (e.g. revenue per order).")
  var metric: PlanMetricName

  @Option(help: "Control conversion rate (proportion), or control mean (mean; needed with --relative).")
  var baseline: Double?

  @Option(help: "Standard deviation of the metric per unit (mean only).")
  var sd: Double?

  @Option(help: "Smallest effect worth detecting, treatment − control (absolute, or a fraction with --relative).")
  var mde: Double?

  @Flag(help: "Read --mde as a fraction of the baseline: 0.10 is a 10% lift.")
  var relative = false

  @Option(help: "Family-wise significance level, split over the comparisons with control.")
  var alpha: Double = 0.05

  @Option(help: "Power to reach (default 0.8); with --n and --mde the power is the answer instead.")
  var power: Double?

  @Option(help: "Number of variants, control included.")
  var variants: Int = 2

  @Option(help: "2 for a two-sided test; 1 for one-sided (treatment greater than control).")
  var sides: Int = 2

  @Option(help: "Units per variant you have: solve for the power (with --mde) or the detectable effect.")
  var n: Double?

  /// Flag combinations (usage errors, exit 64); values are checked when the plan is built (exit 1).
  func validateCombination() throws {
    switch metric {
    case .proportion:
      guard baseline != nil else { throw ValidationError("--metric proportion needs --baseline (the control rate).") }
      guard sd == nil else { throw ValidationError("--sd applies to --metric mean only.") }
    case .mean:
      guard sd != nil else { throw ValidationError("--metric mean needs --sd (the standard deviation per unit).") }
      if relative && mde != nil && baseline == nil {
        throw ValidationError("--relative with --metric mean needs --baseline (the control mean).")
      }
    case .ratio:
      guard baseline == nil && sd == nil else {
        throw ValidationError("--metric ratio takes --numerator-* and --denominator-* instead of --baseline and --sd.")
      }
    }
    if n == nil && mde == nil { throw ValidationError("Give --mde (to solve for the sample size) or --n.") }
    if n != nil && mde != nil && power != nil {
      throw ValidationError("With --n and --mde the power is the answer: leave out --power.")
    }
    if relative && mde == nil { throw ValidationError("--relative applies to --mde.") }
  }

  /// The question asked; the raw value is the JSON `solved_for`.
  enum Question: String {
    case sampleSize = "sample_size"
    case power
    case minimumDetectableEffect = "mde"
  }

  var question: Question {
    guard n != nil else { return .sampleSize }
    return mde == nil ? .minimumDetectableEffect : .power
  }

  var targetPower: Double { power ?? 0.8 }

  /// The library plan, with range errors naming the CLI flag.
  func makePlan(adjustment: PlanAdjustmentOptions? = nil) throws -> SampleSizePlan {
    let alternative = try Alternative(sides: sides)
    let planMetric: PlanMetric =
      switch metric {
      case .proportion: .proportion(baseline: baseline ?? .nan)
      case .mean: .mean(standardDeviation: sd ?? .nan, baseline: baseline)
      case .ratio: try (adjustment ?? PlanAdjustmentOptions()).ratioMetric()
      }
    let reduction = try adjustment?.reduction() ?? 0
    return try flagNamed { () throws(StatsError) in
      try SampleSizePlan(
        metric: planMetric, alpha: alpha, alternative: alternative, variants: variants, varianceReduction: reduction)
    }
  }

  var effect: EffectSize? {
    guard let mde else { return nil }
    return relative ? .relative(mde) : .absolute(mde)
  }
}

/// Runs a library call and renames a `StatsError.invalidInput` field to its flag (`mde` → `--mde`).
func flagNamed<T>(_ body: () throws(StatsError) -> T) throws -> T {
  do {
    return try body()
  } catch .invalidInput(let field, let message) {
    let flag = "--" + field.replacingOccurrences(of: " ", with: "-")
    throw InvalidInput("\(flag): \(message)")
  }
}
