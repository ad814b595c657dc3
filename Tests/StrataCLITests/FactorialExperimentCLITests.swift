import Foundation
import StrataTestSupport
import Testing

@Suite("strata assign / analyze on a factorial experiment")
struct FactorialExperimentCLITests {
  static let root: URL = {
    var url = URL(fileURLWithPath: #filePath)
    while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
      url.deleteLastPathComponent()
    }
    return url
  }()
  static let experiment = root.appendingPathComponent("experiments/email-factorial.yaml").path
  static let data = root.appendingPathComponent("experiments/data/email-factorial.csv").path

  @Test func assignReportsTheFactorLevels() throws {
    let run = try runStrata([
      "assign", "--experiment", Self.experiment, "--unit", "S1", "--attr", "months_subscribed=20", "--json",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let json = try run.json()
    let variant = try #require(json["variant"] as? String)
    let factors = try #require(json["factors"] as? [String: String])
    #expect(variant == [factors["subject"], factors["image"], factors["cta"]].compactMap { $0 }.joined(separator: "."))
    let text = try runStrata([
      "assign", "--experiment", Self.experiment, "--unit", "S1", "--attr", "months_subscribed=20",
    ])
    #expect(text.stdout.contains("subject") && text.stdout.contains(factors["subject"] ?? "?"))
  }

  @Test func batchAssignmentWritesOneColumnPerFactor() throws {
    let directory = try makeTemporaryDirectory("strata-fa")
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("units.csv")
    let output = directory.appendingPathComponent("assigned.csv")
    try (["subscriber_id,months_subscribed"] + (0..<800).map { "S\($0),\($0 % 30)" }).joined(separator: "\n")
      .write(to: input, atomically: true, encoding: .utf8)
    let run = try runStrata([
      "assign", "--experiment", Self.experiment, "--input", input.path, "--output", output.path, "--json",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n").map(String.init)
    #expect(lines.first == "subscriber_id,segment,variant,bucket,eligible,reason,subject,image,cta")
    #expect(lines.count == 801)
    var cells = Set<String>()
    for line in lines.dropFirst() {
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      #expect(fields.count == 9)
      #expect(fields[2] == fields[6...8].joined(separator: "."), "\(line)")
      cells.insert(fields[2])
    }
    #expect(cells.count == 8)
  }

  @Test func analyzeJSONLeadsWithTheFactorialObject() throws {
    let run = try runStrata(["analyze", "--experiment", Self.experiment, "--data", Self.data, "--json"])
    #expect(run.status == 0, "\(run.stderr)")
    let json = try run.json()
    let factorial = try #require(json["factorial"] as? [String: Any])
    #expect(factorial["design"] as? String == "full" && factorial["run_count"] as? Int == 8)
    let metrics = try #require(factorial["metrics"] as? [[String: Any]])
    #expect(metrics.map { $0["metric"] as? String } == ["clicked", "revenue"])
    let fits = try #require(metrics[0]["fits"] as? [[String: Any]])
    #expect(fits.count == 3)  // loyal, new, all segments
    let overall = try #require(fits.last)
    #expect(overall["segment"] is NSNull && overall["covariance"] as? String == "hc1")
    let anova = try #require(overall["anova"] as? [[String: Any]])
    #expect(anova.map { $0["term"] as? String }.first == "subject")
    let subjectF = try #require(anova.first?["statistic"] as? Double)
    #expect(isClose(subjectF, 37.24916346866417, relativeTolerance: 1e-8))  // statsmodels, factorial_analyze.json
    let best = try #require(overall["best_cell"] as? [String: Any])
    #expect((best["levels"] as? [String: String]) == ["subject": "question", "image": "none", "cta": "learn"])
    // Chosen among the 8 cells, with an interval simultaneous over them (Šidák: each at 0.95^(1/8)).
    #expect(overall["cells_compared"] as? Int == 8)
    let each = try #require(overall["per_cell_confidence_level"] as? Double)
    #expect(abs(each - pow(0.95, 1.0 / 8)) < 1e-12, "\(each)")
    // Text output leads with the decision, then the factorial section, then the pairwise tables.
    let text = try runStrata(["analyze", "--experiment", Self.experiment, "--data", Self.data])
    let factorialAt = try #require(text.stdout.range(of: "Factorial analysis"))
    let verdictAt = try #require(text.stdout.range(of: "Decision:"))
    #expect(verdictAt.lowerBound < factorialAt.lowerBound)
  }

  @Test func factorialErrorsChooseClassicalForContinuousMetricsOnly() throws {
    let run = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", Self.data, "--json", "--factorial-errors", "classical",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let metrics = try #require((try run.json()["factorial"] as? [String: Any])?["metrics"] as? [[String: Any]])
    let covariance = metrics.map { metric in
      ((metric["fits"] as? [[String: Any]]) ?? []).compactMap { $0["covariance"] as? String }
    }
    #expect(covariance == [["hc1", "hc1", "hc1"], ["classical", "classical", "classical"]])
    let bad = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", Self.data, "--factorial-errors", "hc3",
    ])
    #expect(bad.status == 64)
  }

  @Test func aBrokenFactorialDefinitionExitsOneWithFileAndLine() throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("strata-bad-\(UUID().uuidString).yaml")
    try "id: bad\nfactors:\n  subject: [short, question]\n  image: [photo]\n".write(
      to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let run = try runStrata(["assign", "--experiment", file.path, "--unit", "u1"])
    #expect(run.status == 1)
    #expect(run.stderr.contains("\(file.path):4: factors.image"))
  }
}
