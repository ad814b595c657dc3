import Foundation
import GRDB
import Logging
import PostgresNIO

/// `strata audit verify`: reads a database's audit log (without migrating or writing anything) and checks its chain.
public enum AuditVerifier {
  /// Verifies the audit log stored at `location`.
  ///
  /// Throws ``AuditVerifierError`` when the database cannot be read or has no audit log.
  public static func verify(_ location: StoreLocation, logger: Logger) async throws -> AuditVerification {
    let log = try await read(location, logger: logger)
    return AuditChain.verify(log.records, head: log.head)
  }

  /// The audit log and head stored at `location`.
  static func read(_ location: StoreLocation, logger: Logger) async throws -> (
    records: [AuditRecord], head: AuditHead?
  ) {
    switch location {
    case .sqlite(let path):
      guard FileManager.default.fileExists(atPath: path) else {
        throw AuditVerifierError(description: "\(path): no such database file")
      }
      let store = try SQLiteStore(path: path)
      defer { try? store.pool.close() }
      let hasLog = try await store.pool.read { db in try db.tableExists("audit_log") && db.tableExists("audit_head") }
      guard hasLog else {
        throw AuditVerifierError(
          description: "\(path): no audit log in this database (was it made by `strata serve` of this version?)")
      }
      return try await store.auditLog()
    case .postgresql(let postgres):
      let atStartup = try await PostgresStore.checkConnection(
        postgres, idleLimit: PostgresStore.defaultTransactionIdleLimit, logger: logger)
      let store = try PostgresStore.oneShotStore(postgres, logger: logger, idleLimitAtStartup: atStartup)
      let name = location.redacted
      do {
        return try await withThrowingTaskGroup(of: (records: [AuditRecord], head: AuditHead?)?.self) { group in
          group.addTask {
            await store.client.run()
            return nil
          }
          group.addTask {
            try await Task.sleep(for: PostgresStore.oneShotWait)
            throw AuditVerifierError(description: "\(name): the database did not answer within 30 s")
          }
          group.addTask {
            let exists = try await store.rows(
              "SELECT to_regclass('audit_log') IS NOT NULL AND to_regclass('audit_head') IS NOT NULL"
            ).decode(Bool.self).first
            guard exists == true else {
              throw AuditVerifierError(
                description: "\(name): no audit log in this database (was it made by `strata serve` of this version?)")
            }
            return try await store.auditLog()
          }
          defer { group.cancelAll() }
          while let result = try await group.next() {
            if let log = result { return log }
          }
          throw AuditVerifierError(description: "\(name): the connection closed")
        }
      } catch let error as PSQLError {
        throw AuditVerifierError(description: "\(name): \(PostgresStore.explain(error))")
      }
    }
  }
}

extension PostgresStore {
  /// A readable sentence for a PostgreSQL error (its `description` is deliberately generic).
  static func explain(_ error: PSQLError) -> String {
    if let message = error.serverInfo?[.message] { return "the server says: \(message)" }
    if let underlying = error.underlying { return "\(error.code): \(underlying)" }
    return "\(error.code)"
  }
}

/// A database whose audit log cannot be read.
public struct AuditVerifierError: Error, CustomStringConvertible, Sendable {
  public var description: String
}
