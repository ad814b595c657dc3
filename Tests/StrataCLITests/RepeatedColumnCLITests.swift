import Foundation
import StrataTestSupport
import Testing

/// A column the command reads, named twice in the header: one sentence naming it and its fields, exit 1.
///
/// The readers took the first one silently (`renewed,...,renewed` analysed whichever came first). A repeated
/// column the command does not read changes nothing.
@Suite("A repeated header column")
struct RepeatedColumnCLITests {
  let directory: URL

  init() throws { directory = try makeTemporaryDirectory("strata-assign") }

  /// `text` with `column` added to the header and `value` to every other non-empty line.
  static func addingColumn(_ column: String, value: String, to text: String) -> String {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    for index in lines.indices where !lines[index].isEmpty {
      lines[index] += index == 0 ? ",\(column)" : ",\(value)"
    }
    return lines.joined(separator: "\n")
  }

  func write(_ name: String, _ text: String) throws -> String {
    let path = directory.appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  static func file(_ relative: String) throws -> String {
    try String(contentsOf: AnalyzeCommandTests.root.appendingPathComponent(relative), encoding: .utf8)
  }

  static func sentence(_ path: String, line: Int = 1, field: String = "", _ column: String, _ fields: String)
    -> String
  {
    "strata: error: \(path):\(line): \(field)the header has the column \"\(column)\" 2 times (fields \(fields)), "
      + "so which one to read is ambiguous: rename or remove the others\n"
  }

  @Test("analyze: a metric column of unit-level data twice; an unread column twice is fine")
  func analyzeUnitLevel() throws {
    let data = try Self.file("experiments/data/gym-renewal.csv")
    let repeated = try write("renewed.csv", Self.addingColumn("renewed", value: "1", to: data))
    let run = try runStrata([
      "analyze", "--experiment", AnalyzeCommandTests.experiment, "--data", repeated, "--no-look-log",
    ])
    #expect(run.status == 1)
    #expect(run.stderr == Self.sentence(repeated, "renewed", "4 and 6"), "\(run.stderr)")
    let unread = try write(
      "notes.csv", Self.addingColumn("notes", value: "b", to: Self.addingColumn("notes", value: "a", to: data)))
    let fine = try runStrata([
      "analyze", "--experiment", AnalyzeCommandTests.experiment, "--data", unread, "--no-look-log",
    ])
    #expect(fine.status == 0, "\(fine.stderr)")
  }

  @Test("analyze: the unit count of aggregated cells twice")
  func analyzeAggregated() throws {
    let cells = try Self.file("experiments/data/basket-bundle-cells.csv")
    let repeated = try write("cells.csv", Self.addingColumn("n", value: "5", to: cells))
    let experiment = AnalyzeCommandTests.root.appendingPathComponent("experiments/basket-bundle.yaml").path
    let run = try runStrata(["analyze", "--experiment", experiment, "--data", repeated, "--no-look-log"])
    #expect(run.status == 1)
    #expect(run.stderr == Self.sentence(repeated, "n", "3 and 19"), "\(run.stderr)")
  }

  @Test("assign --input: an attribute a rule reads twice; an unread column twice is fine")
  func assignInput() throws {
    let members = "member_id,marketing_opt_in,membership_months,status,checkins_90d\nM-1,true,14,active,30\n"
    let repeated = try write("m.csv", Self.addingColumn("checkins_90d", value: "2", to: members))
    let output = directory.appendingPathComponent("a.csv").path
    let run = try runStrata(
      ["assign", "--experiment", AssignCommandTests.gym, "--input", repeated, "--output", output])
    #expect(run.status == 1)
    #expect(run.stderr == Self.sentence(repeated, "checkins_90d", "5 and 6"), "\(run.stderr)")
    #expect(!FileManager.default.fileExists(atPath: output))
    let unread = try write(
      "n.csv", Self.addingColumn("notes", value: "b", to: Self.addingColumn("notes", value: "a", to: members)))
    let fine = try runStrata(["assign", "--experiment", AssignCommandTests.gym, "--input", unread, "--output", output])
    #expect(fine.status == 0, "\(fine.stderr)")
  }

  @Test("discover: a feature column twice")
  func discoverFeature() throws {
    let audience = try Self.file("experiments/data/gym-audience.csv")
    let head = audience.split(separator: "\n").prefix(50).joined(separator: "\n") + "\n"
    let repeated = try write("audience.csv", Self.addingColumn("tenure_months", value: "3", to: head))
    let output = directory.appendingPathComponent("d.yaml").path
    let run = try runStrata([
      "discover", "--input", repeated, "--unit", "member_id", "--features", "checkins_90d,tenure_months",
      "--output", output,
    ])
    #expect(run.status == 1)
    #expect(
      run.stderr == Self.sentence(repeated, field: "tenure_months: ", "tenure_months", "4 and 8"), "\(run.stderr)")
  }
}
