import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// The scale-out store: PostgreSQL through postgres-nio's pooled client.
///
/// Several `strata serve` processes may share one database; migrations take an advisory lock so only one applies
/// them.
public final class PostgresStore: ServiceStore {
  public var backend: String { "postgresql" }
  /// Run this as a service (it owns the connection pool) before using the store.
  public let client: PostgresClient
  let logger: Logger
  /// The longest a call waits for a connection from the pool (``withConnection(_:)``).
  let connectionWait: Duration
  /// The option that sets ``connectionWait``, named in ``PostgresUnavailable``'s sentence; nil where there is none.
  let connectionWaitOption: String?
  /// `host:port`, for sentences.
  let place: String
  /// The `set_config` call that bounds how long PostgreSQL keeps each of the store's transactions open while it waits
  /// for the next statement (``transactionIdleLimit``), nil when there is no bound.
  let idleLimitSetting: String?

  /// Any constant works; it keeps concurrent starts from migrating at once.
  static let migrationLock: Int64 = 0x5354_5241_5441  // "STRATA"

  /// Prepares the pool; throws when the TLS settings cannot be used (an unreadable `sslrootcert`).
  ///
  /// `connectionWait`: the longest a call waits for a connection (``withConnection(_:)``); `connectionWaitOption`: the
  /// command-line option that set it (`serve`'s `--database-timeout`), nil when none did. `transactionIdleLimit`: the
  /// longest PostgreSQL keeps one of the store's transactions open waiting for its next statement
  /// (``withTransaction(begin:first:_:)``); nil leaves the server's own `idle_in_transaction_session_timeout`.
  /// `idleLimitAtStartup`: the bound also goes in each connection's start-up message, as the session's default
  /// (``startupParameters(idleLimit:)``; false where the server refused it: ``checkConnection(_:idleLimit:logger:)``).
  public init(
    location: PostgresLocation, logger: Logger, connectionWait: Duration = PostgresStore.defaultConnectionWait,
    connectionWaitOption: String? = nil, transactionIdleLimit: Duration? = PostgresStore.defaultTransactionIdleLimit,
    idleLimitAtStartup: Bool = true
  ) throws(StoreLocationError) {
    let tls = try location.tls.clientTLS(rootCertificate: location.rootCertificate)
    var configuration = PostgresClient.Configuration(
      host: location.host, port: location.port, username: location.username, password: location.password,
      database: location.database, tls: tls)
    if idleLimitAtStartup {
      configuration.options.additionalStartupParameters = PostgresStore.startupParameters(
        idleLimit: transactionIdleLimit)
    }
    self.logger = logger
    self.connectionWait = connectionWait
    self.connectionWaitOption = connectionWaitOption
    place = "\(location.host):\(location.port)"
    idleLimitSetting = transactionIdleLimit.map(PostgresStore.idleLimitSetting)
    client = PostgresClient(configuration: configuration, backgroundLogger: logger)
  }

  public func migrate() async throws -> Int {
    let logger = self.logger
    return try await withTransaction { connection in
      try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresStore.migrationLock))", logger: logger)
      try await connection.query(
        "CREATE TABLE IF NOT EXISTS strata_schema (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)",
        logger: logger)
      var current = 0
      for try await version in try await connection.query(
        "SELECT coalesce(max(version), 0) FROM strata_schema", logger: logger
      ).decode(Int.self) {
        current = version
      }
      for (index, statements) in StoreSchema.postgresql.enumerated() where index + 1 > current {
        for statement in statements {
          try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
        }
        let version = index + 1
        try await connection.query(
          "INSERT INTO strata_schema (version, applied_at) VALUES (\(version), now())", logger: logger)
        current = version
      }
      return current
    }
  }

  public func keys() async throws -> [APIKey] {
    var keys: [APIKey] = []
    let rows = try await self.rows(
      "SELECT name, role, sha256, created, expose FROM api_keys ORDER BY name")
    for (name, role, sha256, created, expose) in try rows.decode((String, String, String, String, Bool).self) {
      if let role = APIKeyRole(rawValue: role) {
        keys.append(APIKey(name: name, role: role, sha256: sha256, created: created, expose: expose))
      }
    }
    return keys
  }

  public func replaceKeys(_ keys: [APIKey]) async throws {
    let logger = self.logger
    return try await withTransaction { connection in
      try await connection.query("DELETE FROM api_keys", logger: logger)
      for key in keys {
        let role = key.role.rawValue
        try await connection.query(
          """
          INSERT INTO api_keys (name, role, sha256, created, expose)
          VALUES (\(key.name), \(role), \(key.sha256), \(key.created), \(key.expose))
          """,
          logger: logger)
      }
    }
  }

  public func recordCatalog(_ catalog: Catalog) async throws {
    let logger = self.logger
    let loadedAt = catalog.loadedAt
    try await withTransaction { connection in
      for entry in catalog.entries {
        let id = entry.experiment.id
        try await connection.query(
          """
          INSERT INTO definitions (experiment_id, definition_hash, file, yaml, first_served_at)
          VALUES (\(id), \(entry.definitionHash), \(entry.file), \(entry.yaml), \(loadedAt))
          ON CONFLICT (experiment_id, definition_hash) DO NOTHING
          """, logger: logger)
      }
      let count = catalog.entries.count
      try await connection.query(
        """
        INSERT INTO catalog_versions (etag, experiments, first_served_at) VALUES (\(catalog.etag), \(count), \(loadedAt))
        ON CONFLICT (etag) DO NOTHING
        """, logger: logger)
    }
  }

  public func definition(experiment: String, hash: String) async throws -> String? {
    let rows = try await self.rows(
      "SELECT yaml FROM definitions WHERE experiment_id = \(experiment) AND definition_hash = \(hash)")
    for yaml in try rows.decode(String.self) { return yaml }
    return nil
  }

  public func ping() async throws {
    try await self.rows("SELECT 1")
  }

  public func close() async throws {}
}
