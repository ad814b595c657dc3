import ArgumentParser
import Dispatch
import Foundation
import Logging
import StrataServer

/// `strata serve`: the assignment service (OFREP and the native API).
struct Serve: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve assignments over HTTP: OpenFeature (OFREP 0.3.0) and the native API.",
    discussion: """
      Every *.yaml in --experiments is validated at start (a bad file stops the start) and reloaded \
      when files change (a bad new version is rejected and logged; the old one keeps serving). Any \
      OpenFeature SDK with an OFREP provider can evaluate experiments: flag key = experiment id, \
      targetingKey = unit id. Logs are JSON lines on stderr; SIGTERM drains and exits 0. See docs/service.md.

      Endpoints: POST /ofrep/v1/evaluate/flags/{key}, POST /ofrep/v1/evaluate/flags, POST /v1/assign, \
      GET /v1/experiments[/{id}], POST /v1/consent, /healthz, /readyz, /metrics, /openapi.yaml.

      Consent: POST /v1/consent {"unit", "granted": false} withdraws a unit's consent (never assigned \
      from then on); every change is appended to a hash-chained audit log (strata audit verify).

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

  @Option(
    help: ArgumentHelp(
      "sqlite:PATH (default sqlite:strata.db) or postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE, read as libpq reads it (PGUSER, PGPASSWORD, PGSSLMODE, ... fill what it leaves out).",
      discussion:
        "PostgreSQL TLS: ?sslmode=disable|prefer|require|verify-ca|verify-full (libpq's meanings) and sslrootcert=CA.pem. PostgreSQL is connected to once before anything is written: a refused connection, a wrong password, database or TLS setting stops the start at once with the reason, a server that does not answer after 10 s."
    ))
  var database: String = "sqlite:strata.db"

  @Option(help: "Address to listen on (keys are required unless it is loopback).")
  var host: String = "127.0.0.1"

  @Option(help: "Port to listen on (0 picks a free one, logged when listening).")
  var port: Int = 8080

  @Option(
    help: "Keys file made by `strata keys new` (reloaded on change); without it, the keys stored in the database.")
  var keys: String?

  @Option(
    help: ArgumentHelp(
      "The audit key file (hex; made when missing) keying unit ids in the consent table and audit log.",
      discussion: "Default: beside an SQLite database (PATH.audit-key); required with PostgreSQL."))
  var auditKey: String?

  @Option(help: "Requests a second allowed per API key (bursts to twice that); 0 for no limit.")
  var rateLimit: Double = 1000

  @Option(help: "Seconds between checks of the experiments directory and keys file.")
  var reloadInterval: Double = 1

  @Option(
    help: ArgumentHelp(
      "Seconds a request may take before it is answered 503 (timeout) and its work cancelled.",
      discussion:
        "With PostgreSQL, also the limit of each database call of the background polls (consent changes from other servers, the reloader's copies of the catalog and keys; the live totals' builder: at least 300 s, and 1 h, doubled after each cut up to 8 h, for its scans of a whole experiment): a call past it is cut, logged and tried again at the next poll."
    ))
  var requestTimeout: Double = 30

  @Option(
    help: ArgumentHelp(
      "Seconds a request waits for a PostgreSQL connection before it is answered 503 (store_unavailable).",
      discussion:
        "PostgreSQL only. While PostgreSQL is gone (stopped, restarting, the network cut) every request that needs it is answered after this wait, not after --request-timeout; so is one that finds all 20 pooled connections busy for that long."
    ))
  var databaseTimeout: Double = 5

  @Option(
    help: ArgumentHelp(
      "Seconds PostgreSQL keeps a transaction of this server open waiting for its next statement before it ends it; 0 for the server's own setting.",
      discussion:
        "PostgreSQL 9.6 or later. After a network cut that drops packets, PostgreSQL never hears that the connection closed: without this bound a cut-off consent change kept its transaction, and the audit log's lock, until the server's TCP keepalive gave up (about 2 h 11 min with Linux's defaults), and consent changes and erasures on every server waited for it. Set in each transaction (SET LOCAL idle_in_transaction_session_timeout), so it suits PgBouncer's transaction mode, and as each connection's start-up parameter (the session's default), which also bounds a cut between a transaction's BEGIN and its first statement; a pooler that refuses that parameter gets connections without it, with a warning. Example: --database-transaction-idle-timeout 10 frees a cut-off transaction's locks within 10 s."
    ))
  var databaseTransactionIdleTimeout: Double = 30

  @Option(
    help: ArgumentHelp(
      "With PostgreSQL: the most catalogs served while the database could not be reached that may wait to be recorded there; a directory changed beyond that is held back.",
      discussion:
        "Each waiting catalog is kept in memory whole (one per distinct version of the experiments directory served during the outage). A change held back (a kill switch, a variant stopped) does not serve until the database answers again and the waiting copies are made; it is logged once per version and counted as strata_definition_reloads_total{result=\"held_back\"}. A larger limit serves more changes through a long outage at the cost of memory. Example: --pending-catalog-limit 500."
    ))
  var pendingCatalogLimit: Int = 100

  @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
  var logLevel: String = "info"

  func validate() throws {
    guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
    guard rateLimit >= 0, rateLimit.isFinite else { throw ValidationError("--rate-limit must be 0 or more") }
    guard reloadInterval >= 0.05, reloadInterval <= 3600 else {
      throw ValidationError("--reload-interval must be between 0.05 and 3600 seconds")
    }
    guard requestTimeout >= 0.1, requestTimeout <= 3600 else {
      throw ValidationError("--request-timeout must be between 0.1 and 3600 seconds")
    }
    guard databaseTimeout >= 0.1, databaseTimeout <= 3600 else {
      throw ValidationError("--database-timeout must be between 0.1 and 3600 seconds")
    }
    guard
      databaseTransactionIdleTimeout == 0
        || (databaseTransactionIdleTimeout >= 0.1 && databaseTransactionIdleTimeout <= 3600)
    else {
      throw ValidationError("--database-transaction-idle-timeout must be 0 (off) or between 0.1 and 3600 seconds")
    }
    guard (1...100_000).contains(pendingCatalogLimit) else {
      throw ValidationError("--pending-catalog-limit must be between 1 and 100000")
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
    var configuration = ServiceConfiguration(
      experimentsDirectory: URL(fileURLWithPath: experiments), keysFile: keys.map { URL(fileURLWithPath: $0) },
      database: location, host: host, port: port, rateLimit: rateLimit,
      reloadInterval: .milliseconds(Int(reloadInterval * 1000)))
    configuration.auditKeyFile = auditKey
    configuration.requestTimeout = .milliseconds(Int(requestTimeout * 1000))
    configuration.databaseTimeout = .milliseconds(Int(databaseTimeout * 1000))
    configuration.transactionIdleTimeout =
      databaseTransactionIdleTimeout == 0 ? nil : .milliseconds(Int(databaseTransactionIdleTimeout * 1000))
    configuration.pendingCatalogLimit = pendingCatalogLimit
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
