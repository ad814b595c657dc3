import Foundation

/// Settings of `strata serve` (flags of the command; defaults suit a loopback service).
public struct ServiceConfiguration: Sendable {
  /// The directory whose `*.yaml` files are the experiments served.
  public var experimentsDirectory: URL
  /// The keys file (`strata keys new`); nil = use the keys stored in the database (none: open access).
  public var keysFile: URL?
  public var database: StoreLocation
  public var host: String
  /// 0 picks a free port (logged when listening).
  public var port: Int
  /// Requests a second per API key (bursts up to twice that); 0 = no limit.
  public var rateLimit: Double
  /// How often the experiments directory and keys file are checked for changes.
  public var reloadInterval: Duration
  /// Largest request body for OFREP evaluation.
  public var ofrepBodyLimit: Int
  /// Largest request body for `/v1/assign`.
  public var nativeBodyLimit: Int
  /// Largest total size of a request's header fields.
  public var headerLimit: Int
  /// Most units × experiments one `/v1/assign` request may ask for.
  public var assignLimit: Int
  /// A connection with no complete request for this long is closed.
  public var idleTimeout: Duration
  /// The audit key file (``AuditKey``; made when missing); nil = beside an SQLite database (`PATH.audit-key`),
  /// required with PostgreSQL (every server sharing the database must use the same key).
  public var auditKeyFile: String?
  /// A request not answered within this time gets 503 (`timeout`) and its handler is cancelled.
  public var requestTimeout: Duration = .seconds(30)
  /// With PostgreSQL: the longest a request (or background task) waits for a connection from the pool before it is
  /// answered 503 `store_unavailable` (``PostgresStore/withConnection(_:)``); PostgreSQL gone or every connection busy.
  public var databaseTimeout: Duration = PostgresStore.defaultConnectionWait
  /// With PostgreSQL: the longest the server keeps one of the service's transactions open waiting for its next
  /// statement before it ends the session, rolling the transaction back (a client cut off by the network); nil leaves
  /// the server's own setting (``PostgresStore/idleLimitSetting(_:)``).
  public var transactionIdleTimeout: Duration? = PostgresStore.defaultTransactionIdleLimit
  /// The most catalogs that may wait, served but not yet recorded in the database (it cannot be reached).
  ///
  /// Beyond it a changed directory is held back: not swapped in until copies are made
  /// (``StrataService/copyPending()``). Each waits in memory whole; without a limit, definitions rewritten at every
  /// reload interval through a long outage grew the list without bound.
  public var pendingCatalogLimit = 100

  public init(
    experimentsDirectory: URL, keysFile: URL? = nil, database: StoreLocation = .sqlite(path: "strata.db"),
    host: String = "127.0.0.1", port: Int = 8080, rateLimit: Double = 1000, reloadInterval: Duration = .seconds(1),
    ofrepBodyLimit: Int = 64 * 1024, nativeBodyLimit: Int = 4 * 1024 * 1024, headerLimit: Int = 16 * 1024,
    assignLimit: Int = 100_000, idleTimeout: Duration = .seconds(30)
  ) {
    self.experimentsDirectory = experimentsDirectory
    self.keysFile = keysFile
    self.database = database
    self.host = host
    self.port = port
    self.rateLimit = rateLimit
    self.reloadInterval = reloadInterval
    self.ofrepBodyLimit = ofrepBodyLimit
    self.nativeBodyLimit = nativeBodyLimit
    self.headerLimit = headerLimit
    self.assignLimit = assignLimit
    self.idleTimeout = idleTimeout
  }

  /// Whether the host is a loopback address (an open service is allowed only there).
  public var isLoopback: Bool { ["127.0.0.1", "::1", "localhost"].contains(host) || host.hasPrefix("127.") }
}
