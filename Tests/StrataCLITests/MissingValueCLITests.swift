import Foundation
import StrataTestSupport
import Testing

/// `strata analyze --missing-value NA`: values other tools write for "missing" (R's `NA`), and logicals in 0/1
/// metrics (`TRUE`/`FALSE`), read as a user of R or pandas expects.
@Suite("analyze --missing-value and logicals")
struct MissingValueCLITests {
  static let root = packageRootURL()
  static let experiment = root.appendingPathComponent("experiments/gym-renewal.yaml").path

  /// The bundled example with every 20th row's revenue replaced by `replacement` (and, with `logicals`, its 0/1
  /// `renewed` written TRUE/FALSE, True/False or true/false by turns), in a new file.
  static func file(_ name: String, revenue replacement: String?, logicals: Bool = false) throws -> String {
    let example = try String(
      contentsOf: root.appendingPathComponent("experiments/data/gym-renewal.csv"), encoding: .utf8)
    var lines = example.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    for index in 1..<lines.count {
      var fields = lines[index].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      guard fields.count == 5 else { continue }
      if let replacement, index % 20 == 0 { fields[4] = replacement }
      if logicals {
        let spelling = index % 3
        fields[3] =
          fields[3] == "1"
          ? ["TRUE", "True", "true"][spelling] : fields[3] == "0" ? ["FALSE", "False", "false"][spelling] : fields[3]
      }
      lines[index] = fields.joined(separator: ",")
    }
    let directory = try makeTemporaryDirectory("strata-na")
    let url = directory.appendingPathComponent(name)
    try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
    return url.path
  }

  static func analyze(_ data: String, _ extra: [String] = []) throws -> (
    status: Int32, json: [String: Any], stderr: String
  ) {
    let run = try runStrata(
      ["analyze", "--experiment", experiment, "--data", data, "--json", "--no-look-log"] + extra,
      environment: ["SOURCE_DATE_EPOCH": "1700000000"])
    let json = (try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]) ?? [:]
    return (run.status, json, run.stderr)
  }

  static func results(_ json: [String: Any]) throws -> Data {
    try JSONSerialization.data(withJSONObject: json["results"] as Any, options: [.sortedKeys])
  }

  @Test("NA with --missing-value NA is an empty field: same results and missing counts, on 1 and 2 threads")
  func naIsMissing() throws {
    let empty = try Self.analyze(try Self.file("empty.csv", revenue: ""))
    let na = try Self.file("na.csv", revenue: " NA ")
    for threads in ["1", "2"] {
      let run = try Self.analyze(na, ["--missing-value", "NA", "--threads", threads])
      #expect(run.status == 0, "\(run.stderr)")
      #expect(try Self.results(run.json) == (try Self.results(empty.json)))
      let account = try #require(run.json["data"] as? [String: Any])
      let emptyAccount = try #require(empty.json["data"] as? [String: Any])
      #expect(account["rows_used"] as? Int == emptyAccount["rows_used"] as? Int)
      let missing = try JSONSerialization.data(withJSONObject: account["missing_values"] as Any, options: .sortedKeys)
      let emptyMissing = try JSONSerialization.data(
        withJSONObject: emptyAccount["missing_values"] as Any, options: .sortedKeys)
      #expect(missing == emptyMissing)
    }
  }

  @Test("NA without the flag: the row is skipped as unparseable and the message says how to read it as missing")
  func naWithoutFlagSaysHow() throws {
    let na = try Self.file("na.csv", revenue: "NA")
    let run = try Self.analyze(na)
    #expect(run.status == 0, "\(run.stderr)")
    let account = try #require(run.json["data"] as? [String: Any])
    let issues = try #require(account["issues"] as? [[String: Any]])
    let unparseable = try #require(issues.first { $0["kind"] as? String == "unparseable_number" })
    #expect(
      unparseable["first_example"] as? String
        == "has \"NA\" for column \"revenue\", which must be a number (if \"NA\" means a missing value here, --missing-value NA reads it as one)"
    )
    let strict = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", na, "--no-look-log", "--strict",
    ])
    #expect(strict.status == 1)
    #expect(
      strict.stderr.contains(
        "na.csv:21: row has \"NA\" for column \"revenue\", which must be a number (if \"NA\" means a missing value here, --missing-value NA reads it as one)"
      ), "\(strict.stderr)")
    // Another word gets no hint; a spelling with a backslash is quoted for the shell
    let word = try Self.analyze(try Self.file("word.csv", revenue: "unknown"))
    let wordIssues = try #require((word.json["data"] as? [String: Any])?["issues"] as? [[String: Any]])
    #expect(
      wordIssues.contains {
        $0["first_example"] as? String == "has \"unknown\" for column \"revenue\", which must be a number"
      })
    let backslash = try Self.analyze(try Self.file("mysql.csv", revenue: "\\N"))
    let backslashIssues = try #require((backslash.json["data"] as? [String: Any])?["issues"] as? [[String: Any]])
    #expect(
      backslashIssues.contains {
        ($0["first_example"] as? String)?.hasSuffix("--missing-value '\\N' reads it as one)") == true
      }, "\(backslashIssues)")
    let read = try Self.analyze(try Self.file("mysql.csv", revenue: "\\N"), ["--missing-value", "\\N"])
    #expect(
      try Self.results(read.json) == (try Self.results(try Self.analyze(try Self.file("e.csv", revenue: "")).json)))
  }

  @Test("TRUE/FALSE (and True/False, true/false) in a 0/1 metric are 1/0; in a continuous metric they are not numbers")
  func logicals() throws {
    let plain = try Self.analyze(try Self.file("plain.csv", revenue: nil))
    let logical = try Self.analyze(try Self.file("logical.csv", revenue: nil, logicals: true))
    #expect(logical.status == 0, "\(logical.stderr)")
    #expect(try Self.results(logical.json) == (try Self.results(plain.json)))
    let plainIssues = (plain.json["data"] as? [String: Any])?["issues"] as? [[String: Any]]
    let logicalIssues = (logical.json["data"] as? [String: Any])?["issues"] as? [[String: Any]]
    #expect(plainIssues?.count == logicalIssues?.count)
    let inRevenue = try Self.analyze(try Self.file("true-revenue.csv", revenue: "TRUE"))
    let issues = try #require((inRevenue.json["data"] as? [String: Any])?["issues"] as? [[String: Any]])
    #expect(
      issues.contains {
        $0["first_example"] as? String == "has \"TRUE\" for column \"revenue\", which must be a number"
      })
  }

  @Test("--missing-value: a number, an empty text or --database is a usage error naming the flag")
  func badFlags() throws {
    for (value, message) in [
      ("-99", "--missing-value '-99' is a number, and a number is read as a value"),
      ("  ", "--missing-value '  ': give the text a missing value has in the file, e.g. NA."),
    ] {
      let run = try runStrata([
        "analyze", "--experiment", Self.experiment, "--data", "x.csv", "--missing-value=\(value)",
      ])
      #expect(run.status == 64, "\(value): \(run.stderr)")
      #expect(run.stderr.contains(message), "\(value): \(run.stderr)")
    }
    let database = try runStrata([
      "analyze", "--experiment", Self.experiment, "--database", "postgresql://x@127.0.0.1:1/db", "--table", "t",
      "--missing-value", "NA",
    ])
    #expect(database.status == 64)
    #expect(database.stderr.contains("--missing-value goes with --data: in a database a missing value is NULL."))
    let help = try runStrata(["analyze", "--help"])
    #expect(help.stdout.contains("--missing-value <value>"), "\(help.stdout)")
  }
}
