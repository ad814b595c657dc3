import Foundation
import StrataTestSupport
import Synchronization
import Testing

/// `strata analyze` as a look of the bundled 3-look gym-renewal plan, and `strata new --looks`.
@Suite("strata analyze: sequential guard")
struct AnalyzeSequentialCLITests {
  static let experiment = AnalyzeCommandTests.experiment
  static let data = AnalyzeCommandTests.data

  @Test func eachRunIsALookAndTheSameDataReusesIt() throws {
    let directory = try makeTemporaryDirectory("strata-looks")
    defer { try? FileManager.default.removeItem(at: directory) }
    let log = directory.appendingPathComponent("gym.looks.jsonl").path
    let arguments = ["analyze", "--experiment", Self.experiment, "--data", Self.data, "--look-log", log]
    let first = try runStrata(arguments)
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stdout.contains("Sequential look 1 of 3 (group-sequential, obf spending"))
    #expect(first.stdout.contains("Look 1, new data."))
    let second = try runStrata(arguments + ["--json"])
    #expect(second.status == 0, "\(second.stderr)")
    let look = try #require(try second.json()["look"] as? [String: Any])
    #expect(look["number"] as? Int == 1 && look["planned_looks"] as? Int == 3)
    let sequential = try #require(look["sequential"] as? [String: Any])
    for key in [
      "look", "planned_looks", "method", "spending", "action", "unplanned", "reason", "alpha_per_comparison",
      "family_size", "tau", "information_fraction", "planned_max_n_per_variant", "results", "boundaries", "looks",
      "log_file", "reused_look", "look_note",
    ] {
      #expect(sequential[key] != nil, "missing look.sequential.\(key)")
    }
    #expect(sequential["reused_look"] as? Bool == true)
    #expect(sequential["family_size"] as? Int == 6)
    #expect((sequential["boundaries"] as? [Any])?.count == 3)
    #expect((sequential["results"] as? [Any])?.count == 6)
    let lines = try String(contentsOf: URL(fileURLWithPath: log), encoding: .utf8).split(separator: "\n")
    #expect(lines.count == 1)
  }

  @Test("SOURCE_DATE_EPOCH fixes the recorded look time, so regenerated reports are byte-identical")
  func sourceDateEpochFixesTheLookTime() throws {
    let directory = try makeTemporaryDirectory("strata-looks")
    defer { try? FileManager.default.removeItem(at: directory) }
    var reports: [String] = []
    for round in 0..<2 {
      // A fresh look log each round: the look is recorded anew, at the fixed time.
      let log = directory.appendingPathComponent("gym-\(round).looks.jsonl").path
      let reportDirectory = directory.appendingPathComponent("report-\(round)")
      let arguments = [
        "analyze", "--experiment", Self.experiment, "--data", Self.data, "--look-log", log,
        "--report", reportDirectory.path,
      ]
      let run = try runStrata(arguments, environment: ["SOURCE_DATE_EPOCH": "1790000000"])
      #expect(run.status == 0, "\(run.stderr)")
      let line = try String(contentsOf: URL(fileURLWithPath: log), encoding: .utf8)
      #expect(line.contains("\"timestamp\":\"2026-09-21T14:13:20Z\""), "\(line)")
      let report = reportDirectory.appendingPathComponent("gym-renewal-2026.md")
      reports.append(try String(contentsOf: report, encoding: .utf8))
    }
    #expect(reports[0].contains("2026-09-21T14:13:20Z"))
    #expect(reports[0] == reports[1])
    // A malformed value is an input error (exit 1) naming the variable, and no look is recorded.
    for bad in ["", "soon", "-5", "1.5", "99999999999999999999"] {
      let log = directory.appendingPathComponent("bad.looks.jsonl").path
      let run = try runStrata(
        ["analyze", "--experiment", Self.experiment, "--data", Self.data, "--look-log", log],
        environment: ["SOURCE_DATE_EPOCH": bad])
      #expect(run.status == 1, "\(bad): \(run.stderr)")
      #expect(run.stderr.contains("SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC"), "\(bad)")
      #expect(!FileManager.default.fileExists(atPath: log), "\(bad)")
    }
  }

  /// Two processes analyse different data into one look log at the same time, three rounds: the lock on
  /// `<log>.lock` serialises them, so every run records its own look and none is lost.
  @Test func concurrentRunsLoseNoLook() throws {
    let directory = try makeTemporaryDirectory("strata-looks")
    defer { try? FileManager.default.removeItem(at: directory) }
    let log = directory.appendingPathComponent("gym.looks.jsonl").path
    let rows = try String(contentsOfFile: Self.data, encoding: .utf8).split(separator: "\n")
    // Six data files, each missing a different last row: six fingerprints, so six new looks.
    let files = try (1...6).map { dropped -> String in
      let file = directory.appendingPathComponent("gym-\(dropped).csv").path
      try (rows.dropLast(dropped).joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
      return file
    }
    for round in 0..<3 {
      let statuses = Mutex<[Int32]>([])
      DispatchQueue.concurrentPerform(iterations: 2) { index in
        let run = try? runStrata([
          "analyze", "--experiment", Self.experiment, "--data", files[2 * round + index], "--look-log", log,
          "--json",
        ])
        statuses.withLock { $0.append(run?.status ?? -1) }
      }
      #expect(statuses.withLock { $0 } == [0, 0])
    }
    let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
    #expect(lines.count == 6)
    let looks = try lines.map { line -> Int in
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
      return try #require(object?["look"] as? Int)
    }
    #expect(looks == [1, 2, 3, 4, 5, 6])
  }

  @Test func aLookPastThePlanShowsAlwaysValidResultsAndWithholdsNaivePValues() throws {
    let run = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", Self.data, "--no-look-log", "--look", "4", "--json",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let json = try run.json()
    let sequential = try #require((json["look"] as? [String: Any])?["sequential"] as? [String: Any])
    #expect(sequential["unplanned"] as? Bool == true)
    #expect(sequential["method"] as? String == "always-valid")
    #expect((sequential["reason"] as? String)?.contains("beyond the 3 planned looks") == true)
    let results = try #require(json["results"] as? [[String: Any]])
    for row in results where row["metric"] as? String == "renewed" {
      #expect(row["p_value"] is NSNull)
    }
    let decisions = try #require(sequential["results"] as? [[String: Any]])
    #expect(decisions.allSatisfy { $0["always_valid_p"] is Double && $0["boundary_z"] is NSNull })
    let text = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", Self.data, "--no-look-log", "--look", "4",
    ])
    #expect(text.stdout.contains("UNPLANNED LOOK"))
  }

  @Test func reportsCarryTheBoundaryChartAndTheLookLog() throws {
    let directory = try makeTemporaryDirectory("strata-looks")
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", Self.data, "--report", directory.path, "--look-log",
      directory.appendingPathComponent("looks.jsonl").path,
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let html = try String(
      contentsOf: directory.appendingPathComponent("gym-renewal-2026.html"), encoding: .utf8)
    #expect(html.contains("class=\"boundary-chart\"") && html.contains("<h3>Look log</h3>"))
    let markdown = try String(contentsOf: directory.appendingPathComponent("gym-renewal-2026.md"), encoding: .utf8)
    #expect(markdown.contains("## Sequential monitoring") && markdown.contains("**Look log**"))
  }

  @Test func conflictingLogOptionsAreInvalid() throws {
    let run = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", Self.data, "--no-look-log", "--look-log", "/tmp/x.jsonl",
    ])
    #expect(run.status == 1 && run.stderr.contains("--no-look-log"))
  }

  @Test("strata new records the sequential maximum for a plan with looks")
  func newRecordsTheInflatedMaximum() throws {
    let directory = try makeTemporaryDirectory("strata-looks")
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("renewal.yaml").path
    let run = try runStrata([
      "new", "--id", "renewal-looks", "--variants", "control,progress,social", "--baseline", "0.62", "--mde", "0.05",
      "--looks", "3", "--output", path, "--json",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let object = try run.json()
    // R 4.2.2 / rpact 3.3.4: power.prop.test(p1 = 0.62, p2 = 0.67, sig.level = 0.025, power = 0.8)$n = 1739.83;
    // getDesignCharacteristics(getDesignGroupSequential(kMax = 3, alpha = 0.025, sided = 2,
    // typeOfDesign = "asOF", beta = 0.2))$inflationFactor = 1.008279; ceiling(1739.83 × 1.008279) = 1755.
    #expect(object["n_per_variant"] as? Int == 1740)
    #expect(object["max_n_per_variant"] as? Int == 1755)
    #expect(try String(contentsOf: URL(fileURLWithPath: path), encoding: .utf8).contains("n_per_variant: 1755"))
    #expect(try runStrata(["validate", path]).status == 0)
  }
}
