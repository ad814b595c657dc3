import ArgumentParser
import Dispatch
import Foundation
import Logging
import StrataAnalysis
import StrataReport
import StrataServer

/// `strata looks list|drop --database URL --experiment ID`: the planned looks strata serve recorded in its database,
/// with the output of the look-log commands.
extension LookLogOptions {
  /// The parsed `--database` (exit 64 naming the problem).
  func storeLocation() throws -> StoreLocation {
    do {
      return try StoreLocation(parsing: database ?? "")
    } catch {
      printError("strata: error: \(error)")
      throw ExitCode(64)
    }
  }
}

extension LooksList {
  func runOnDatabase() throws {
    let location = try options.storeLocation()
    let experiment = options.experiment ?? ""
    try reportingErrors {
      let listing = try waitFor { logger in
        try await StoredLookLog.list(location, experiment: experiment, logger: logger)
      }
      if json {
        printJSON(
          .object([
            ("look_log", .string(listing.location)), ("database", .string(location.redacted)),
            ("experiment", .string(experiment)),
            ("looks", .array(listing.looks.map { Self.json($0, replaced: listing.replaced[$0.look] ?? 0) })),
          ]))
        return
      }
      print("Look store \(listing.location): \(listing.looks.count) looks, \(listing.records) records")
      Self.printTable(listing.looks, replaced: listing.replaced)
    }
  }
}

extension LooksDrop {
  func runOnDatabase() throws {
    let location = try options.storeLocation()
    let experiment = options.experiment ?? ""
    let look = self.look
    try reportingErrors {
      let dropped = try waitFor { logger in
        try await StoredLookLog.drop(location, experiment: experiment, look: look, logger: logger)
      }
      if json {
        printJSON(
          .object([
            ("look_log", .string(dropped.location)), ("database", .string(location.redacted)),
            ("experiment", .string(experiment)), ("dropped", LooksList.json(dropped.record, replaced: 0)),
            ("latest_look", dropped.latest.map { JSONValue.integer($0) } ?? .null),
          ]))
        return
      }
      let now = dropped.latest.map { "the latest look is now \($0)" } ?? "the store holds no look of it now"
      print(
        "Dropped look \(dropped.record.look) (recorded \(dropped.record.timestamp), \(dropped.record.rowsUsed) rows) from \(dropped.location); \(now)."
      )
    }
  }
}

/// Runs `body` on the concurrency pool while this thread waits (a command's `run()` is synchronous); errors are
/// rethrown as they are.
private func waitFor<T: Sendable>(_ body: @escaping @Sendable (Logger) async throws -> T) throws -> T {
  let box = LookOutcome<T>()
  let done = DispatchSemaphore(value: 0)
  var logger = Logger(label: "strata.looks")
  logger.logLevel = .critical
  Task { [logger] in
    do {
      box.set(.success(try await body(logger)))
    } catch {
      box.set(.failure(error))
    }
    done.signal()
  }
  done.wait()
  guard let result = box.get() else { preconditionFailure("the task finished without a result") }
  return try result.get()
}

/// The result handed from the task to the waiting thread.
private final class LookOutcome<T: Sendable>: @unchecked Sendable {
  private let lock = NSLock()
  private var result: Result<T, any Error>?
  func set(_ result: Result<T, any Error>) { lock.withLock { self.result = result } }
  func get() -> Result<T, any Error>? { lock.withLock { result } }
}
