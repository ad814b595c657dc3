import Foundation
import StrataAnalysis
import StrataAssignment
import StrataDefinitions
import StrataReport
import StrataTestSupport
import Testing

/// The analyses the decision tests run over: one per case of issue 12's "done when" list (fixed horizon,
/// sequential continue and efficacy, unplanned look, SRM, null result, factorial, hostile names) plus the
/// bundled examples.
enum DecisionCases {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// Analyses `csv` (aggregated cells) with `plan`; with `looks` > 0, runs the sequential guard that many
  /// times on a fresh look log (each run is a new look of the same cumulative data, scaled by `scales`).
  static func analyze(_ plan: AnalysisPlan, csv: String) throws -> Analysis {
    let directory = try makeTemporaryDirectory("strata-decision")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("\(plan.id).csv")
    try csv.write(to: file, atomically: true, encoding: .utf8)
    return try Analyzer(plan: plan).analyze(try DataReader.read(path: file.path, plan: plan))
  }

  /// Runs `csvs` as successive looks through the sequential guard; returns the last look's analysis.
  static func looks(_ plan: AnalysisPlan, _ csvs: [String]) throws -> Analysis {
    let directory = try makeTemporaryDirectory("strata-decision")
    defer { try? FileManager.default.removeItem(at: directory) }
    let log = directory.appendingPathComponent("looks.jsonl")
    var last: Analysis?
    for (index, csv) in csvs.enumerated() {
      let file = directory.appendingPathComponent("\(plan.id).csv")
      try csv.write(to: file, atomically: true, encoding: .utf8)
      var analysis = try Analyzer(plan: plan).analyze(try DataReader.read(path: file.path, plan: plan))
      var sequentialGuard = SequentialGuard(
        plan: plan, log: try LookLog(url: log), now: Date(timeIntervalSince1970: 1_790_000_000 + 86_400 * Double(index))
      )
      try sequentialGuard.apply(to: &analysis)
      last = analysis
    }
    return try #require(last)
  }

  /// A bundled example, analysed as `Scripts/examples.sh` does (look 1 on a fresh look log).
  static func example(_ name: String, data: String) throws -> Analysis {
    let definition = try ExperimentLoader.loadDefinition(
      contentsOf: repository.appendingPathComponent("experiments/\(name).yaml"))
    var plan = AnalysisPlan(definition: definition)
    plan.factorialDesign = definition.factorialDesign
    var analysis = try Analyzer(plan: plan).analyze(
      try DataReader.read(path: repository.appendingPathComponent("experiments/data/\(data).csv").path, plan: plan))
    let directory = try makeTemporaryDirectory("strata-decision")
    defer { try? FileManager.default.removeItem(at: directory) }
    if plan.looks > 1 {
      var sequentialGuard = SequentialGuard(
        plan: plan, log: try LookLog(url: directory.appendingPathComponent("looks.jsonl")),
        now: Date(timeIntervalSince1970: 1_795_305_600))
      try sequentialGuard.apply(to: &analysis)
    }
    return analysis
  }

  /// Three arms, one segment-free (single segment) plan, binomial primary.
  static func threeArms(looks: Int = 1, maximum: Int? = nil) -> AnalysisPlan {
    var plan = AnalysisPlan(
      id: "three-arms", name: "Three arms", variants: ["control", "b", "c"],
      variantDescriptions: ["control": "Plain email", "b": "Email with a coupon", "c": "Email with a countdown"],
      segments: ["all"],
      metrics: [AnalysisPlan.Metric(name: "bought", kind: .binomial, role: .primary, missing: .zero)],
      minimumDetectableEffect: 0.02, baseline: 0.1, plannedUnitsPerVariant: 4000, looks: looks)
    plan.dailyUnits = 1000
    if let maximum { plan.sequential = SequentialSettings(maximumUnitsPerVariant: maximum) }
    return plan
  }

  static func threeArmsCSV(n: Int, control: Int, b: Int, c: Int, nb: Int? = nil) -> String {
    """
    variant,segment,n,bought_sum
    control,all,\(n),\(control)
    b,all,\(nb ?? n),\(b)
    c,all,\(n),\(c)

    """
  }

  /// Every case, labelled.
  static func all() throws -> [(String, Analysis)] {
    [
      ("fixed horizon", try analyze(threeArms(), csv: threeArmsCSV(n: 4000, control: 400, b: 470, c: 520))),
      ("null result", try analyze(threeArms(), csv: threeArmsCSV(n: 4000, control: 400, b: 405, c: 398))),
      ("inconclusive", try analyze(threeArms(), csv: threeArmsCSV(n: 4000, control: 400, b: 440, c: 395))),
      ("below planned sample", try analyze(threeArms(), csv: threeArmsCSV(n: 1500, control: 150, b: 152, c: 160))),
      ("SRM", try analyze(threeArms(), csv: threeArmsCSV(n: 4000, control: 400, b: 470, c: 520, nb: 3400))),
      (
        "sequential continue",
        try looks(threeArms(looks: 3, maximum: 6000), [threeArmsCSV(n: 2000, control: 200, b: 204, c: 215)])
      ),
      (
        "sequential efficacy",
        try looks(threeArms(looks: 3, maximum: 6000), [threeArmsCSV(n: 2000, control: 200, b: 214, c: 330)])
      ),
      (
        "unplanned look",
        try looks(
          threeArms(),
          [
            threeArmsCSV(n: 2000, control: 200, b: 214, c: 260), threeArmsCSV(n: 4000, control: 400, b: 430, c: 530),
          ])
      ),
      ("hostile names", try ReportSnapshotTests.analysis()),
      ("hostile names, sequential", try SequentialReportSnapshotTests.analysis()),
      ("factorial", try FactorialReportTests.analysis()),
      ("example gym-renewal", try example("gym-renewal", data: "gym-renewal")),
      ("example email-factorial", try example("email-factorial", data: "email-factorial")),
      ("example basket-bundle", try example("basket-bundle", data: "basket-bundle")),
      ("example city-delivery", try example("city-delivery", data: "city-delivery")),
    ]
  }
}
