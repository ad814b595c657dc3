import Foundation
import StrataAnalysis
import StrataAssignment
import StrataDefinitions
import Testing

@Suite("Experiment files (YAML)")
struct ExperimentLoaderTests {
  static let experimentsFolder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("experiments")

  @Test("every bundled example loads and validates")
  func examplesLoad() throws {
    let files = try FileManager.default.contentsOfDirectory(at: Self.experimentsFolder, includingPropertiesForKeys: nil)
      .filter { $0.pathExtension == "yaml" }
    #expect(files.count >= 4)
    for file in files { _ = try ExperimentLoader.load(contentsOf: file) }
  }

  @Test("the gym renewal example has what analysis needs")
  func gymRenewal() throws {
    let definition = try ExperimentLoader.loadDefinition(
      contentsOf: Self.experimentsFolder.appendingPathComponent("gym-renewal.yaml"))
    let experiment = definition.experiment
    #expect(experiment.variants.map(\.key) == ["control", "reminder_progress", "reminder_social"])
    #expect(experiment.control.key == "control")
    #expect(experiment.segmentNames == ["high", "medium", "low"])
    #expect(definition.metrics.map(\.kind) == [.binomial, .continuous])
    #expect(definition.metrics.map(\.role) == [.primary, .guardrail])
    #expect(definition.metrics.map(\.direction) == [.increase, .increase])
    #expect(definition.plan.looks == 3 && definition.plan.lookFractions == [0.33, 0.67, 1])
    #expect(definition.plan.baseline == 0.58 && definition.plan.minimumDetectableEffect == 0.05)
    #expect(experiment.consent == "marketing_opt_in")
    let result = experiment.assign(
      unit: "M-1001",
      attributes: ["marketing_opt_in": "true", "membership_months": "14", "status": "active", "checkins_90d": "30"])
    #expect(result.segment == "high" && result.eligible)
  }

  static let valid = """
    id: demo
    variants: [control, treatment]
    """

  @Test("a metric's direction is read, and written back by the YAML writer")
  func direction() throws {
    let yaml = "id: demo\nvariants: [a, b]\nmetrics:\n  - name: churned\n    kind: binomial\n    direction: decrease\n"
    let definition = try ExperimentLoader.loadDefinition(yaml: yaml, file: "demo.yaml")
    #expect(definition.metrics[0].direction == .decrease)
    #expect(AnalysisPlan(definition: definition).metrics[0].direction == .decrease)
    let written = ExperimentYAMLWriter.yaml(for: definition)
    #expect(try ExperimentLoader.loadDefinition(yaml: written, file: "again.yaml").metrics[0].direction == .decrease)
  }

  @Test("plan.pooling and plan.prior are read, default to REML without Knapp–Hartung, and are written back")
  func poolingAndPrior() throws {
    let plain = try ExperimentLoader.loadDefinition(yaml: Self.valid, file: "demo.yaml")
    #expect(plain.plan.pooling == StatisticalPlan.Pooling(method: .reml, knappHartung: false))
    #expect(!ExperimentYAMLWriter.yaml(for: plain).contains("pooling"))
    let yaml = "id: demo\nvariants: [a, b]\nplan:\n  prior: 0.1\n  pooling: {method: DL, knapp_hartung: true}\n"
    let definition = try ExperimentLoader.loadDefinition(yaml: yaml, file: "demo.yaml")
    #expect(definition.plan.pooling == StatisticalPlan.Pooling(method: .dl, knappHartung: true))
    let plan = AnalysisPlan(definition: definition)
    #expect(plan.pooling.randomEffectsMethod == .dersimonianLaird && plan.pooling.knappHartung)
    let again = try ExperimentLoader.loadDefinition(
      yaml: ExperimentYAMLWriter.yaml(for: definition), file: "again.yaml")
    #expect(again.plan.pooling == definition.plan.pooling)
    #expect(again.plan.prior == 0.1)
    #expect(plain.plan.bayesianScale == .relative && again.plan.bayesianScale == .relative)
    #expect(!ExperimentYAMLWriter.yaml(for: plain).contains("bayesian_scale"))
    let absolute = try ExperimentLoader.loadDefinition(
      yaml: "id: demo\nvariants: [a, b]\nplan:\n  bayesian_scale: absolute\n", file: "demo.yaml")
    #expect(absolute.plan.bayesianScale == .absolute && AnalysisPlan(definition: absolute).bayesianScale == .absolute)
    let written = try ExperimentLoader.loadDefinition(
      yaml: ExperimentYAMLWriter.yaml(for: absolute), file: "again.yaml")
    #expect(written.plan.bayesianScale == .absolute)
  }

  @Test(
    "broken definitions are rejected with file:line: field: message",
    arguments: [
      ("id: demo\nvariants: [control]\n", 2, "variants", "at least 2 variants"),
      ("id: demo\nvariants: [a, a]\n", 2, "variants[1].key", "listed twice"),
      ("id: demo\nvariants: [a, b]\ntrafic: 0.5\n", 3, "trafic", "unknown key"),
      ("id: demo\nvariants: [a, b]\ntraffic: 1.5\n", 3, "traffic", "between 0 and 1"),
      ("id: demo\nvariants: [a, b]\ntraffic: 0.33333\n", 3, "traffic", "4 decimal places"),
      ("id: demo\nvariants: [a, b]\ncontrol: c\n", 3, "control", "not one of the variants"),
      ("id: demo\nvariants: [a, b]\nsegments:\n  - name: x\n    rule: score >\n", 5, "segments[0].rule", "column 8"),
      (
        "id: demo\nvariants: [a, b]\nsegments:\n  - name: x\n  - name: y\n    rule: s > 1\n", 4, "segments[0].rule",
        "only the last"
      ),
      (
        "id: demo\nvariants: [a, b]\nsegments:\n  - name: x\n    rule: s > 1\n    weights: {c: 2}\n", 6,
        "segments[0].weights.c", "not one of the variants"
      ),
      (
        "id: demo\nvariants: [a, b]\nmetrics:\n  - name: m\n    kind: ratio\n", 5, "metrics[0].kind",
        "numerator: and denominator:"
      ),
      (
        "id: demo\nvariants: [a, b]\nmetrics:\n  - name: m\n    kind: ratios\n", 5, "metrics[0].kind",
        "binomial, continuous, ratio"
      ),
      (
        "id: demo\nvariants: [a, b]\nmetrics:\n  - name: m\n    kind: binomial\n    direction: down\n", 6,
        "metrics[0].direction", "increase, decrease"
      ),
      ("id: demo\nvariants: [a, b]\nplan:\n  alpha: 1.2\n", 4, "plan.alpha", "between 0.000001 and 0.5"),
      ("id: demo\nvariants: [a, b]\nplan:\n  looks: 2\n  fractions: [0.6, 0.5]\n", 5, "plan.fractions[1]", "increase"),
      ("id: demo\nvariants: [a, b]\nplan:\n  spending: linear\n", 4, "plan.spending", "obf, pocock"),
      ("id: demo\nvariants: [a, b]\nplan:\n  method: bayes\n", 4, "plan.method", "always-valid"),
      ("id: demo\nvariants: [a, b]\nplan:\n  looks: 2\n  tau: -1\n", 5, "plan.tau", "positive"),
      ("id: demo\nvariants: [a, b]\nplan:\n  prior: -0.1\n", 4, "plan.prior", "positive"),
      ("id: demo\nvariants: [a, b]\nplan:\n  prior: .inf\n", 4, "plan.prior", "expected a number"),
      ("id: demo\nvariants: [a, b]\nplan:\n  bayesian_scale: log\n", 4, "plan.bayesian_scale", "relative or absolute"),
      ("id: demo\nvariants: [a, b]\nplan:\n  pooling: {method: ml}\n", 4, "plan.pooling.method", "reml or dl"),
      (
        "id: demo\nvariants: [a, b]\nplan:\n  pooling:\n    method: dl\n    knapp_hartung: maybe\n", 6,
        "plan.pooling.knapp_hartung", "true or false"
      ),
      ("id: demo\nvariants: [a, b]\nplan:\n  pooling:\n    tau2: 0\n", 5, "plan.pooling.tau2", "unknown key"),
      ("id: demo\nvariants: [a, b]\nplan:\n  pooling: reml\n", 4, "plan.pooling", "mapping"),
      ("id: demo\nvariants: [a, b]\nlayer: {name: l, buckets: [0, 20000]}\n", 3, "layer.buckets", "0..<10000"),
      ("id: demo\nvariants: [a, b]\nconsent: \"opt in\"\n", 3, "consent", "letters"),
      ("id: demo\nvariants: [a, b\n", 3, "", "not valid YAML"),
      ("variants: [a, b]\n", 1, "id", "needs an id"),
    ])
  func rejects(yaml: String, line: Int, field: String, fragment: String) {
    #expect {
      _ = try ExperimentLoader.load(yaml: yaml, file: "bad.yaml")
    } throws: { error in
      guard let error = error as? ExperimentFileError else { return false }
      let ok =
        error.file == "bad.yaml" && error.line == line && error.field == field && error.message.contains(fragment)
      if !ok { Issue.record("got \(error)") }
      return ok && error.description.hasPrefix("bad.yaml:\(line): ")
    }
  }

  /// Errors in a segment after the first name that segment's line and field.
  ///
  /// A segment's field paths are spelt only for an error, and the line of an error the model reports later (by path
  /// alone: the name, rule, weights and traffic checks of `Experiment`) is found by walking the YAML tree; the
  /// loader's own errors give their node's line. A member of `weights:` gives the line of `weights:` (the loader
  /// reads that mapping itself), as it did when lines were kept in a table.
  @Test(
    "an error in a later segment names its line and field",
    arguments: [
      ("  - name: s0\n    rule: x > 2\n", 6, "segments[1].name", "listed twice"),
      ("  - name: \"s 1\"\n    rule: x > 2\n", 6, "segments[1].name", "letters"),
      ("  - name: s1\n    rule: x > 2\n    traffic: 1.5\n", 8, "segments[1].traffic", "between 0 and 1"),
      ("  - name: s1\n    rule: x > 2\n    traffic: 0.33333\n", 8, "segments[1].traffic", "4 decimal places"),
      ("  - name: s1\n    rule: x > 2\n    weights: {a: 0, b: 0}\n", 8, "segments[1].weights", "positive weight"),
      ("  - name: s1\n    rule: x > 2\n    weights:\n      c: 2\n", 8, "segments[1].weights.c", "not one of"),
      ("  - name: s1\n    rule: x > 2\n    weights:\n      a: x\n", 9, "segments[1].weights.a", "decimal"),
      ("  - name: s1\n\n    traffic: 0.5\n", 6, "segments[1].rule", "only the last"),
      ("  - name: s1\n    rule: x >\n", 7, "segments[1].rule", "column"),
      ("  - name: s1\n    rule: x > 2\n    colour: red\n", 8, "segments[1].colour", "unknown key"),
      ("  - rule: x > 2\n", 6, "segments[1].name", "needs a name"),
      ("  - s1\n", 6, "segments[1]", "mapping"),
    ])
  func laterSegmentErrors(segment: String, line: Int, field: String, fragment: String) {
    let yaml =
      "id: demo\nvariants: [a, b]\nsegments:\n  - name: s0\n    rule: x > 1\n" + segment + "  - name: rest\n"
    rejects(yaml: yaml, line: line, field: field, fragment: fragment)
  }

  @Test(
    "errors found by the model name the line of their field in block and flow lists",
    arguments: [
      ("id: demo\nvariants:\n  - key: a\n  - key: a\n", 4, "variants[1].key", "listed twice"),
      (
        "id: demo\nvariants: [a, b]\nsegments: [{name: s0, rule: \"x > 1\"}, {name: s0}]\n", 3, "segments[1].name",
        "listed twice"
      ),
      (
        "id: demo\nvariants: [a, b]\nsegments:\n- name: s0\n  rule: x > 1\n- name: s0\n", 6, "segments[1].name", "twice"
      ),
      ("id: demo\nvariants: [a, b]\nlayer:\n  name: l\n  buckets: [5, 20000]\n", 5, "layer.buckets", "0..<10000"),
      ("id: demo\nvariants: [a, b]\nholdout:\n  salt: h\n  share: 2\n", 5, "holdout.share", "between 0 and 1"),
      ("id: demo\nvariants: [a, b]\nplan:\n  alpha: 0.05\n  looks: 40\n", 5, "plan.looks", "between 1 and 20"),
    ])
  func modelErrorLines(yaml: String, line: Int, field: String, fragment: String) {
    rejects(yaml: yaml, line: line, field: field, fragment: fragment)
  }

  @Test("a minimal definition gets the documented defaults")
  func defaults() throws {
    let definition = try ExperimentLoader.loadDefinition(yaml: Self.valid, file: "demo.yaml")
    let experiment = definition.experiment
    #expect(experiment.salt == "demo" && experiment.unit == "unit_id" && experiment.traffic == 1)
    #expect(experiment.segmentNames == ["default"] && experiment.controlIndex == 0)
    #expect(definition.plan.alpha == 0.05 && definition.plan.power == 0.8 && definition.plan.looks == 1)
  }
}

@Suite("Plan spellings")
struct PlanSpellingTests {
  /// `plan.spending` is read by the same parser as `--spending`, so both take the same spellings.
  @Test(arguments: [
    ("obf", StatisticalPlan.Spending.obrienFleming), ("OBF", .obrienFleming), ("Pocock", .pocock),
    ("hsd:-4", .hwangShihDeCani(gamma: -4)),
  ])
  func spendingSpellings(_ text: String, _ expected: StatisticalPlan.Spending) throws {
    let yaml = "id: demo\nvariants: [a, b]\nplan:\n  looks: 2\n  spending: \"\(text)\"\n"
    #expect(try ExperimentLoader.loadDefinition(yaml: yaml, file: "demo.yaml").plan.spending == expected)
  }
}
