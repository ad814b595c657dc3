import Foundation
import StrataTestSupport
import Testing

@Suite("strata analyze")
struct AnalyzeCommandTests {
  static let root: URL = {
    var url = URL(fileURLWithPath: #filePath)
    while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
      url.deleteLastPathComponent()
    }
    return url
  }()
  static let experiment = root.appendingPathComponent("experiments/gym-renewal.yaml").path
  static let data = root.appendingPathComponent("experiments/data/gym-renewal.csv").path

  @Test func jsonHasTheContractKeys() throws {
    let run = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", Self.data, "--no-look-log", "--json",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let json = try run.json()
    for key in [
      "experiment", "data", "srm", "results", "pooled", "heterogeneity", "corrections", "look", "verdict", "warnings",
    ] {
      #expect(json[key] != nil, "missing \(key)")
    }
    let results = try #require(json["results"] as? [[String: Any]])
    // 2 metrics × 2 treatments × (3 segments + overall).
    #expect(results.count == 16)
    let first = try #require(results.first)
    for key in [
      "metric", "variant", "segment", "p_value", "p_value_adjusted", "lift_abs", "ci_abs_low", "ci_abs_high",
      "lift_rel", "underpowered",
    ] {
      #expect(first[key] != nil, "missing results[0].\(key)")
    }
    let srm = try #require(json["srm"] as? [String: Any])
    #expect(srm["mismatch"] as? Bool == false)
    let data = try #require(json["data"] as? [String: Any])
    #expect(data["rows_dropped"] as? Int == 3)
    let corrections = try #require(json["corrections"] as? [String: Any])
    #expect(corrections["method"] as? String == "holm")
    #expect(corrections["size"] as? Int == 6)
  }

  @Test func familyAndCorrectionAreStatedInTheJSON() throws {
    let run = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", Self.data, "--no-look-log", "--json", "--family",
      "all-metrics",
      "--correction", "bh",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let corrections = try #require(try run.json()["corrections"] as? [String: Any])
    #expect(corrections["method"] as? String == "benjamini-hochberg")
    #expect(corrections["scope"] as? String == "all-metrics")
    #expect(corrections["size"] as? Int == 6)  // the guardrail stays out: 3 segments × 2 variants of renewed
  }

  /// On a terminal (a pseudo-terminal from util-linux `script`, `COLUMNS=72`) the prose is broken at 72 columns and
  /// the tables kept; through a pipe the output is as it always was (the other tests read that).
  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
  func proseIsWrappedOnATerminalOnly() throws {
    let arguments = ["analyze", "--experiment", Self.experiment, "--data", Self.data, "--no-look-log"]
    let piped = try runStrata(arguments)
    #expect(piped.status == 0, "\(piped.stderr)")
    let pipedLines = piped.stdout.components(separatedBy: "\n")
    #expect(pipedLines.contains { $0.count > 300 })
    // Standard error to /dev/null: on a terminal it would carry the progress line.
    let quoted = ([strataExecutableURL().path] + arguments).map { "'\($0)'" }.joined(separator: " ") + " 2>/dev/null"
    let terminal = try runExecutable(
      URL(fileURLWithPath: "/usr/bin/script"), ["-q", "-e", "-c", quoted, "/dev/null"], environment: ["COLUMNS": "72"])
    #expect(terminal.status == 0, "\(terminal.stderr)")
    let text = terminal.stdout.replacingOccurrences(of: "\r", with: "")
    #expect(text != piped.stdout)
    // Nothing lost or changed but the line breaks and indents.
    let squeezed = { (text: String) in text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
    #expect(squeezed(text) == squeezed(piped.stdout))
    // Lines wider than 72: a table's rows, as through the pipe.
    for line in text.components(separatedBy: "\n") where line.count > 72 {
      #expect(pipedLines.contains(line) && line.contains("  "), "\(line)")
    }
  }

  @Test func reportsAreWrittenAndTheTableIsReadable() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("strata-cli-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", Self.data, "--no-look-log", "--report", directory.path,
    ])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.hasPrefix("Gym renewal reminder"))
    #expect(run.stdout.contains("Sample ratio check: OK"))
    #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("gym-renewal-2026.html").path))
    #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("gym-renewal-2026.md").path))
  }

  @Test func strictModeExitsOneNamingTheLine() throws {
    let run = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", Self.data, "--no-look-log", "--strict",
    ])
    #expect(run.status == 1)
    #expect(run.stderr.contains("gym-renewal.csv:1202:"))
    #expect(run.stdout.isEmpty)
  }

  @Test func invalidInputsExitOneAndUsageErrors64() throws {
    let missing = try runStrata(["analyze", "--experiment", Self.experiment, "--data", "/nonexistent.csv"])
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("/nonexistent.csv"))
    let badExperiment = try runStrata(["analyze", "--experiment", Self.data, "--data", Self.data])
    #expect(badExperiment.status == 1)
    let badThreshold = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", Self.data, "--no-look-log", "--srm-threshold", "2",
    ])
    #expect(badThreshold.status == 1)
    let badCorrection = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", Self.data, "--no-look-log", "--correction", "magic",
    ])
    #expect(badCorrection.status == 64)
    let lookZero = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", Self.data, "--no-look-log", "--look", "0",
    ])
    #expect(lookZero.status == 1)
    #expect(lookZero.stderr.contains("--look"))
    let badFamily = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", Self.data, "--no-look-log", "--family", "everything",
    ])
    #expect(badFamily.status == 64)
    let noData = try runStrata(["analyze", "--experiment", Self.experiment])
    #expect(noData.status == 64)
  }
}
