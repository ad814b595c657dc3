import Foundation
import StrataTestSupport
import Testing

/// What a new user runs into first: a misnamed unit column, an empty export, and one order for counts.
@Suite("First run")
struct FirstRunTests {
  static let experiment = packageRootURL().appendingPathComponent("experiments/gym-renewal.yaml").path

  /// A scratch directory holding `data.csv` with `text`.
  static func dataFile(_ text: String) throws -> (directory: URL, data: String) {
    let directory = try makeTemporaryDirectory("strata-first")
    let url = directory.appendingPathComponent("data.csv")
    try Data(text.utf8).write(to: url)
    return (directory, url.path)
  }

  static let rows = """
    M1,control,low,1,360
    M2,reminder_progress,low,0,
    M3,reminder_social,low,1,480
    M1,reminder_social,low,1,480

    """

  @Test("a unit column named differently from the definition's unit: is named in a warning, and --strict refuses")
  func misnamedUnitColumn() throws {
    let (directory, data) = try Self.dataFile("memberid,variant,segment,renewed,revenue\n" + Self.rows)
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = try runStrata(["analyze", "--experiment", Self.experiment, "--data", data, "--no-look-log"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("no unit id column \"member_id\""), "\(run.stdout)")
    #expect(run.stdout.contains("memberid"))  // the columns that are there
    let json = try runStrata(["analyze", "--experiment", Self.experiment, "--data", data, "--no-look-log", "--json"])
    let warnings = try #require(try json.json()["warnings"] as? [String])
    #expect(warnings.contains { $0.contains("\"member_id\"") && $0.contains("not checked") }, "\(warnings)")
    let strict = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", data, "--no-look-log", "--strict",
    ])
    #expect(strict.status == 1)
    #expect(strict.stderr.contains("data.csv:1:") && strict.stderr.contains("\"member_id\""), "\(strict.stderr)")
    // With the column named as the definition says, the duplicate M1 is found and there is no warning.
    let (fixed, fixedData) = try Self.dataFile("member_id,variant,segment,renewed,revenue\n" + Self.rows)
    defer { try? FileManager.default.removeItem(at: fixed) }
    let good = try runStrata(["analyze", "--experiment", Self.experiment, "--data", fixedData, "--no-look-log"])
    #expect(good.status == 0 && !good.stdout.contains("no unit id column"))
    #expect(good.stdout.contains("duplicate unit id"))
  }

  @Test("a header-only file is refused (exit 1, no look recorded), never 'Sample ratio check: OK'")
  func headerOnlyFile() throws {
    let (directory, data) = try Self.dataFile("member_id,variant,segment,renewed,revenue\n")
    defer { try? FileManager.default.removeItem(at: directory) }
    let log = directory.appendingPathComponent("looks.jsonl").path
    let run = try runStrata(["analyze", "--experiment", Self.experiment, "--data", data, "--look-log", log])
    #expect(run.status == 1)
    #expect(!run.stdout.contains("Sample ratio check: OK"))
    #expect(run.stderr.contains("data.csv: has a header but no data rows"), "\(run.stderr)")
    #expect(!FileManager.default.fileExists(atPath: log), "a look was recorded for an empty file")
    // Every row dropped: the same, with the reasons.
    let (bad, badData) = try Self.dataFile(
      "member_id,variant,segment,renewed,revenue\nM1,contrl,low,1,360\nM2,control,low,yes,\n")
    defer { try? FileManager.default.removeItem(at: bad) }
    let dropped = try runStrata(["analyze", "--experiment", Self.experiment, "--data", badData, "--no-look-log"])
    #expect(dropped.status == 1)
    #expect(dropped.stderr.contains("none could be used") && dropped.stderr.contains("line 2"), "\(dropped.stderr)")
  }

  static let factors = "subject:short|question,image:photo|none,cta:buy|learn"

  @Test(
    "calc factorial takes --counts as conversions,n (as calc proportions); the old --cells order still works, with a note"
  )
  func factorialCountsOrder() throws {
    let counts = "96,2000;118,2000;104,2000;131,2000;99,2000;125,2000;101,2000;160,2000"
    let old = "2000,96;2000,118;2000,104;2000,131;2000,99;2000,125;2000,101;2000,160"
    let new = try runStrata(["calc", "factorial", "--factors", Self.factors, "--counts", counts, "--json"])
    #expect(new.status == 0, "\(new.stderr)")
    #expect(new.stderr.isEmpty)
    let deprecated = try runStrata([
      "calc", "factorial", "--factors", Self.factors, "--metric", "proportion", "--cells", old, "--json",
    ])
    #expect(deprecated.status == 0)
    #expect(deprecated.stdout == new.stdout)
    #expect(deprecated.stderr.contains("deprecated") && deprecated.stderr.contains("--counts"), "\(deprecated.stderr)")
    // Errors name the flag and the row.
    let tooMany = try runStrata([
      "calc", "factorial", "--factors", Self.factors, "--counts",
      "96,2000;118,2000;104,2000;131,2000;99,2000;125,2000;101,2000;2001,2000",
    ])
    #expect(tooMany.status == 1)
    #expect(tooMany.stderr.contains("--counts row 8"), "\(tooMany.stderr)")
    let short = try runStrata(["calc", "factorial", "--factors", Self.factors, "--counts", "96;118"])
    #expect(short.status == 1 && short.stderr.contains("--counts"), "\(short.stderr)")
    // Flag combinations that cannot work are usage errors.
    for arguments in [
      ["--counts", counts, "--cells", old], [], ["--metric", "mean", "--counts", counts], ["--cells", old],
    ] {
      let run = try runStrata(["calc", "factorial", "--factors", Self.factors] + arguments)
      #expect(run.status == 64, "\(arguments): \(run.stderr)")
    }
  }
}
