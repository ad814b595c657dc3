import ArgumentParser
import Foundation
import StrataAnalysis
import StrataAssignment
import StrataReport

/// An `--attr key=value` pair (syntax errors are usage errors, exit 64).
struct AttributeArgument: ExpressibleByArgument, Sendable {
  var key: String
  var value: String

  init?(argument: String) {
    guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else { return nil }
    key = String(argument[..<equals])
    value = String(argument[argument.index(after: equals)...])
  }
}

/// `strata assign`: one unit, or a whole CSV of units.
struct Assign: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "assign",
    abstract: "Assign units to variants: deterministic, segment-aware, the same on every machine.",
    discussion: """
      One unit: prints its segment, variant, bucket and whether it is eligible (and why not). \
      Attributes are text, as in a CSV; rules read them as numbers, booleans or strings.

      A CSV (--input): the header must contain the experiment's unit column and the attribute columns \
      its rules use (an empty cell is a missing attribute). Writes unit, segment, variant, bucket, \
      eligible, reason to --output (atomically) and prints a segment × variant count table. Bad rows are \
      reported with their line numbers and counted. --stratified deals exact, balanced blocks within each \
      segment (reproducible from the salt and the list, independent of row order; docs/assignment-spec.md).

      Spreadsheet safety: a cell that starts with =, +, -, @, a tab or a carriage return (or with ') is       written quoted with a ' in front, so a spreadsheet shows it as text instead of running it as a       formula. To join on the original id, remove one leading ' when a cell starts with one. --raw-ids       writes every cell as it is, for programs that never open the file in a spreadsheet.

      Examples:
        strata assign --experiment experiments/gym-renewal.yaml --unit M-1001 \\
          --attr marketing_opt_in=true --attr membership_months=14 \\
          --attr status=active --attr checkins_90d=30
        strata assign --experiment experiments/gym-renewal.yaml --unit M-1001 \\
          --attr checkins_90d=3 --json
        strata assign --experiment experiments/gym-renewal.yaml \\
          --input experiments/data/gym-members.csv \\
          --output reports/gym-members-assigned.csv
        strata assign --experiment experiments/gym-renewal.yaml --stratified \\
          --input experiments/data/gym-members.csv \\
          --output reports/gym-members-stratified.csv

      --input - reads the units from standard input; --output - writes the assignments CSV to standard \
      output, in place as it is made, so not atomically (a failure part-way leaves the rows written so \
      far, and the exit status is not 0); the count table (or --json) then goes to standard error.
        strata assign --experiment experiments/gym-renewal.yaml --input - \\
          --output - < experiments/data/gym-members.csv \\
          > reports/gym-members-piped.csv
      """)

  @Option(help: "Experiment definition (YAML).")
  var experiment: String

  @Option(help: "Unit id to assign.")
  var unit: String?

  @Option(name: .customLong("attr"), help: "A unit attribute as key=value (repeatable).")
  var attributes: [AttributeArgument] = []

  @Option(help: "CSV of units: the unit column and attribute columns (- for standard input).")
  var input: String?

  @Option(help: "Where to write the assignments CSV (with --input; - for standard output, not atomic).")
  var output: String?

  @Flag(help: "Balanced blocks within each segment for a known audience (with --input).")
  var stratified = false

  @Flag(help: "Exit with status 1 when any input row is bad (the output is still written).")
  var strict = false

  @Flag(help: "Write ids and names exactly as they are, without the ' that keeps spreadsheets from running them.")
  var rawIds = false

  @Flag(help: "Print one JSON object instead of the readable output.")
  var json = false

  func validate() throws {
    switch (unit, input) {
    case (nil, nil): throw ValidationError("Give --unit ID, or --input CSV with --output CSV.")
    case (.some, .some): throw ValidationError("Give either --unit or --input, not both.")
    case (nil, .some):
      if output == nil { throw ValidationError("--input needs --output, the assignments CSV to write.") }
      if !attributes.isEmpty {
        throw ValidationError("--attr applies to a single --unit; a CSV carries attributes as columns.")
      }
    case (.some, nil):
      if output != nil || stratified || rawIds {
        throw ValidationError("--output, --stratified and --raw-ids apply to --input only.")
      }
    }
    if output?.isEmpty == true { throw ValidationError("--output is empty: give the path of the CSV to write.") }
    if input?.isEmpty == true { throw ValidationError("--input is empty: give the path of the CSV of units.") }
  }

  func run() throws {
    try reportingErrors {
      if let output = output.map(Self.outputPath) {
        // Before anything is read: writing the assignments over an input would destroy it.
        for (flag, path) in [("--input", input), ("--experiment", experiment)] {
          guard let path, OutputDestination.isSameFile(output, as: path) else { continue }
          throw InvalidInput(
            "--output \(output) is the same file as \(flag) \(path); writing the assignments there would replace it, so choose another output path"
          )
        }
      }
      // Without the plan check (assign never reads the plan); `strata validate` and `analyze` make it.
      let loaded = try ExperimentLoader.loadDefinitionForAssignment(contentsOf: URL(fileURLWithPath: experiment))
      let factorNames = loaded.factorialDesign?.factors.map(\.name) ?? []
      // A weighted variant without buckets: assignment by hash would never choose it; stratified blocks deal it.
      if !stratified, let problem = loaded.onlineAssignmentProblem { throw problem }
      if let unit {
        guard !unit.isEmpty else { throw InvalidInput("--unit is empty: a unit id needs at least one character") }
        try assignOne(loaded.experiment, unit: unit, factorNames: factorNames)
      } else if let input, let output {
        try assignBatch(loaded.experiment, input: input, output: output, factorNames: factorNames)
      }
    }
  }

  private func assignOne(_ definition: Experiment, unit: String, factorNames: [String]) throws {
    var named: [String: AttributeValue] = [:]
    for attribute in attributes {
      guard named[attribute.key] == nil else { throw InvalidInput("--attr \(attribute.key) is given twice") }
      named[attribute.key] = attribute.value.isEmpty ? nil : .string(attribute.value)
      if !definition.attributeNames.contains(attribute.key) {
        printError("strata: note: attribute \"\(attribute.key)\" is not read by \(definition.id)'s rules")
      }
    }
    let result = definition.assign(unit: unit, attributes: named)
    // Factorial experiments: the assigned cell's level of every factor (null when no cell was assigned).
    let cell = result.variant.flatMap { key in definition.variants.first { $0.key == key } }
    let levels = factorNames.map { name in (name, cell?.factorLevels[name]) }
    if json {
      var fields: [(String, JSONValue)] = [
        ("unit", .string(unit)), ("segment", result.segment.map(JSONValue.string) ?? .null),
        ("variant", result.variant.map(JSONValue.string) ?? .null),
        ("bucket", result.bucket.map(JSONValue.integer) ?? .null), ("eligible", .bool(result.eligible)),
        ("reason", .string(result.reason.rawValue)),
      ]
      if !factorNames.isEmpty {
        fields.append(("factors", cell == nil ? .null : .object(levels.map { ($0.0, .string($0.1 ?? "")) })))
      }
      printJSON(.object(fields))
      return
    }
    var lines = [
      ("experiment", definition.id), ("unit", unit), ("segment", result.segment ?? "—"),
      ("variant", result.variant ?? "— (not assigned)"), ("bucket", result.bucket.map(String.init) ?? "—"),
      ("eligible", result.eligible ? "yes" : "no"), ("reason", result.reason.rawValue),
    ]
    lines += levels.map { ($0.0, $0.1 ?? "—") }
    printText(lines.map { "\($0.0.padding(10))  \($0.1)" }.joined(separator: "\n"))
  }

  /// Where `--output` writes: `-` is standard output.
  static func outputPath(_ output: String) -> String { output == "-" ? "/dev/stdout" : output }

  private func assignBatch(_ definition: Experiment, input: String, output: String, factorNames: [String]) throws {
    var batch = BatchAssignment(
      experiment: definition, inputPath: input, outputPath: Self.outputPath(output), stratified: stratified)
    let toStandardOutput = output == "-"
    let inputName = StandardInput.displayName(input)
    batch.factorNames = factorNames
    batch.rawCells = rawIds
    var shown = 0
    let summary: BatchAssignment.Summary
    do {
      summary = try batch.run { bad in
        shown += 1
        if shown <= 20 { printError("strata: bad row: \(inputName):\(bad.line): \(bad.message)") }
      }
    } catch {
      throw InvalidInput("\(error)")
    }
    if summary.badRowCount > 20 { printError("strata: … \(summary.badRowCount - 20) more bad rows") }
    for column in summary.missingColumns {
      printError("strata: warning: \(inputName) has no column \"\(column)\"; every unit lacks that attribute")
    }
    let report = AssignBatchReport(
      experiment: definition, summary: summary, input: input, output: output, stratified: stratified)
    if toStandardOutput {
      // Standard output holds the CSV alone.
      var bytes: [UInt8] = []
      if json { report.json.write(pretty: true) { bytes += $0 } } else { bytes = Array(report.humanText.utf8) }
      FileHandle.standardError.write(Data(bytes + [UInt8(ascii: "\n")]))
    } else if json {
      printJSON(report.json)
    } else {
      printText(report.humanText)
    }
    if strict && summary.badRowCount > 0 {
      printError("strata: error: \(inputName) has \(summary.badRowCount) bad rows (--strict)")
      throw ExitCode(1)
    }
  }
}
