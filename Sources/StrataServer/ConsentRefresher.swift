import Logging
import ServiceLifecycle

/// Polls the store every reload interval for consent changes recorded by other servers sharing the database.
///
/// A server's own changes apply at once. A failed poll is logged and retried at the next interval; one that PostgreSQL
/// does not answer fails after `--request-timeout` (``StrataService/poll(limit:_:)``).
struct ConsentRefresher: Service {
  let service: StrataService

  func run() async throws {
    do {
      try await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
          try await Task.sleep(for: service.configuration.reloadInterval)
          guard service.isReady.load(ordering: .acquiring) else { continue }
          do {
            try await service.poll { try await service.refreshConsent() }
          } catch {
            service.logger.error("cannot read consent changes", metadata: ["error": "\(String(reflecting: error))"])
          }
        }
      }
    } catch is CancellationError {
      // Shutting down.
    }
  }
}
