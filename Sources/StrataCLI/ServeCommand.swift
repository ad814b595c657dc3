import ArgumentParser
import Dispatch
import Foundation
import Logging
import StrataServer

/// `strata serve`: the assignment service (OFREP and the native API).
struct Serve: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Serve assignments over HTTP: OpenFeature (OFREP 0.3.0) and the native API.",
    discussion: """
      Every *.yaml in --experiments is validated at start (a bad file stops the start) and reloaded \
      when files change (a bad new version is rejected and logged; the old one keeps serving). Any \
      OpenFeature SDK with an OFREP provider can evaluate experiments: flag key = experiment id, \
      targetingKey = unit id. Logs are JSON lines on stderr; SIGTERM drains and exits 0. See docs/service.md.

      Endpoints: POST /ofrep/v1/evaluate/flags/{key}, POST /ofrep/v1/evaluate/flags, POST /v1/assign, \
      GET /v1/experiments[/{id}], /healthz, /readyz, /metrics, /openapi.yaml.

      Examples:
        strata keys new --role server --name checkout \\
          --keys reports/serve-keys.jsonl
        strata serve --experiments experiments \\
          --keys reports/serve-keys.jsonl  # doc-example: skip (runs until stopped)
        strata serve --experiments experiments --host 0.0.0.0 \\
          --database postgresql://strata@db.internal/strata \\
          --keys reports/serve-keys.jsonl  # doc-example: skip (a server)
      """)

  @Option(help: "Directory of experiment definitions (every *.yaml is served).")
  var experiments: String

  @Option(help: "sqlite:PATH (default sqlite:strata.db) or postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE.")
  var database: String = "sqlite:strata.db"

  @Option(help: "Address to listen on (keys are required unless it is loopback).")
  var host: String = "127.0.0.1"

  @Option(help: "Port to listen on (0 picks a free one, logged when listening).")
  var port: Int = 8080

  @Option(
    help: "Keys file made by `strata keys new` (reloaded on change); without it, the keys stored in the database.")
  var keys: String?

  @Option(help: "Requests a second allowed per API key (bursts to twice that); 0 for no limit.")
  var rateLimit: Double = 1000

  @Option(help: "Seconds between checks of the experiments directory and keys file.")
  var reloadInterval: Double = 1

  @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
  var logLevel: String = "info"

  func validate() throws {
    guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
    guard rateLimit >= 0, rateLimit.isFinite else { throw ValidationError("--rate-limit must be 0 or more") }
    guard reloadInterval >= 0.05, reloadInterval <= 3600 else {
      throw ValidationError("--reload-interval must be between 0.05 and 3600 seconds")
    }
    guard Logger.Level(rawValue: logLevel) != nil else {
      throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
    }
  }

  func run() throws {
    let level = Logger.Level(rawValue: logLevel) ?? .info
    LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
    let logger = Logger(label: "strata.serve")
    let location: StoreLocation
    do {
      location = try StoreLocation(parsing: database)
    } catch {
      printError("strata: error: \(error)")
      throw ExitCode(64)
    }
    let configuration = ServiceConfiguration(
      experimentsDirectory: URL(fileURLWithPath: experiments), keysFile: keys.map { URL(fileURLWithPath: $0) },
      database: location, host: host, port: port, rateLimit: rateLimit,
      reloadInterval: .milliseconds(Int(reloadInterval * 1000)))
    let outcome = BlockingResult()
    let done = DispatchSemaphore(value: 0)
    Task {
      do {
        try await StrataService.serve(configuration, logger: logger)
      } catch {
        outcome.set(error)
      }
      done.signal()
    }
    done.wait()
    if let error = outcome.get() {
      printError("strata: error: \(error)")
      throw ExitCode(1)
    }
  }
}

/// Carries an error out of the serving task.
final class BlockingResult: @unchecked Sendable {
  private let lock = NSLock()
  private var error: (any Error)?
  func set(_ error: any Error) { lock.withLock { self.error = error } }
  func get() -> (any Error)? { lock.withLock { error } }
}
