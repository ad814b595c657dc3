import Foundation
import StrataAnalysis
import StrataReport
import StrataStats

/// The answer of `strata plan`, as JSON fields (contract keys first) and as text for people.
///
/// Further option groups (sequential looks, for instance) extend a report after it is built: read
/// `plan` and `sampleSize` (its `perVariantUnrounded` is the fixed-design n), then append to `fields`,
/// `headline` and `rows`.
struct PlanReport {
  var fields: [(String, JSONValue)] = []
  var headline: [String] = []
  var rows: [[String]] = []
  /// The library plan the flags describe.
  let plan: SampleSizePlan
  /// The fixed-horizon sample size, when the question was the sample size (no `--n`).
  var sampleSize: SampleSize?

  init(
    design: PlanDesignOptions, dailyUnits: Double?, sequential: PlanSequentialOptions? = nil,
    adjustment: PlanAdjustmentOptions? = nil
  ) throws {
    let plan = try design.makePlan(adjustment: adjustment)
    self.plan = plan
    let variants = plan.variants
    let perVariant: Double
    let difference: Double
    let power: Double
    switch design.question {
    case .sampleSize:
      let effect = try unwrap(design.effect)
      let size = try flagNamed { () throws(StatsError) in
        try plan.sampleSize(effect: effect, power: design.targetPower)
      }
      sampleSize = size
      perVariant = Double(size.perVariant)
      difference = size.effect
      power = design.targetPower
      fields += [
        ("n_per_variant", .integer(size.perVariant)), ("n_total", .integer(size.total)),
        ("n_per_variant_unrounded", .number(size.perVariantUnrounded)),
      ]
      headline.append(
        "You need \(grouped(size.perVariant)) units per variant, \(grouped(size.total)) in total over \(variants) variants."
      )
      rows.append(["n per variant (exact)", NumberText.number(size.perVariantUnrounded, digits: 2)])
      if let planned = try sequential?.report(
        size: size, alpha: plan.alphaPerComparison, alternative: plan.alternative, power: power, variants: variants,
        dailyUnits: dailyUnits)
      {
        fields += planned.fields
        headline.append(planned.headline)
        rows += planned.rows
      }
    case .power:
      let effect = try unwrap(design.effect)
      let n = try wholeUnits(design.n)
      difference = try flagNamed { () throws(StatsError) in try plan.absoluteEffect(effect) }
      power = try flagNamed { () throws(StatsError) in try plan.power(effect: effect, perVariant: n) }
      perVariant = n
      fields += [("n_per_variant", count(n)), ("n_total", count(n * Double(variants))), ("power", .number(power))]
      headline.append(
        "With \(groupedNumber(n)) units per variant, the test has \(ratePercent(power)) power to detect this effect.")
      if let planned = try sequential?.powerReport(
        fixedPower: power, alpha: plan.alphaPerComparison, alternative: plan.alternative)
      {
        fields += planned.fields
        headline.append(planned.headline)
      }
    case .minimumDetectableEffect:
      let n = try wholeUnits(design.n)
      power = design.targetPower
      difference = try flagNamed { () throws(StatsError) in
        try plan.minimumDetectableEffect(perVariant: n, power: power)
      }
      perVariant = n
      fields += [("n_per_variant", count(n)), ("n_total", count(n * Double(variants)))]
      headline.append(
        "With \(groupedNumber(n)) units per variant, the smallest effect detectable with \(ratePercent(power)) power is \(describe(difference, plan.metric))."
      )
    }
    if let dailyUnits {
      let total = perVariant.rounded(.up) * Double(variants)
      guard dailyUnits > 0 && dailyUnits.isFinite else {
        throw InvalidInput("--daily-units: must be a positive number of units a day, got \(dailyUnits)")
      }
      let days = (total / dailyUnits).rounded(.up)
      fields += [("days", count(days)), ("daily_units", .number(dailyUnits))]
      headline.append("At \(groupedNumber(dailyUnits)) units a day that takes \(groupedNumber(days)) days.")
    }
    if design.question != .power { fields.append(("power", .number(power))) }
    fields += effectFields(difference, plan.metric)
    fields += [
      ("metric", .string(design.metric.rawValue)), ("alpha", .number(plan.alpha)),
      ("alpha_per_comparison", .number(plan.alphaPerComparison)), ("sides", .integer(plan.alternative.sides)),
      ("variants", .integer(variants)),
      ("solved_for", .string(design.question.rawValue)),
    ]
    rows += describeInputs(plan, difference: difference, power: power)
    if let adjusted = adjustment?.report(plan) {
      fields += adjusted.fields
      rows += adjusted.rows
    }
  }

  /// The metric-specific keys: absolute and relative effect, baseline, treatment value, sd.
  private func effectFields(_ difference: Double, _ metric: PlanMetric) -> [(String, JSONValue)] {
    switch metric {
    case .proportion(let baseline):
      return [
        ("mde", .number(difference)), ("mde_relative", .number(difference / baseline)),
        ("baseline", .number(baseline)), ("treatment_rate", .number(baseline + difference)),
      ]
    case .mean(let standardDeviation, let baseline):
      var out: [(String, JSONValue)] = [("mde", .number(difference))]
      if let baseline {
        out += [
          ("mde_relative", .finite(baseline == 0 ? nil : difference / baseline)), ("baseline", .number(baseline)),
          ("treatment_mean", .number(baseline + difference)),
        ]
      }
      out += [("sd", .number(standardDeviation)), ("mde_standardized", .number(difference / standardDeviation))]
      return out
    }
  }

  private func describeInputs(_ plan: SampleSizePlan, difference: Double, power: Double) -> [[String]] {
    var out: [[String]] = []
    switch plan.metric {
    case .proportion(let baseline):
      out.append(["baseline rate", ratePercent(baseline)])
      out.append(["treatment rate", "\(ratePercent(baseline + difference))  (\(describe(difference, plan.metric)))"])
    case .mean(let standardDeviation, let baseline):
      if let baseline { out.append(["baseline mean", NumberText.general(baseline)]) }
      out.append(["standard deviation", NumberText.general(standardDeviation)])
      out.append(["effect", describe(difference, plan.metric)])
    }
    let sides = plan.alternative == .twoSided ? "two-sided" : "one-sided (treatment greater)"
    out.append(["test", "\(sides), alpha \(NumberText.general(plan.alpha))"])
    if plan.variants > 2 {
      out.append([
        "alpha per comparison",
        "\(NumberText.general(plan.alphaPerComparison)) (Bonferroni over \(plan.variants - 1) comparisons)",
      ])
    }
    out.append(["power", ratePercent(power)])
    return out
  }

  /// The headline sentences, then the inputs as aligned "label  value" lines.
  var humanText: String {
    let width = rows.map { $0[0].count }.max() ?? 0
    let lines = rows.map { "  " + $0[0].padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0[1] }
    return (headline + [""] + lines).joined(separator: "\n")
  }
}

/// `--n`, a count of units: a whole number (its range is checked with the plan, whose messages name it too).
private func wholeUnits(_ value: Double?) throws -> Double {
  let n = try unwrap(value)
  guard !n.isFinite || n <= 0 || n == n.rounded() else {
    throw InvalidInput("--n: must be a whole number of units per variant, got \(n)")
  }
  return n
}

private func unwrap<T>(_ value: T?) throws -> T {
  guard let value else { throw InvalidInput("internal: a required option is missing") }
  return value
}

/// "+1.80 pp, +10.0%" for rates; "+2.5 (0.06 sd)" for means.
private func describe(_ difference: Double, _ metric: PlanMetric) -> String {
  let sign = difference >= 0 ? "+" : "−"
  switch metric {
  case .proportion(let baseline):
    let points = abs(difference) * 100
    let relative = abs(difference / baseline) * 100
    return
      "\(sign)\(NumberText.number(points, digits: points < 0.1 ? 4 : 2)) pp, \(sign)\(NumberText.number(relative, digits: 1))%"
  case .mean(let standardDeviation, let baseline):
    var text =
      "\(sign)\(NumberText.general(abs(difference))) (\(NumberText.number(abs(difference) / standardDeviation, digits: 3)) sd)"
    if let baseline, baseline != 0 {
      text += ", \(sign)\(NumberText.number(abs(difference / baseline) * 100, digits: 1))%"
    }
    return text
  }
}

/// A rate as a percentage with enough digits for tiny rates.
func ratePercent(_ x: Double) -> String {
  let p = x * 100
  return NumberText.number(p, digits: abs(p) < 0.1 ? 4 : (abs(p) < 10 ? 2 : 1)) + "%"
}

/// 14751 → "14,751".
func grouped(_ n: Int) -> String {
  let digits = String(n.magnitude)
  var out = ""
  for (i, c) in digits.enumerated() {
    if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
    out.append(c)
  }
  return (n < 0 ? "-" : "") + out
}

/// A count as a JSON integer when it is whole and exactly representable, else a number.
private func count(_ x: Double) -> JSONValue {
  x == x.rounded() && abs(x) < 9e15 ? .integer(Int(x)) : .number(x)
}

/// Whole numbers grouped, others with two decimals; in at most six significant digits (`%g`) where two decimals
/// would show nothing (0.001 units a day read "0.00") or hundreds of digits (days at 1e-300 units a day).
func groupedNumber(_ x: Double) -> String {
  if x == x.rounded() && abs(x) < 9e15 { return grouped(Int(x)) }
  if abs(x) >= 9e15 || (x != 0 && abs(x) < 0.01) { return NumberText.general(x) }
  return NumberText.number(x, digits: 2)
}
