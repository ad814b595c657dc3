import ArgumentParser
import StrataAnalysis
import StrataReport
import StrataStats

/// The `--looks`, `--spending` and `--fractions` options of `strata plan`.
///
/// A group-sequential plan on top of the fixed-horizon sample size. Adds `inflation` (rpact's getDesignCharacteristics
/// inflationFactor, efficacy
/// boundaries only) and `max_n_per_variant` = ceil(unrounded fixed n × inflation); `n_per_variant`
/// stays the fixed-design n.
struct PlanSequentialOptions: ParsableArguments {
  @Option(help: "Planned looks K (interim analyses plus the final one): plan a group-sequential test.")
  var looks: Int?

  @Option(help: "Alpha spending with --looks: obf (O'Brien-Fleming type), pocock or hsd:GAMMA (default obf).")
  var spending: String?

  @Option(help: "Cumulative information fractions of the looks, increasing and ending in 1 (default k/K).")
  var fractions: NumberList?

  /// Flag combinations (usage errors, exit 64).
  func validateCombination(question: PlanDesignOptions.Question) throws {
    guard looks != nil else {
      if spending != nil || fractions != nil {
        throw ValidationError("--spending and --fractions apply with --looks.")
      }
      return
    }
    if question == .minimumDetectableEffect {
      throw ValidationError("--looks applies when solving for the sample size or the power (give --mde).")
    }
  }

  /// The design for one comparison (alpha per comparison, the plan's alternative), or nil without --looks.
  func design(alpha: Double, alternative: Alternative) throws -> GroupSequentialDesign? {
    guard let looks else { return nil }
    return try SequentialDesignOptions.design(
      looks: looks, fractions: fractions, alpha: alpha, alternative: alternative, spending: spending)
  }

  /// With --n and --mde: the power of the sequential design whose last look has n per variant.
  ///
  /// The fixed design's power p at n gives the drift θ = z_{1−α/sides} + Φ⁻¹(p) (the normal-equivalent
  /// drift, the same scale as the inflation factor), and `power_sequential` is the design's power at θ.
  func powerReport(fixedPower: Double, alpha: Double, alternative: Alternative) throws
    -> (fields: [(String, JSONValue)], headline: String)?
  {
    guard let design = try design(alpha: alpha, alternative: alternative) else { return nil }
    guard fixedPower > 0 && fixedPower < 1 else {
      throw InvalidInput("--n: the fixed-design power \(fixedPower) leaves no room for a sequential power")
    }
    let drift = try design.fixedDesignDrift(power: fixedPower)
    let boundaries = try design.boundaries()
    let power = try design.power(drift: drift, boundaries: boundaries)
    let expectedFraction = try design.expectedStoppingFraction(drift: drift, boundaries: boundaries)
    return (
      [
        ("power_sequential", .number(power)), ("looks", .integer(design.looks)),
        ("spending", .string(design.spending.description)),
        ("expected_fraction_at_stop", .number(expectedFraction)),
      ],
      "With \(design.looks) looks (\(design.spending) spending) and that many units at the last look, the power is \(NumberText.number(power * 100, digits: 1))%; on average the test stops at \(NumberText.number(expectedFraction * 100, digits: 0))% of them."
    )
  }

  /// JSON fields and readable lines for the sequential plan of a fixed sample size.
  func report(
    size: SampleSize, alpha: Double, alternative: Alternative, power: Double, variants: Int, dailyUnits: Double? = nil
  ) throws
    -> (fields: [(String, JSONValue)], headline: String, rows: [[String]])?
  {
    guard let design = try design(alpha: alpha, alternative: alternative) else { return nil }
    let inflation = try namingFlags { () throws(StatsError) in try design.inflationFactor(power: power) }
    let maximum = (size.perVariantUnrounded * inflation).rounded(.up)
    guard maximum.isFinite, maximum < 9e15 else {
      throw InvalidInput("--looks: the maximum sample size \(maximum) is too large to represent")
    }
    let maximumPerVariant = Int(maximum)
    let boundaries = try design.boundaries()
    var fields: [(String, JSONValue)] = [
      ("inflation", .number(inflation)),
      ("max_n_per_variant", .integer(maximumPerVariant)),
      ("max_n_total", .integer(maximumPerVariant * variants)),
      ("looks", .integer(design.looks)),
      ("spending", .string(design.spending.description)),
      (
        "boundaries",
        .array(
          boundaries.map { b in
            .object([
              ("fraction", .number(b.fraction)), ("z", .finite(b.z)),
              ("n_per_variant", .integer(Int((maximum * b.fraction).rounded(.up)))),
            ])
          })
      ),
    ]
    var headline =
      "With \(design.looks) looks (\(design.spending) spending) plan for up to \(grouped(maximumPerVariant)) units per variant (inflation \(NumberText.number(inflation, digits: 4)))."
    if let dailyUnits, dailyUnits > 0, dailyUnits.isFinite {
      let days = (Double(maximumPerVariant * variants) / dailyUnits).rounded(.up)
      fields.append(("max_days", .number(days)))
      headline += " At most \(groupedNumber(days)) days if it runs to the last look."
    }
    let zs = boundaries.map { NumberText.number($0.z, digits: 3) }.joined(separator: ", ")
    let rows = [
      [
        "looks",
        "\(design.looks) at fractions \(design.fractions.map { NumberText.general($0) }.joined(separator: ", "))",
      ],
      ["z boundaries", zs],
    ]
    return (fields, headline, rows)
  }
}
