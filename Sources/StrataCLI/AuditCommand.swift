import ArgumentParser
import Dispatch
import Foundation
import Logging
import StrataReport
import StrataServer

/// `strata audit`: the consent and erasure audit log of `strata serve`.
struct Audit: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit",
    abstract: "Check the consent and erasure audit log of a strata serve database.",
    subcommands: [AuditVerify.self])
}

/// `strata audit verify`: checks the hash chain; exit 1 naming the first broken record.
struct AuditVerify: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify",
    abstract: "Check the audit log's hash chain; exit 1 naming the first broken record.",
    discussion: """
      Every consent change and erasure recorded by strata serve appends a record holding the SHA-256 \
      of the record before it; the database also keeps the last record's hash (the head). A record \
      edited, removed, added or moved breaks the chain at that record. Reads only (nothing is \
      migrated or written). Exit 0: intact; 1: broken or unreadable (the reason on stderr). \
      Keep the printed head hash elsewhere to detect a rewritten log later. See docs/service.md.

      Examples:
        strata audit verify \\
          --database sqlite:strata.db  # doc-example: skip (needs a database)
        strata audit verify --json \\
          --database postgresql://db/strata  # doc-example: skip (PostgreSQL)
      """)

  @Option(
    help:
      "sqlite:PATH or postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE, as given to strata serve, read as libpq reads it (connecting gives up after 10 s)."
  )
  var database: String

  @Flag(help: "Print one JSON object: intact, records, head (or broken_record and reason).")
  var json = false

  func run() throws {
    let location: StoreLocation
    do {
      location = try StoreLocation(parsing: database)
    } catch {
      printError("strata: error: \(error)")
      throw ExitCode(64)
    }
    let outcome = AuditOutcome()
    let done = DispatchSemaphore(value: 0)
    var logger = Logger(label: "strata.audit")
    logger.logLevel = .critical
    Task { [logger] in
      do {
        outcome.set(.success(try await AuditVerifier.verify(location, logger: logger)))
      } catch {
        outcome.set(.failure(error))
      }
      done.signal()
    }
    done.wait()
    switch outcome.get() {
    case .failure(let error)?:
      printError("strata: error: \(error)")
      throw ExitCode(1)
    case .success(.intact(let records, let head))?:
      let headJSON: JSONValue =
        head.map { .object([("sequence", .integer($0.sequence)), ("record_hash", .string($0.hash))]) } ?? .null
      printOutput(
        json: json,
        .object([("intact", .bool(true)), ("records", .integer(records)), ("head", headJSON)]),
        records == 0
          ? "audit log intact: no records yet"
          : "audit log intact: \(records) records; head record \(head?.sequence ?? 0) hash \(head?.hash ?? "")")
    case .success(.broken(let sequence, let reason))?:
      if json {
        printJSON(
          .object([("intact", .bool(false)), ("broken_record", .integer(sequence)), ("reason", .string(reason))]))
      }
      printError("strata: error: audit log broken at \(reason)")
      throw ExitCode(1)
    case nil:
      throw ExitCode(1)
    }
  }
}

/// Carries the verification out of its task.
final class AuditOutcome: @unchecked Sendable {
  private let lock = NSLock()
  private var result: Result<AuditVerification, any Error>?
  func set(_ result: Result<AuditVerification, any Error>) { lock.withLock { self.result = result } }
  func get() -> Result<AuditVerification, any Error>? { lock.withLock { result } }
}
