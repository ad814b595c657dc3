import ArgumentParser
import Foundation
import StrataAnalysis
import StrataReport
import StrataStats

/// `strata looks list|drop`: inspect and correct the look log that `strata analyze` keeps.
struct Looks: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "looks",
    abstract: "Inspect and correct a look log: list the recorded looks, drop the latest one.",
    discussion: """
      Every run of `strata analyze` on a sequential plan is a look, recorded in <data>.looks.jsonl (or \
      --look-log FILE). Re-running on the same data records nothing; re-running with --look K, K the \
      latest look, replaces that look (corrected data). A look recorded by mistake is removed with drop. \
      Name the log with --look-log FILE, or with --data CSV for <data>.looks.jsonl. The planned looks \
      strata serve records (POST /v1/experiments/ID/looks) are in its database: name it with \
      --database sqlite:PATH or postgresql://... and the experiment with --experiment ID.

      Examples:
        strata analyze --experiment experiments/gym-renewal.yaml \\
          --data experiments/data/gym-renewal.csv \\
          --look-log reports/gym-rerun.looks.jsonl
        strata looks list --look-log reports/gym-rerun.looks.jsonl
        strata looks list --look-log reports/gym-rerun.looks.jsonl --json
        strata looks drop --look-log reports/gym-rerun.looks.jsonl --look 1
        strata looks list --experiment gym-renewal-2026 \\
          --database sqlite:experiments/data/gym-renewal-service.db
      """,
    subcommands: [LooksList.self, LooksDrop.self])
}

/// Where the looks are: `--look-log FILE`, `--data CSV` for `<data>.looks.jsonl`, or `--database URL
/// --experiment ID` for the looks `strata serve` recorded.
struct LookLogOptions: ParsableArguments {
  @Option(help: "The data file whose look log (<data>.looks.jsonl) to use.")
  var data: String?

  @Option(help: "The look log file (as given to strata analyze --look-log).")
  var lookLog: String?

  @Option(
    help:
      "A strata serve database: sqlite:PATH or postgresql://USER@HOST[:PORT]/DATABASE, read as libpq reads it (connecting gives up after 10 s)."
  )
  var database: String?

  @Option(help: "With --database: the experiment id whose looks to use.")
  var experiment: String?

  func validate() throws {
    switch [data, lookLog, database].count(where: { $0 != nil }) {
    case 0:
      throw ValidationError(
        "Give --look-log FILE, --data CSV for <data>.looks.jsonl, or --database URL --experiment ID.")
    case 1: break
    default: throw ValidationError("Give one of --data, --look-log and --database.")
    }
    if database != nil && experiment == nil {
      throw ValidationError("--database needs --experiment ID: the experiment whose looks to use.")
    }
    if database == nil && experiment != nil {
      throw ValidationError("--experiment goes with --database (a look log holds one experiment's looks).")
    }
  }

  var url: URL { lookLog.map { URL(fileURLWithPath: $0) } ?? LookLog.defaultURL(forData: data ?? "") }

  /// The log, which must exist (listing or dropping from a log that is not there is a mistaken path).
  func open() throws -> LookLog {
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw InvalidInput("\(url.path): no such look log (strata analyze writes it at the first look)")
    }
    return try LookLog(url: url)
  }
}

/// `strata looks list`.
struct LooksList: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list", abstract: "List the looks of a look log, one line per look.")

  @OptionGroup var options: LookLogOptions

  @Flag(help: "Print one JSON object instead of a table.")
  var json = false

  func run() throws {
    if options.database != nil { return try runOnDatabase() }
    try reportingErrors {
      let log = try options.open()
      let history = try log.history()
      let looks = try log.list()
      let replaced = Dictionary(grouping: history, by: \.look).mapValues { $0.count - 1 }
      if json {
        printJSON(
          .object([
            ("look_log", .string(log.location)),
            ("looks", .array(looks.map { Self.json($0, replaced: replaced[$0.look] ?? 0) })),
          ]))
        return
      }
      print("Look log \(log.location): \(looks.count) looks, \(history.count) records")
      Self.printTable(looks, replaced: replaced)
    }
  }

  /// One line per look (nothing when there is none).
  static func printTable(_ looks: [LookRecord], replaced: [Int: Int]) {
    guard !looks.isEmpty else { return }
    var rows = [["look", "recorded", "rows", "units", "information", "action", "fingerprint", "replaced"]]
    for record in looks {
      rows.append([
        "\(record.look)", record.timestamp, "\(record.rowsUsed)",
        record.unitsPerVariant.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
        record.informationFraction.map { NumberText.number(100 * $0, digits: 0) + "%" } ?? "—",
        record.action, record.fingerprint, (replaced[record.look] ?? 0) > 0 ? "\(replaced[record.look] ?? 0)×" : "",
      ])
    }
    print(textTable(rows))
  }

  static func json(_ record: LookRecord, replaced: Int) -> JSONValue {
    .object([
      ("look", .integer(record.look)), ("timestamp", .string(record.timestamp)),
      ("fingerprint", .string(record.fingerprint)), ("rows_used", .integer(record.rowsUsed)),
      ("units", .object(record.unitsPerVariant.sorted { $0.key < $1.key }.map { ($0.key, .integer($0.value)) })),
      ("information_fraction", record.informationFraction.map { JSONValue.number($0) } ?? .null),
      ("action", .string(record.action)), ("replaced", .integer(replaced)),
    ])
  }
}

/// `strata looks drop`.
struct LooksDrop: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "drop",
    abstract: "Remove the latest look from a look log (every record of it), so the next analyze run takes its number.",
    discussion: """
      --look names the look to drop and must be the latest one, so running the same command twice never \
      removes a second look. Earlier looks stay byte for byte.
      """)

  @OptionGroup var options: LookLogOptions

  @Option(help: "The look to drop: the latest look of the log.")
  var look: Int

  @Flag(help: "Print one JSON object instead of a sentence.")
  var json = false

  func run() throws {
    if options.database != nil { return try runOnDatabase() }
    try reportingErrors {
      let log = try options.open()
      let dropped: LookRecord = try log.withExclusiveAccess {
        guard let latest = try log.list().last else { throw InvalidInput("\(log.location) holds no look to drop") }
        guard latest.look == look else {
          throw InvalidInput(
            "--look \(look) is not the latest look of \(log.location) (the latest is \(latest.look)); only the latest look can be dropped"
          )
        }
        guard let dropped = try log.dropLatest() else { throw InvalidInput("\(log.location) holds no look to drop") }
        return dropped
      }
      let remaining = try log.list().last?.look
      if json {
        printJSON(
          .object([
            ("look_log", .string(log.location)), ("dropped", LooksList.json(dropped, replaced: 0)),
            ("latest_look", remaining.map { JSONValue.integer($0) } ?? .null),
          ]))
        return
      }
      let now = remaining.map { "the latest look is now \($0)" } ?? "the log holds no look now"
      print(
        "Dropped look \(dropped.look) (recorded \(dropped.timestamp), \(dropped.rowsUsed) rows) from \(log.location); \(now)."
      )
    }
  }
}
