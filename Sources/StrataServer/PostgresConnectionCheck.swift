import Logging
import NIOCore
import PostgresNIO
import StrataWarehouse

extension PostgresLocation {
  /// How long connecting to PostgreSQL (TCP, TLS, authentication, the database) may take before `strata serve`,
  /// `strata audit verify` and `strata looks --database` give up.
  public static let connectTimeout: Duration = .seconds(10)

  /// Connects once (TCP, TLS, authentication, the database) and closes, so a server that refuses, does not answer,
  /// or rejects the user, password, database or TLS settings is one sentence at once, not the pooled client's
  /// retries (postgres-nio's pool keeps trying for a minute before it gives up with `circuitBreakerTripped`).
  ///
  /// The sentence names the host, port, database and user and the reason (the server's own message when it sent
  /// one); never the password. `startupParameters` go in the start-up message, as the pool's connections will send
  /// them (``PostgresStore/startupParameters(idleLimit:)``).
  public func checkConnection(
    timeout: Duration = PostgresLocation.connectTimeout, startupParameters: [(String, String)] = []
  ) async throws(StoreConnectionError) {
    let place = "PostgreSQL at \(host):\(port), database \(database) as \(username)"
    var configuration: PostgresConnection.Configuration
    do {
      configuration = PostgresConnection.Configuration(
        host: host, port: port, username: username, password: password, database: database,
        tls: try tls.connectionTLS(rootCertificate: rootCertificate))
    } catch {
      throw StoreConnectionError(description: error.description)
    }
    configuration.options.connectTimeout = TimeAmount(timeout)
    configuration.options.additionalStartupParameters = startupParameters
    var logger = Logger(label: "strata.postgres.check")
    logger.logLevel = .critical
    do {
      let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
      try? await connection.close()
    } catch {
      throw StoreConnectionError(
        description: "cannot connect to \(place): \(PostgresQueryRunner.message(error))",
        serverMessage: (error as? PSQLError)?.serverInfo?[.message])
    }
  }
}

/// PostgreSQL cannot be reached or refuses the connection (one sentence naming where and why).
public struct StoreConnectionError: Error, CustomStringConvertible, Sendable {
  public var description: String
  /// The message of the error the server (or a pooler in front of it) answered with; nil when the connection could not
  /// be made (refused, silent, TLS).
  public var serverMessage: String?
}
