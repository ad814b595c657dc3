import ArgumentParser
import Foundation
import StrataAnalysis
import StrataAssignment
import StrataReport

/// `strata validate FILE...`: checks experiment definitions.
struct Validate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract: "Check experiment definitions; errors name the file, line and field.",
    discussion: """
      Exit status 0 when every file is valid, 1 otherwise (each problem on stderr as file:line: field: message).

      Examples:
        strata validate experiments/*.yaml
        strata validate experiments/gym-renewal.yaml --json
      """)

  @Argument(help: "Experiment files (YAML).")
  var files: [String]

  @Flag(help: "Print one JSON object instead of the readable output.")
  var json = false

  func validate() throws {
    if files.isEmpty { throw ValidationError("Give at least one experiment file.") }
  }

  func run() throws {
    var results: [JSONValue] = []
    var rows: [[String]] = []
    var failures = 0
    for file in files {
      do {
        let definition = try ExperimentLoader.loadDefinition(contentsOf: URL(fileURLWithPath: file))
        let experiment = definition.experiment
        if let problem = definition.onlineAssignmentProblem {
          printError(
            "strata: note: \(problem); `strata assign` without --stratified and `strata serve` refuse this definition"
          )
        }
        let segments = experiment.segmentNames.joined(separator: ", ")
        results.append(
          .object([
            ("file", .string(file)), ("valid", true), ("id", .string(experiment.id)),
            ("variants", .array(experiment.variants.map { .string($0.key) })),
            ("segments", .array(experiment.segmentNames.map(JSONValue.string))),
            ("metrics", .array(definition.metrics.map { .string($0.name) })),
          ]))
        rows.append([
          "ok", file,
          "\(experiment.id): \(experiment.variants.count) variants; segments \(segments); \(definition.metrics.count) metrics",
        ])
      } catch {
        failures += 1
        printError("strata: error: \(error)")
        var fields: [(String, JSONValue)] = [
          ("file", .string(file)), ("valid", false), ("error", .string(error.description)),
        ]
        fields.append(("line", .integer(error.line)))
        fields.append(("field", .string(error.field)))
        results.append(.object(fields))
        rows.append(["FAIL", file, "line \(error.line)\(error.field.isEmpty ? "" : ", \(error.field)")"])
      }
    }
    if json {
      printJSON(.object([("valid", .bool(failures == 0)), ("files", .array(results))]))
    } else {
      printText(rows.map { "\($0[0].padding(4))  \($0[1]): \($0[2])" }.joined(separator: "\n"))
    }
    if failures > 0 { throw ExitCode(1) }
  }
}

extension String {
  /// The string padded with spaces to `width` characters.
  func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
