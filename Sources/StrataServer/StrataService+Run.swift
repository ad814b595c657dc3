import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

extension StrataService {
  /// Validates everything, then serves until SIGTERM or SIGINT: the server stops accepting
  /// connections, finishes the requests in flight and returns (exit 0).
  ///
  /// Start-up problems (a bad definition or keys file, an unusable `--database`) are thrown before
  /// anything listens; those that can be found without the database (the definitions, the keys file, the audit key
  /// file, whether PostgreSQL accepts a connection) before anything is created or written (an SQLite database, an
  /// audit key, migrations). `onListening` receives the bound port (useful with port 0).
  public static func serve(
    _ configuration: ServiceConfiguration, logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in }
  ) async throws {
    var keys: [APIKey]?
    var keysFingerprint: String?
    if let url = configuration.keysFile {
      let data = try KeyFile.bytes(of: url)
      keys = try KeyFile.parse(data, file: url.path)
      keysFingerprint = Catalog.sha256(data)
    }
    let catalog = try CatalogLoader(directory: configuration.experimentsDirectory).load()
    if case .sqlite(let path) = configuration.database, !FileManager.default.fileExists(atPath: path),
      let problem = NewFileCheck.problem(making: path)
    {
      // Checked before the audit key, which goes beside the database by default: a missing or read-only directory is
      // the database's, which the user named.
      throw StartError(description: "\(path): cannot make the SQLite database there (\(problem))")
    }
    try AuditKey.check(file: try auditKeyPath(configuration))
    let store: any ServiceStore
    if case .postgresql(let location) = configuration.database {
      let atStartup = try await PostgresStore.checkConnection(
        location, idleLimit: configuration.transactionIdleTimeout, logger: logger)
      store = try PostgresStore(
        location: location, logger: logger, connectionWait: configuration.databaseTimeout,
        connectionWaitOption: "--database-timeout", transactionIdleLimit: configuration.transactionIdleTimeout,
        idleLimitAtStartup: atStartup)
    } else {
      store = try configuration.database.open(logger: logger)
    }
    let service = StrataService(
      configuration: configuration, store: store, keys: keys, logger: logger, catalog: catalog)
    service.keysFingerprint.withLock { $0 = keysFingerprint }
    let app = service.application(onListening: onListening)
    do {
      try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    } catch {
      try? await store.close()
      throw error
    }
    try? await store.close()
    logger.info("stopped")
  }

  /// The Hummingbird application: server, reloader and (for PostgreSQL) the connection pool.
  public func application(onListening: @escaping @Sendable (Int) -> Void = { _ in }) -> some ApplicationProtocol {
    let decoder = HTTP1Channel.Configuration.DecoderConfiguration(
      maxHeaderFieldSize: configuration.headerLimit, maxHeaderListSize: configuration.headerLimit,
      maxHeaderFieldCount: 100)
    let http1 = HTTP1Channel.Configuration(
      idleTimeout: TimeAmount.nanoseconds(
        Int64(configuration.idleTimeout.components.seconds) * 1_000_000_000
          + configuration.idleTimeout.components.attoseconds / 1_000_000_000),
      httpDecoderConfiguration: decoder)
    var services: [any Service] = []
    if let postgres = store as? PostgresStore { services.append(postgres.client) }
    services.append(DefinitionReloader(service: self))
    services.append(PendingCopies(service: self))
    services.append(ConsentRefresher(service: self))
    services.append(LiveTotalsBuilder(service: self))
    let logger = self.logger
    let catalog = self.catalog
    let configuration = self.configuration
    var app = Application(
      router: router(),
      server: .http1(configuration: http1),
      configuration: ApplicationConfiguration(
        address: .hostname(configuration.host, port: configuration.port), serverName: nil),
      services: services,
      onServerRunning: { channel in
        let port = channel.localAddress?.port ?? configuration.port
        logger.info(
          "listening",
          metadata: [
            "host": "\(configuration.host)", "port": "\(port)", "experiments": "\(catalog.entries.count)",
            "catalog_etag": "\(catalog.etag)",
          ])
        onListening(port)
      },
      logger: logger)
    app.beforeServerStarts { try await self.prepareStore() }
    return app
  }
}
