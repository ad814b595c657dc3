import Foundation
import StrataAssignment
import StrataDefinitions
import StrataTestSupport
import Testing

/// The definitions module reads every bundled definition on its own: this target links no statistics, so
/// building it at all shows that loading a YAML definition does not pull in GSL.
@Suite("Definition loader (no statistics)")
struct DefinitionLoaderTests {
  static let experimentsFolder = packageRootURL().appendingPathComponent("experiments")

  static var files: [URL] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: experimentsFolder.path)) ?? []
    return names.filter { $0.hasSuffix(".yaml") }.sorted().map { experimentsFolder.appendingPathComponent($0) }
  }

  @Test("every bundled definition loads, and its metrics and plan survive the YAML writer")
  func bundledDefinitions() throws {
    #expect(Self.files.count >= 5)
    for file in Self.files {
      let definition = try DefinitionLoader.load(contentsOf: file)
      #expect(!definition.metrics.isEmpty, "\(file.lastPathComponent)")
      let again = try DefinitionLoader.load(yaml: ExperimentYAMLWriter.yaml(for: definition), file: "again.yaml")
      #expect(again.metrics == definition.metrics, "\(file.lastPathComponent)")
      #expect(again.plan == definition.plan, "\(file.lastPathComponent)")
      #expect(again.experiment.variants.map(\.key) == definition.experiment.variants.map(\.key))
    }
  }

  @Test("metric and plan errors name the file, line and field")
  func errors() {
    let cases: [(String, String)] = [
      (
        "id: d\nvariants: [a, b]\nmetrics:\n  - {name: x, kind: binomial}\n  - {name: x, kind: binomial}\n",
        "d.yaml:5: metrics[1].name: metric \"x\" is listed twice"
      ),
      ("id: d\nvariants: [a, b]\nplan:\n  alpha: 0.7\n", "d.yaml:4: plan.alpha: alpha must be between"),
      ("id: d\nvariants: [a, b]\nplan:\n  baseline: 0.9\n  mde: 0.2\n", "d.yaml:5: plan.mde: baseline 0.9 with mde"),
    ]
    for (yaml, prefix) in cases {
      #expect {
        _ = try DefinitionLoader.load(yaml: yaml, file: "d.yaml")
      } throws: { error in
        "\(error)".hasPrefix(prefix)
      }
    }
  }

  @Test("the assignment experiment is the same value the definition holds")
  func assignmentOnly() throws {
    let definition = try DefinitionLoader.load(
      contentsOf: Self.experimentsFolder.appendingPathComponent("gym-renewal.yaml"))
    let result = definition.experiment.assign(
      unit: "M-1001",
      attributes: ["marketing_opt_in": "true", "membership_months": "14", "status": "active", "checkins_90d": "30"])
    #expect(result.segment == "high" && result.eligible)
  }

  /// The definition is composed without tag resolution; a variant's `value:` still gets YAML's types.
  @Test("a variant's value keeps YAML's types: booleans, integers, floats, quoted text, objects and lists")
  func variantValueTypes() throws {
    let cases: [(String, VariantValue)] = [
      ("true", .bool(true)), ("42", .integer(42)), ("4.5", .number(4.5)), ("\"42\"", .string("42")),
      ("plain text", .string("plain text")),
      (
        "{n: 7, list: [1, x, 2.5], flag: false, \"7\": seven}",
        .object([
          .init(name: "n", value: .integer(7)),
          .init(name: "list", value: .list([.integer(1), .string("x"), .number(2.5)])),
          .init(name: "flag", value: .bool(false)), .init(name: "7", value: .string("seven")),
        ])
      ),
    ]
    for (text, expected) in cases {
      let yaml = "id: d\nvariants:\n  - {key: a, value: \(text)}\n  - {key: b, value: \(text)}\n"
      let variants = try DefinitionLoader.load(yaml: yaml, file: "d.yaml").experiment.variants
      #expect(variants.map(\.value) == [expected, expected], "\(text)")
    }
    for (value, message) in [("~", "a value must not be null"), (".inf", "expected a finite number")] {
      #expect {
        _ = try DefinitionLoader.load(yaml: "id: d\nvariants:\n  - {key: a, value: \(value)}\n  - b\n", file: "d.yaml")
      } throws: { error in
        "\(error)".contains(message)
      }
    }
    #expect(throws: ExperimentFileError.self) {
      _ = try DefinitionLoader.load(yaml: "id: d\nvariants: [a, b]\nvariants: [c]\n", file: "d.yaml")
    }
  }
}
