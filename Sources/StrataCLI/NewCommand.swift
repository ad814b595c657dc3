import ArgumentParser
import Foundation
import StrataAnalysis
import StrataAssignment
import StrataDefinitions
import StrataDesign
import StrataReport
import StrataStats

/// `strata new`: writes a validated experiment definition with the planned sample size filled in.
struct New: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "new",
    abstract: "Create an experiment definition (from flags, or by asking on a terminal) with its sample size.",
    discussion: """
      The sample size per variant comes from the plan (StrataStats' SampleSizePlan: R power.prop.test for \
      a binomial primary metric, power.t.test for a continuous one, alpha split over the comparisons with \
      control) and is recorded as plan.n_per_variant. Run without --id on a terminal to be asked for each value.

      Examples:
        strata new --id gym-renewal-2027 --unit member_id \\
          --variants control,progress,social \\
          --segment "high=checkins_90d >= 24" \\
          --segment "medium=checkins_90d >= 8" --segment low \\
          --metric renewed:binomial:primary \\
          --metric revenue:continuous:guardrail \\
          --baseline 0.58 --mde 0.05 --looks 3 --daily-units 400 \\
          --output reports/gym-renewal-2027.yaml
        strata new --id email-subject-july --baseline 0.24 --mde 0.02 \\
          --power 0.9 --consent email_opt_in \\
          --output reports/email-subject-july.yaml
        strata new          # interactive; doc-example: skip (asks on a terminal)
      """)

  @Option(help: "Experiment id (letters, digits, _ - .); also the salt.") var id: String?
  @Option(help: "Name for people.") var name: String?
  @Option(help: "The hypothesis, in one sentence.") var hypothesis: String?
  @Option(help: "Unit id column.") var unit = "unit_id"
  @Option(help: "Variant keys, comma separated; the first is control.") var variants = "control,treatment"
  @Option(help: "Variant weights, comma separated (default equal).") var weights: String?
  @Option(help: "A segment as name=rule, in order; a bare name is the default segment (repeatable).") var segment:
    [String] = []
  @Option(help: "Eligibility rule.") var eligibility: String?
  @Option(help: "Consent attribute that must be true.") var consent: String?
  @Option(help: "A metric as name:binomial|continuous[:primary|guardrail|secondary] (repeatable).") var metric:
    [String] = []
  @Option(help: "Control rate (binomial) or mean (continuous) of the primary metric.") var baseline: Double?
  @Option(help: "Standard deviation of a continuous primary metric.") var sd: Double?
  @Option(help: "Minimum detectable effect (absolute unless --relative).") var mde: Double?
  @Flag(help: "The mde is relative to the baseline.") var relative = false
  @Option(help: "Significance level.") var alpha = 0.05
  @Option(help: "Power.") var power = 0.8
  @Option(help: "1 or 2.") var sides = 2
  @Option(help: "Number of analyses (group-sequential looks).") var looks = 1
  @Option(help: "Alpha spending: obf, pocock, hsd:GAMMA.") var spending = "obf"
  @Option(name: .customLong("daily-units"), help: "Units entering per day.") var dailyUnits: Int?
  @Option(help: "File to write (default experiments/<id>.yaml).") var output: String?
  @Flag(help: "Overwrite an existing file.") var force = false
  @Flag(help: "Print one JSON object instead of the readable output.") var json = false

  func validate() throws {
    if output?.isEmpty == true { throw ValidationError("--output is empty: give the path of the YAML file to write.") }
  }

  func run() throws {
    var options = self
    if options.id == nil {
      guard isatty(STDIN_FILENO) != 0 else {
        throw ValidationError("Give --id (or run on a terminal to be asked for each value).")
      }
      options.askInteractively()
    }
    try reportingErrors { try options.create() }
  }

  /// Asks for each value on the terminal (prompts on stderr, so `--json` output stays clean); an empty
  /// answer keeps the value in brackets, an unreadable number is asked again.
  private mutating func askInteractively() {
    func ask(_ question: String, _ current: String?) -> String? {
      FileHandle.standardError.write(Data("\(question)\(current.map { " [\($0)]" } ?? ""): ".utf8))
      guard let line = readLine()?.trimmingCharacters(in: " "), !line.isEmpty else { return current }
      return line
    }
    func askNumber<Number: LosslessStringConvertible>(_ question: String, _ current: Number?) -> Number? {
      while true {
        guard let answer = ask(question, current.map { "\($0)" }) else { return nil }
        if let value = Number(answer) { return value }
        printError("\"\(answer)\" is not a number; try again (or leave it empty).")
      }
    }
    id = ask("Experiment id", nil)
    name = ask("Name", name)
    hypothesis = ask("Hypothesis", hypothesis)
    unit = ask("Unit id column", unit) ?? unit
    variants = ask("Variants (first is control)", variants) ?? variants
    var segments: [String] = []
    while let entry = ask("Segment as name=rule (empty to finish)", nil) { segments.append(entry) }
    segment = segments
    consent = ask("Consent attribute (empty for none)", consent)
    if let entry = ask("Primary metric as name:binomial|continuous", "converted:binomial") { metric = [entry] }
    baseline = askNumber("Baseline rate or mean", baseline)
    if metric.first?.contains(":continuous") == true { sd = askNumber("Standard deviation", sd) }
    mde = askNumber("Minimum detectable effect (absolute)", mde)
    alpha = askNumber("Alpha", alpha) ?? alpha
    power = askNumber("Power", power) ?? power
    looks = askNumber("Looks", looks) ?? looks
    dailyUnits = askNumber("Units per day (empty if unknown)", dailyUnits)
  }

  private func create() throws {
    guard let id else { throw InvalidInput("--id is required") }
    let keys = variants.split(separator: ",").map { $0.trimmingCharacters(in: " ") }
    var weightValues = [ExactDecimal](repeating: 1, count: keys.count)
    if let weights {
      let parts = weights.split(separator: ",").map { $0.trimmingCharacters(in: " ") }
      guard parts.count == keys.count else {
        throw InvalidInput("--weights has \(parts.count) values for \(keys.count) variants")
      }
      weightValues = try parts.map { part in
        guard let value = ExactDecimal(parsing: part) else {
          throw InvalidInput("--weights: \"\(part)\" is not a decimal with at most 4 places")
        }
        return value
      }
    }
    let segments = try segment.map { entry -> Segment in
      guard let equals = entry.firstIndex(of: "=") else { return Segment(name: entry.trimmingCharacters(in: " ")) }
      let ruleText = String(entry[entry.index(after: equals)...])
      do {
        return Segment(name: String(entry[..<equals]).trimmingCharacters(in: " "), rule: try Rule(ruleText))
      } catch {
        throw InvalidInput("--segment \"\(entry)\": rule \(error)")
      }
    }
    let metrics = try (metric.isEmpty ? ["converted:binomial:primary"] : metric).map { entry -> Metric in
      let parts = entry.split(separator: ":").map(String.init)
      guard parts.count >= 2, let kind = Metric.Kind(name: parts[1]) else {
        throw InvalidInput(
          "--metric \"\(entry)\": expected name:binomial|continuous[:primary|guardrail|secondary] (a ratio metric names two columns: add kind: ratio with numerator: and denominator: to the file)"
        )
      }
      let role = parts.count > 2 ? Metric.Role(rawValue: parts[2]) : .primary
      guard let role else { throw InvalidInput("--metric \"\(entry)\": role must be primary, guardrail or secondary") }
      return Metric(name: parts[0], kind: kind, role: role, missing: kind == .binomial ? .zero : .exclude)
    }
    let spendingValue = StatisticalPlan.Spending(
      try namingFlags { () throws(StatsError) in
        try StatsError.converting { () throws(DesignError) in try SpendingFunction(parsing: spending) }
      })
    var plan = StatisticalPlan(
      alpha: alpha, power: power, minimumDetectableEffect: mde, relative: relative, baseline: baseline,
      standardDeviation: sd, sides: sides, looks: looks, spending: spendingValue, dailyUnits: dailyUnits)
    let eligibilityRule: Rule?
    do {
      eligibilityRule = try eligibility.map { try Rule($0) }
    } catch {
      throw InvalidInput("--eligibility: \(error)")
    }
    func build(_ plan: StatisticalPlan) throws -> ExperimentDefinition {
      do {
        let experiment = try Experiment(
          id: id, name: name, hypothesis: hypothesis, unit: unit,
          variants: zip(keys, weightValues).map { Variant(key: $0, weight: $1) }, eligibility: eligibilityRule,
          consent: consent, segments: segments)
        return try ExperimentDefinition(experiment: experiment, metrics: metrics, plan: plan)
      } catch {
        throw InvalidInput("\(error.field): \(error.message)")
      }
    }
    let draft = try build(plan)
    let size = try draft.plannedSampleSize()
    // With looks, record the sequential design's maximum (what the last look needs), not the fixed n.
    let recorded = looks > 1 ? try draft.plannedMaximumSampleSizePerVariant() : size?.perVariant
    plan.sampleSizePerVariant = recorded
    let definition = try build(plan)
    let path = output ?? "experiments/\(id).yaml"
    if FileManager.default.fileExists(atPath: path) && !force {
      throw InvalidInput("\(path) already exists (use --force to overwrite)")
    }
    var comment = "Created by `strata new`. Check it with `strata validate \(path)`."
    if let size {
      comment += "\nSample size: \(size.perVariant) units per variant, \(size.total) in total (fixed design"
      comment +=
        looks > 1
        ? "; the \(looks)-look sequential design needs at most \(recorded ?? size.perVariant) per variant, recorded as n_per_variant)."
        : ")."
    } else {
      comment += "\nNo sample size yet: give the plan a baseline (and sd for a continuous metric) and an mde."
    }
    let yaml = ExperimentYAMLWriter.yaml(for: definition, comment: comment)
    do {
      _ = try ExperimentLoader.load(yaml: yaml, file: path)  // what we write must load back
    } catch {
      throw InvalidInput("nothing was written to \(path): the new definition would not load back (\(error))")
    }
    try AtomicFile.write(yaml, to: URL(fileURLWithPath: path))
    let days = size.flatMap { size in dailyUnits.map { (size.total + $0 - 1) / $0 } }
    if json {
      printJSON(
        .object([
          ("file", .string(path)), ("id", .string(id)),
          ("n_per_variant", size.map { .integer($0.perVariant) } ?? .null),
          ("max_n_per_variant", looks > 1 ? recorded.map(JSONValue.integer) ?? .null : .null),
          ("n_total", size.map { .integer($0.total) } ?? .null), ("days", days.map(JSONValue.integer) ?? .null),
        ]))
    } else {
      var lines = ["wrote \(path)"]
      if let size { lines.append("sample size: \(size.perVariant) per variant, \(size.total) in total") }
      if looks > 1, let recorded {
        lines.append("maximum with \(looks) looks: \(recorded) per variant (recorded as n_per_variant)")
      }
      if let days { lines.append("duration: \(days) days at \(dailyUnits ?? 0) units a day") }
      if size == nil {
        lines.append("no sample size: the plan needs --baseline (and --sd for a continuous metric) and --mde")
      }
      printText(lines.joined(separator: "\n"))
    }
  }
}
