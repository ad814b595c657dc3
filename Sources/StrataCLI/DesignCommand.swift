import ArgumentParser
import StrataDesign
import StrataReport
import StrataStats

/// `strata design`: a full or two-level fractional factorial design, its runs, resolution and aliases.
struct Design: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "design",
    abstract: "Build a full or two-level fractional factorial design: runs, resolution and alias structure.",
    discussion: """
      Factors are NAME:LEVELS, comma separated; LEVELS is a count (levels
      1, 2, ...) or labels separated by '|'. Factors are lettered A, B, C, ...
      in the order given (I is skipped). A fraction needs two-level factors;
      --generators writes generated factors as products of base factors
      (D=ABC), --fraction picks generators of the highest resolution, then
      minimum aberration. Aliases cover main effects and two-factor
      interactions, ignoring interactions of three or more factors.
      --mde plans units per cell for each main effect and interaction.

      Examples:
        strata design --factors "subject:2,image:2,cta:2,tone:2" --fraction 1/2
        strata design \\
          --factors "subject:short|question,image:photo|none,cta:buy|learn"
        strata design --factors "a:2,b:2,c:2,d:2,e:2" --generators "E=ABCD"
        strata design --factors "subject:3,image:2,cta:2" --json
        strata design --factors "subject:2,image:2,cta:2" \\
          --mde 0.01 --baseline 0.05
      """
  )

  @Option(help: "Factors as NAME:LEVELS, comma separated (\"subject:2,image:photo|illustration\").")
  var factors: FactorListArgument

  @Option(help: "A regular two-level fraction 1/2^p (\"1/2\", \"1/4\", \"1/2^3\").")
  var fraction: String?

  @Option(help: "Generators of the fraction (\"D=ABC,E=AB\").")
  var generators: String?

  @Option(
    help:
      "Plan sample size: the smallest difference to detect between two levels of a factor (and as a 2×2 interaction contrast), in outcome units."
  )
  var mde: Double?

  @Option(help: "Planning: the outcome's standard deviation (continuous metrics).")
  var sd: Double?

  @Option(help: "Planning: the baseline rate of a binary metric (σ = √(p(1 − p))).")
  var baseline: Double?

  @Option(help: "Planning: target power.")
  var power: Double = 0.8

  @Option(help: "Planning: significance level of each F test.")
  var alpha: Double = 0.05

  @Flag(help: "Print one JSON object instead of tables.")
  var json = false

  func run() throws {
    try reportingErrors {
      let design = try Design.design(factors: factors, fraction: fraction, generators: generators)
      var output = DesignOutput(design: design)
      output.plan = try planRows(design)
      if json {
        printJSON(output.json)
      } else {
        printText(output.table)
      }
    }
  }

  /// Units per cell for each main effect and two-factor interaction, when `--mde` is given.
  func planRows(_ design: FactorialDesign) throws -> [DesignOutput.PlanRow]? {
    guard let mde else {
      guard sd == nil && baseline == nil else { throw InvalidInput("--sd/--baseline: planning also needs --mde") }
      return nil
    }
    guard mde > 0 && mde.isFinite else { throw InvalidInput("--mde: must be positive, got \(mde)") }
    let sigma: Double
    switch (sd, baseline) {
    case (.some(let value), nil):
      guard value > 0 && value.isFinite else { throw InvalidInput("--sd: must be positive, got \(value)") }
      sigma = value
    case (nil, .some(let p)):
      guard p > 0 && p < 1 else { throw InvalidInput("--baseline: must be strictly between 0 and 1, got \(p)") }
      sigma = (p * (1 - p)).squareRoot()
    default:
      throw InvalidInput("--mde: give exactly one of --sd (continuous metric) or --baseline (binary metric)")
    }
    let estimable = design.estimableTerms(maximumOrder: min(2, design.factors.count)).terms
    var rows: [DesignOutput.PlanRow] = []
    for entry in estimable {
      let levels = entry.term.factors.map { design.factors[$0].levelCount }
      let f =
        levels.count == 1
        ? try FactorialPower.effectSize(difference: mde, levelCount: levels[0], standardDeviation: sigma)
        : try FactorialPower.effectSize(
          interactionContrast: mde, levelCounts: (levels[0], levels[1]), standardDeviation: sigma)
      let planner = try FactorialPower(design: design, term: entry.term, effectSize: f, alpha: alpha)
      let units = try planner.unitsPerCell(forPower: power)
      rows.append(
        DesignOutput.PlanRow(
          term: entry.term, degreesOfFreedom: planner.numeratorDegreesOfFreedom, effectSize: f, unitsPerCell: units,
          power: try planner.power(unitsPerCell: units)))
    }
    return rows
  }

  /// The design `--factors` with `--fraction` or `--generators` (at most one) describe: the full factorial when neither
  /// is given.
  ///
  /// Shared by `strata design` and `strata calc factorial`.
  static func design(factors: FactorListArgument, fraction: String?, generators: String?) throws -> FactorialDesign {
    let factorList = try factors.specs.map { spec throws(DesignError) in try spec.factor() }
    switch (fraction, generators) {
    case (.some, .some):
      throw InvalidInput("--fraction and --generators: give one or the other, not both")
    case (.some(let text), nil):
      return try FactorialDesign(factors: factorList, fractionExponent: try fractionExponent(text))
    case (nil, .some(let text)):
      let parsed = try FractionGenerator.parseList(text, factorCount: factorList.count)
      return try FactorialDesign(factors: factorList, generators: parsed)
    case (nil, nil):
      return try FactorialDesign(fullFactorial: factorList)
    }
  }

  /// p from `--fraction` (see ``FactorialDesign/fractionExponent(parsing:)``).
  static func fractionExponent(_ text: String) throws -> Int {
    guard let p = FactorialDesign.fractionExponent(parsing: text) else {
      throw InvalidInput("--fraction: \"\(text)\" is not 1/2^p (e.g. 1/2, 1/4, 1/2^3)")
    }
    return p
  }
}

/// `--factors` syntax: `NAME:COUNT` or `NAME:label|label|…`, comma separated.
///
/// Syntax errors are usage errors (exit 64); level counts below two parse and are rejected with exit 1.
struct FactorListArgument: ExpressibleByArgument, Sendable {
  struct Spec: Sendable {
    var name: String
    var count: Int?
    var labels: [String]

    func factor() throws(DesignError) -> Factor {
      if let count { return try Factor(name: name, levelCount: count) }
      return try Factor(name: name, levels: labels)
    }
  }

  var specs: [Spec]

  init?(argument: String) {
    var specs: [Spec] = []
    for item in argument.split(separator: ",", omittingEmptySubsequences: false) {
      let parts = item.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
      guard parts.count == 2 else { return nil }
      let name = parts[0].trimmingCharacters(in: " ")
      let levels = parts[1].trimmingCharacters(in: " ")
      guard !name.isEmpty, !levels.isEmpty else { return nil }
      if let count = Int(levels) {
        specs.append(Spec(name: name, count: count, labels: []))
      } else {
        let labels = levels.split(separator: "|", omittingEmptySubsequences: false).map {
          $0.trimmingCharacters(in: " ")
        }
        specs.append(Spec(name: name, count: nil, labels: labels))
      }
    }
    guard !specs.isEmpty else { return nil }
    self.specs = specs
  }
}
