import Foundation
import Logging
import StrataAnalysis
import StrataWarehouse

/// Where the service keeps what must outlive a process: API keys (hashes only) and every version of every definition
/// it served (so an assignment's definition hash can always be looked up).
///
/// It also keeps what the service ingests (exposures and events, in the event-level schema of docs/warehouse.md) and
/// the planned looks of each experiment. Two backends: an embedded SQLite file (the default) and PostgreSQL (to
/// scale out). Each keeps a numbered list of migrations, applied in order and recorded in `strata_schema`, so a
/// database made by any release opens in any later one.
public protocol ServiceStore: ConsentStore, Sendable {
  /// `sqlite` or `postgresql`.
  var backend: String { get }
  /// Applies every migration not yet applied; returns the schema version reached.
  func migrate() async throws -> Int
  /// The stored keys.
  func keys() async throws -> [APIKey]
  /// Replaces the stored keys with `keys` (the keys file is the source).
  func replaceKeys(_ keys: [APIKey]) async throws
  /// Records a catalog version and each of its definitions (new versions only).
  func recordCatalog(_ catalog: Catalog) async throws
  /// The stored definition text of an experiment version, if it was ever served.
  func definition(experiment: String, hash: String) async throws -> String?
  /// Writes batches in one transaction (group commit): all of them or none.
  ///
  /// Items whose id is already stored are skipped and counted as duplicates; a new exposure of a unit to a variant it
  /// was already exposed to keeps the earlier one and counts a repeat. Returns one outcome per batch, in order.
  ///
  /// `plans`: the live results' running totals (``LiveTotals``) of the experiments touched are updated in the same
  /// transaction; touched experiments without a plan there have theirs dropped (rebuilt when next read).
  ///
  /// `consent`: the rows of units whose consent is withdrawn when the transaction runs are refused (not written,
  /// counted in `consent_refused_items` and in ``IngestOutcome/refused``), inside the same transaction.
  func ingest(_ batches: [IngestBatch], plans: LivePlans, consent: ConsentCheck) async throws -> [IngestOutcome]
  /// The dialect of the results query on this database.
  var dialect: SQLDialect { get }
  /// Runs a results query (read only) and returns its rows as the database typed them.
  func run(_ query: CellQuery) async throws -> QueryResult
  /// Runs another read-only results query; `columns` name the result when it has no rows.
  func run(sql: String, columns: [String]) async throws -> QueryResult
  /// Runs `first`, then each query `next` makes of the results so far (in order; nil: done), all in one read snapshot,
  /// so a refinement's cells and Lin's HC sums come from the same data as the first's (`CellQueryRun`).
  func run(_ first: CellQueryRun.Step, then next: @escaping @Sendable ([QueryResult]) throws -> CellQueryRun.Step?)
    async throws -> [QueryResult]
  /// Totals of an experiment's stored exposures.
  func exposureTotals(experiment: String) async throws -> ExposureTotals
  /// Per variant with stored exposures: units exposed, repeats and the events of those units for `metrics`.
  func variantActivity(experiment: String, metrics: [String]) async throws -> [VariantActivity]
  /// The current planned looks of an experiment (the latest record of each look), by look number.
  func looks(experiment: String) async throws -> [LookRecord]
  /// Applies changes to an experiment's looks in one transaction; a look number taken meanwhile (another
  /// process recorded it) fails with ``LookConflict``.
  func saveLooks(experiment: String, _ changes: [LookChange]) async throws
  /// Checks that the database answers (for `/readyz`).
  func ping() async throws
  /// Closes connections.
  func close() async throws
}

/// A `--database` value: `sqlite:PATH` or a PostgreSQL URL (``DatabaseURL``: libpq's reading, as `analyze --database`).
public enum StoreLocation: Sendable, Equatable {
  case sqlite(path: String)
  case postgresql(PostgresLocation)

  /// Parses a `--database` value; the error names what is wrong (never the password).
  ///
  /// `environment` supplies libpq's variables (`PGHOST`, `PGUSER`, `PGPASSWORD`, `PGSSLMODE`, ...) for what the URL leaves out.
  public init(
    parsing text: String, environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(StoreLocationError) {
    if text.hasPrefix("sqlite:") {
      let path = String(text.dropFirst("sqlite:".count))
      guard !path.isEmpty else {
        throw StoreLocationError(description: "--database sqlite: needs a file path (sqlite:strata.db)")
      }
      self = .sqlite(path: path)
    } else if text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") {
      self = .postgresql(try PostgresLocation(parsing: text, environment: environment))
    } else {
      // Not the text itself: it may hold a password.
      let scheme = text.range(of: "://").map { " (it starts with \(text[..<$0.upperBound].prefix(20)))" } ?? ""
      throw StoreLocationError(
        description:
          "--database must be sqlite:PATH or postgresql://[USER[:PASSWORD]@][HOST][:PORT][/DATABASE]\(scheme)")
    }
  }

  /// The location for logs, without a password.
  public var redacted: String {
    switch self {
    case .sqlite(let path): return "sqlite:\(path)"
    case .postgresql(let location): return location.url.description
    }
  }
}

/// A `postgresql://` `--database`: the URL as ``DatabaseURL`` reads it.
public struct PostgresLocation: Sendable, Equatable {
  public let url: DatabaseURL
  public var host: String { url.host }
  public var port: Int { url.port }
  public var username: String { url.user }
  public var password: String? { url.password }
  public var database: String { url.database }
  /// `sslmode` (libpq's meanings; ``PostgresTLSMode``).
  public var tls: PostgresTLSMode { url.tlsMode }
  /// `sslrootcert`: a PEM file of CA certificates, or `system`.
  public var rootCertificate: String? { url.rootCertificate }

  init(parsing text: String, environment: [String: String]) throws(StoreLocationError) {
    do {
      url = try DatabaseURL(text, environment: environment)
    } catch {
      throw StoreLocationError(description: error.message)
    }
  }
}

public struct StoreLocationError: Error, CustomStringConvertible, Sendable {
  public var description: String
}

extension StoreLocation {
  /// Opens the store (connections are made lazily by PostgreSQL's client; `run` it as a service).
  public func open(logger: Logger) throws -> any ServiceStore {
    switch self {
    case .sqlite(let path): return try SQLiteStore(path: path)
    case .postgresql(let location): return try PostgresStore(location: location, logger: logger)
    }
  }
}

/// ISO 8601 UTC text for stored times.
func timestamp(_ date: Date = Date()) -> String {
  let formatter = ISO8601DateFormatter()
  formatter.timeZone = TimeZone(identifier: "UTC")
  return formatter.string(from: date)
}

/// Totals of an experiment's stored exposures (for the live results' account).
public struct ExposureTotals: Sendable, Hashable {
  /// Stored (unit, variant) first exposures.
  public var exposures: Int
  /// Later exposures of a unit to a variant it had already seen, counted and not stored.
  public var repeats: Int

  public init(exposures: Int, repeats: Int) {
    self.exposures = exposures
    self.repeats = repeats
  }
}

/// A change to an experiment's planned looks (what `SequentialGuard` did to a `LookStore`).
public enum LookChange: Sendable, Hashable {
  case append(LookRecord)
  case replaceLatest(LookRecord)
  case dropLatest(look: Int)
}

/// Another process recorded a look of the same experiment at the same time.
public struct LookConflict: Error, CustomStringConvertible, Sendable {
  public var description: String { "another look of this experiment was recorded at the same time; try again" }
}

extension LookRecord {
  /// The stored JSON text of a record (snake_case keys, as in a look log).
  func storedText() throws -> String {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    return String(decoding: try encoder.encode(self), as: UTF8.self)
  }

  /// A record from its stored text.
  static func stored(_ text: String) throws -> LookRecord {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    return try decoder.decode(LookRecord.self, from: Data(text.utf8))
  }
}
