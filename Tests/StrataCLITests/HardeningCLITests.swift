import Foundation
import StrataTestSupport
import Testing

/// Issue 10, "Crashes and wrong successes": each test failed on the main of 3 Dec 2026 and passes now.
@Suite("Hardening: crashes and wrong successes")
struct HardeningCLITests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  static let gym = root.appendingPathComponent("experiments/gym-renewal.yaml").path
  static let gymData = root.appendingPathComponent("experiments/data/gym-renewal.csv").path

  /// Whether text holds a C0/C1 control (other than line breaks and tabs) or a bidi override.
  static func hasRawControls(_ text: String) -> Bool {
    text.unicodeScalars.contains { scalar in
      switch scalar.value {
      case 0x0A, 0x09: return false
      case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: return true
      default: return false
      }
    }
  }

  // MARK: 7. Rules deep or long enough to overflow the stack

  @Test("a rule nested 28,000 deep or 65,000 terms long is an error naming the column, not a SIGSEGV")
  func deepAndLongRulesAreErrors() throws {
    let directory = try makeTemporaryDirectory("strata-hardening")
    let deep = String(repeating: "(", count: 28_000) + "x" + String(repeating: ")", count: 28_000)
    let long = (0..<65_000).map { "x == \($0)" }.joined(separator: " or ")
    for rule in [deep, long] {
      let file = directory.appendingPathComponent("e.yaml")
      try "id: deep\nvariants: [a, b]\neligibility: '\(rule)'\n".write(to: file, atomically: true, encoding: .utf8)
      let run = try runStrata(["validate", file.path])
      #expect(run.status == 1, "\(run.stderr.prefix(300))")
      #expect(run.stderr.contains("e.yaml:3: eligibility") && run.stderr.contains("column"))
      #expect(run.stderr.count < 1_000)
    }
  }

  // MARK: 9. Plan numbers the maths cannot honour

  @Test(
    "validate and analyze refuse plan numbers out of range, naming the field",
    arguments: [
      ("alpha", "1e-300", "plan.alpha"),
      ("alpha", "0.9", "plan.alpha"),
      ("power", "1e-300", "plan.power"),
      ("power", "0.9999999999", "plan.power"),
      ("baseline", "1.5", "plan.baseline"),
      ("mde", "0.5", "plan.mde"),
      ("fractions", "[1e-300, 0.67, 1]", "plan.fractions[0]"),
      ("spending", "hsd:1e300", "plan.spending"),
      ("daily_units", "9223372036854775807", "plan.daily_units"),
    ])
  func planRanges(key: String, value: String, field: String) throws {
    let directory = try makeTemporaryDirectory("strata-hardening")
    let lines = try String(contentsOfFile: Self.gym, encoding: .utf8).split(
      separator: "\n", omittingEmptySubsequences: false)
    let replaced = lines.map { $0.hasPrefix("  \(key):") ? "  \(key): \(value)" : String($0) }
    #expect(replaced != lines.map(String.init), "the bundled plan has no \(key)")
    let file = directory.appendingPathComponent("gym.yaml")
    try replaced.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
    let validate = try runStrata(["validate", file.path])
    #expect(validate.status == 1, "\(key): \(value): \(validate.stdout)")
    #expect(validate.stderr.contains("gym.yaml:") && validate.stderr.contains(field), "\(validate.stderr)")
    let analyze = try runStrata([
      "analyze", "--experiment", file.path, "--data", Self.gymData, "--no-look-log", "--json",
    ])
    #expect(analyze.status == 1 && analyze.stdout.isEmpty, "\(key): \(value)")
    #expect(analyze.stderr.contains(field))
  }

  @Test("a plan whose numbers are each in range but give no design is refused at load")
  func planThatDoesNotCompute() throws {
    let directory = try makeTemporaryDirectory("strata-hardening")
    let file = directory.appendingPathComponent("mean.yaml")
    try """
    id: mean-plan
    variants: [control, treatment]
    metrics:
      - {name: revenue, kind: continuous, role: primary}
    plan: {alpha: 0.05, power: 0.8, sd: 1e15, mde: 1e-9}

    """.write(to: file, atomically: true, encoding: .utf8)
    let run = try runStrata(["validate", file.path])
    #expect(run.status == 1)
    #expect(run.stderr.contains("mean.yaml:5: plan:"), "\(run.stderr)")
  }

  // MARK: 10. Single-dash typos containing h

  @Test("a single-dash word is a usage error (64), never help with exit 0, even with --json")
  func singleDashTypos() throws {
    for arguments in [
      ["calc", "srm", "--observed", "100,110", "-weight", "--json"],
      ["plan", "--metric", "proportion", "--baseline", "0.1", "--mde", "0.01", "-e-alpha", "0.1", "--json"],
      ["-hlep"],
    ] {
      let run = try runStrata(arguments)
      #expect(run.status == 64, "\(arguments)")
      #expect(run.stdout.isEmpty)
      #expect(run.stderr.contains("two dashes"), "\(run.stderr)")
    }
    #expect(try runStrata(["calc", "srm", "-h"]).status == 0)
    #expect(try runStrata(["calc", "srm", "--observed", "-5,3"]).stderr.contains("two dashes") == false)
  }

  // MARK: 11. Empty ids and paths, counts above 2^53

  @Test("--unit \"\" exits 1; --output \"\" and --report \"\" are usage errors")
  func emptyValues() throws {
    let unit = try runStrata(["assign", "--experiment", Self.gym, "--unit", ""])
    #expect(unit.status == 1 && unit.stderr.contains("--unit"))
    let output = try runStrata(["assign", "--experiment", Self.gym, "--input", Self.gymData, "--output", ""])
    #expect(output.status == 64 && output.stderr.contains("--output"))
    let report = try runStrata(["analyze", "--experiment", Self.gym, "--data", Self.gymData, "--report", ""])
    #expect(report.status == 64 && report.stderr.contains("--report"))
  }

  @Test(
    "every calculator refuses a count of 2^53 or more with the same sentence",
    arguments: [
      ["calc", "srm", "--observed", "9007199254740993,10"],
      ["calc", "chi2", "--table", "9007199254740993,1;2,3"],
      ["calc", "fisher", "--table", "9007199254740993,1;2,3"],
      ["calc", "proportions", "--a", "1,9007199254740992", "--b", "3,10"],
      ["calc", "ttest", "--a", "9007199254740993,1,1", "--b", "10,1,1"],
      ["calc", "msprt", "--a", "9007199254740993,1,1", "--b", "10,1,1", "--tau", "1"],
    ])
  func hugeCounts(arguments: [String]) throws {
    let run = try runStrata(arguments + ["--json"])
    #expect(run.status == 1, "\(arguments): \(run.stdout)")
    #expect(run.stdout.isEmpty)
    #expect(run.stderr.contains("must be a whole number from") && run.stderr.contains("(9007199254740991)"))
    let largest = arguments.map { $0.replacingOccurrences(of: "9007199254740993", with: "9007199254740991") }
    if arguments[1] != "fisher" && arguments[1] != "proportions" {
      #expect(try runStrata(largest).status == 0, "\(largest)")
    }
  }

  // MARK: 14. Messages about the input, not the code

  @Test("numerical failures and tiny alphas are sentences without Swift names or statuses")
  func noInternalsInMessages() throws {
    for arguments in [
      ["calc", "ttest", "--a", "10,1e300,1e300", "--b", "10,1,1"],
      ["calc", "boundaries", "--looks", "2", "--fractions", "1e-300,1", "--spending", "obf"],
      ["calc", "ttest", "--a", "10,1,1", "--b", "10,2,1", "--alpha", "1e-17"],
    ] {
      let run = try runStrata(arguments)
      #expect(run.status == 1, "\(arguments)")
      for leak in ["(status", "confidenceLevel", "(_:)", "TwoSampleT", ".result"] {
        #expect(!run.stderr.contains(leak), "\(arguments): \(run.stderr)")
      }
    }
  }

  // MARK: 15. CR-only line ends, capped messages

  @Test("a file with CR-only line ends is named as such in one short message")
  func carriageReturnLineEnds() throws {
    let directory = try makeTemporaryDirectory("strata-hardening")
    var text = "member_id,variant,segment,renewed,revenue\r"
    for index in 0..<50_000 { text += "M-\(index),control,high,1,10\r" }
    let file = directory.appendingPathComponent("old-mac.csv")
    try text.write(to: file, atomically: true, encoding: .utf8)
    let analyze = try runStrata(["analyze", "--experiment", Self.gym, "--data", file.path, "--no-look-log"])
    #expect(analyze.status == 1)
    #expect(analyze.stderr.contains("old-mac.csv:1:") && analyze.stderr.contains("carriage return"))
    #expect(analyze.stderr.count < 500, "\(analyze.stderr.count) characters")
    let assign = try runStrata([
      "assign", "--experiment", Self.gym, "--input", file.path, "--output",
      directory.appendingPathComponent("o.csv").path,
    ])
    #expect(assign.status == 1 && assign.stderr.contains("carriage return") && assign.stderr.count < 500)
  }

  @Test("an echoed header or value is cut to about 200 characters")
  func echoedValuesAreCapped() throws {
    let directory = try makeTemporaryDirectory("strata-hardening")
    let columns = (0..<5_000).map { "column_\($0)" }.joined(separator: ",")
    let file = directory.appendingPathComponent("wide.csv")
    try (columns + "\n" + String(repeating: "1,", count: 4_999) + "1\n").write(
      to: file, atomically: true, encoding: .utf8)
    let analyze = try runStrata(["analyze", "--experiment", Self.gym, "--data", file.path, "--no-look-log"])
    #expect(analyze.status == 1)
    #expect(analyze.stderr.contains("more"))
    #expect(analyze.stderr.count < 600, "\(analyze.stderr.count) characters")
  }

  // MARK: 16. Controls and bidi overrides from data and names

  @Test("controls and bidi overrides in data reach neither the terminal, the Markdown report nor stderr raw")
  func controlsAreEscaped() throws {
    let directory = try makeTemporaryDirectory("strata-hardening")
    let evil = "\u{1B}[2J\u{1B}]0;pwned\u{07}tre\u{202E}atment\u{9B}"
    var text = "member_id,variant,segment,renewed,revenue\n"
    for index in 0..<300 {
      text +=
        "M-\(index),\(index.isMultiple(of: 2) ? "control" : "reminder_social"),high,\(index % 3 == 0 ? 1 : 0),10\n"
    }
    text += "M-x,\(evil),high,1,10\n"
    let file = directory.appendingPathComponent("data.csv")
    try text.write(to: file, atomically: true, encoding: .utf8)
    let reports = directory.appendingPathComponent("reports")
    let run = try runStrata([
      "analyze", "--experiment", Self.gym, "--data", file.path, "--no-look-log", "--report", reports.path,
    ])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(!Self.hasRawControls(run.stdout) && !Self.hasRawControls(run.stderr))
    #expect(run.stdout.contains("\\u{1B}[2J") || run.stdout.contains("unknown variant"))
    let markdown = try String(contentsOf: reports.appendingPathComponent("gym-renewal-2026.md"), encoding: .utf8)
    #expect(!Self.hasRawControls(markdown))
    let html = try String(contentsOf: reports.appendingPathComponent("gym-renewal-2026.html"), encoding: .utf8)
    #expect(!html.unicodeScalars.contains { (0x202A...0x202E).contains($0.value) || $0.value == 0x9B })

    let strict = try runStrata(["analyze", "--experiment", Self.gym, "--data", file.path, "--no-look-log", "--strict"])
    #expect(strict.status == 1)
    #expect(!Self.hasRawControls(strict.stderr) && strict.stderr.contains("\\u{1B}"), "\(strict.stderr)")

    let header = directory.appendingPathComponent("header.csv")
    try "id\u{1B}[31m,\u{202E}x\nu1,1\n".write(to: header, atomically: true, encoding: .utf8)
    let assign = try runStrata([
      "assign", "--experiment", Self.gym, "--input", header.path, "--output",
      directory.appendingPathComponent("o.csv").path,
    ])
    #expect(assign.status == 1 && !Self.hasRawControls(assign.stderr), "\(assign.stderr)")
    let unit = try runStrata(["assign", "--experiment", Self.gym, "--unit", "M-\u{1B}[31m\u{202E}1"])
    #expect(unit.status == 0 && !Self.hasRawControls(unit.stdout))
  }

  // MARK: 17. Formula injection in assign output

  @Test("cells that start like a formula are written with a ' (one-to-one); --raw-ids writes them as they are")
  func formulaGuard() throws {
    let directory = try makeTemporaryDirectory("strata-hardening")
    let ids = ["=HYPERLINK(\"http://x\")", "+1", "-5", "@SUM(A1)", "\tx", "'quoted", "M-1", "plain"]
    var text = "member_id,marketing_opt_in,membership_months,status,checkins_90d\n"
    for id in ids { text += "\"\(id.replacingOccurrences(of: "\"", with: "\"\""))\",true,14,active,30\n" }
    text += "\"\rcr\",true,14,active,30\n"
    let input = directory.appendingPathComponent("members.csv")
    try text.write(to: input, atomically: true, encoding: .utf8)
    let guarded = directory.appendingPathComponent("guarded.csv")
    let raw = directory.appendingPathComponent("raw.csv")
    #expect(
      try runStrata(["assign", "--experiment", Self.gym, "--input", input.path, "--output", guarded.path]).status == 0)
    #expect(
      try runStrata([
        "assign", "--experiment", Self.gym, "--input", input.path, "--output", raw.path, "--raw-ids",
      ]).status == 0)
    let guardedText = try String(contentsOf: guarded, encoding: .utf8)
    let rawText = try String(contentsOf: raw, encoding: .utf8)
    #expect(guardedText.contains("\n\"'=HYPERLINK(\"\"http://x\"\")\","))
    #expect(
      guardedText.contains("\n\"'+1\",") && guardedText.contains("\n\"'-5\",")
        && guardedText.contains("\n\"'@SUM(A1)\","))
    #expect(
      guardedText.contains("\n\"'\tx\",") && guardedText.contains("\n\"''quoted\",")
        && guardedText.contains("\n\"'\rcr\","))
    #expect(guardedText.contains("\nM-1,") && guardedText.contains("\nplain,"))
    #expect(rawText.contains("\n+1,") && rawText.contains("\n-5,") && rawText.contains("\n'quoted,"))
    // Joinable: removing one leading ' from the guarded cells gives the raw file, row for row.
    let unguarded = guardedText.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
      line.hasPrefix("\"'") ? "\"" + line.dropFirst(2) : String(line)
    }.joined(separator: "\n")
    let requoted = rawText.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
      guard let first = line.first, "=+-@\t\r'".contains(first) else { return String(line) }
      let cut = line.firstIndex(of: ",") ?? line.endIndex
      return "\"" + line[..<cut] + "\"" + line[cut...]
    }.joined(separator: "\n")
    #expect(
      unguarded
        == requoted.replacingOccurrences(of: "\"=HYPERLINK(\"http://x\")\"", with: "\"=HYPERLINK(\"\"http://x\"\")\""))
  }

  // MARK: 18. strata new with a control character

  @Test("strata new --hypothesis with control characters writes a file that loads back")
  func newWithControlCharacters() throws {
    let directory = try makeTemporaryDirectory("strata-hardening")
    let path = directory.appendingPathComponent("bell.yaml").path
    let run = try runStrata([
      "new", "--id", "bell", "--hypothesis", "Ring \u{07}the\u{1B}[31m bell\u{202E}", "--output", path,
    ])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(!Self.hasRawControls(run.stdout))
    let written = try String(contentsOfFile: path, encoding: .utf8)
    #expect(!Self.hasRawControls(written) && written.contains("\\u0007"))
    #expect(try runStrata(["validate", path]).status == 0)
    #expect(try runStrata(["new", "--id", "x", "--output", ""]).status == 64)
  }
}
