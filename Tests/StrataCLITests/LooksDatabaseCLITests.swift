import Crypto
import Foundation
import StrataTestSupport
import Testing

/// `strata looks list|drop --database sqlite:PATH --experiment ID` on an example database of two looks.
///
/// The database was made by `strata serve` (Scripts/fixtures/service_example_db.py: two planned looks of
/// gym-renewal-2026). PostgreSQL, and SQLite while the service runs: Tests/service/test_looks_database.py.
@Suite("strata looks on a strata serve database")
struct LooksDatabaseCLITests {
  static let example = AnalyzeCommandTests.root.appendingPathComponent("experiments/data/gym-renewal-service.db")

  let directory: URL
  let database: String

  init() throws {
    directory = try makeTemporaryDirectory("strata-looks")
    database = directory.appendingPathComponent("strata.db").path
    try FileManager.default.copyItem(at: Self.example, to: URL(fileURLWithPath: database))
  }

  func looks(_ arguments: [String]) throws -> StrataRun {
    try runStrata(["looks"] + arguments)
  }

  func digest() throws -> String {
    SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: database))).map { String(format: "%02x", $0) }
      .joined()
  }

  @Test func listShowsTheServicesLooksAsALookLogDoesAndWritesNothing() throws {
    let before = try digest()
    let listed = try looks(["list", "--database", "sqlite:\(database)", "--experiment", "gym-renewal-2026"])
    #expect(listed.status == 0, "\(listed.stderr)")
    #expect(
      listed.stdout.hasPrefix(
        "Look store sqlite:\(database) (experiment gym-renewal-2026): 2 looks, 2 records\n"), "\(listed.stdout)")
    let lines = listed.stdout.split(separator: "\n")
    #expect(lines.count == 4, "\(listed.stdout)")
    #expect(lines[1].hasPrefix("look") && lines[1].contains("information") && lines[1].contains("fingerprint"))
    #expect(lines[2].hasPrefix("1 ") && lines[3].hasPrefix("2 "), "\(listed.stdout)")

    let json = try looks(
      ["list", "--database", "sqlite:\(database)", "--experiment", "gym-renewal-2026", "--json"]
    ).json()
    #expect(json["experiment"] as? String == "gym-renewal-2026")
    #expect(json["database"] as? String == "sqlite:\(database)")
    let records = try #require(json["looks"] as? [[String: Any]])
    #expect(records.map { $0["look"] as? Int } == [1, 2])
    #expect(records.map { $0["rows_used"] as? Int } == [300, 600])
    #expect(records.allSatisfy { ($0["fingerprint"] as? String)?.isEmpty == false && $0["replaced"] as? Int == 0 })
    #expect(try digest() == before, "listing must not change the database file")
    let left = try FileManager.default.contentsOfDirectory(atPath: directory.path)
    #expect(left == ["strata.db"], "listing leaves nothing beside the database: \(left)")
  }

  @Test func dropRemovesOnlyTheLatestLook() throws {
    let target = ["--database", "sqlite:\(database)", "--experiment", "gym-renewal-2026"]
    let notLatest = try looks(["drop"] + target + ["--look", "1"])
    #expect(notLatest.status == 1)
    #expect(
      notLatest.stderr.contains(
        "--look 1 is not the latest look of sqlite:\(database) (experiment gym-renewal-2026) (the latest is 2)"),
      "\(notLatest.stderr)")

    let dropped = try looks(["drop"] + target + ["--look", "2"])
    #expect(dropped.status == 0, "\(dropped.stderr)")
    #expect(dropped.stdout.contains("Dropped look 2 ("), "\(dropped.stdout)")
    #expect(dropped.stdout.contains("600 rows) from sqlite:\(database) (experiment gym-renewal-2026)"))
    #expect(dropped.stdout.contains("the latest look is now 1."), "\(dropped.stdout)")

    // The same command again never removes a second look.
    let again = try looks(["drop"] + target + ["--look", "2"])
    #expect(again.status == 1 && again.stderr.contains("(the latest is 1)"), "\(again.stderr)")
    let listed = try looks(["list"] + target + ["--json"]).json()
    #expect((listed["looks"] as? [[String: Any]])?.map { $0["look"] as? Int } == [1])

    let last = try looks(["drop"] + target + ["--look", "1", "--json"]).json()
    #expect((last["dropped"] as? [String: Any])?["look"] as? Int == 1)
    #expect(last["latest_look"] is NSNull)
    let empty = try looks(["drop"] + target + ["--look", "1"])
    #expect(empty.status == 1 && empty.stderr.contains("holds no look to drop"), "\(empty.stderr)")
    let none = try looks(["list"] + target)
    #expect(none.stdout == "Look store sqlite:\(database) (experiment gym-renewal-2026): 0 looks, 0 records\n")
  }

  @Test func badDatabasesAndOptionsAreNamed() throws {
    let unknown = try looks(["list", "--database", "sqlite:\(database)", "--experiment", "gym-renewl"])
    #expect(unknown.status == 1)
    #expect(unknown.stderr.contains("has no experiment \"gym-renewl\" (it has "), "\(unknown.stderr)")
    #expect(unknown.stderr.contains("gym-renewal-2026"))

    let missing = directory.appendingPathComponent("nope.db").path
    let absent = try looks(["list", "--database", "sqlite:\(missing)", "--experiment", "gym-renewal-2026"])
    #expect(absent.status == 1 && absent.stderr.contains("\(missing): no such database file"), "\(absent.stderr)")
    #expect(!FileManager.default.fileExists(atPath: missing), "a missing database is never created")

    let notServe = directory.appendingPathComponent("other.db").path
    try Data("not a database".utf8).write(to: URL(fileURLWithPath: notServe))
    let other = try looks(["list", "--database", "sqlite:\(notServe)", "--experiment", "x"])
    #expect(other.status == 1 && other.stderr.hasPrefix("strata: error: "), "\(other.stderr)")

    for (arguments, fragment) in [
      (["list", "--database", "sqlite:\(database)"], "--database needs --experiment ID"),
      (["list", "--look-log", "x.jsonl", "--experiment", "a"], "--experiment goes with --database"),
      (["list", "--look-log", "x.jsonl", "--database", "sqlite:\(database)"], "Give one of"),
      (["list", "--database", "mysql://x", "--experiment", "a"], "must be sqlite:PATH or postgresql://"),
    ] {
      let run = try looks(arguments)
      #expect(run.status == 64, "\(arguments): \(run.status) \(run.stderr)")
      #expect(run.stderr.contains(fragment), "\(arguments): \(run.stderr)")
    }
  }
}
