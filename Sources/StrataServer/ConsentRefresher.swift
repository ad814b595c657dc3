import Logging
import ServiceLifecycle

/// Polls the store every reload interval for consent changes recorded by other servers sharing the database.
///
/// A server's own changes apply at once. A failed poll is logged and retried at the next interval; one that PostgreSQL
/// does not answer fails after `--request-timeout` (``StrataService/poll(limit:_:)``).
struct ConsentRefresher: Service {
  let service: StrataService

  func run() async throws {
    await service.everyReloadInterval {
      guard service.isReady.load(ordering: .acquiring) else { return }
      do {
        try await service.poll { try await service.refreshConsent() }
      } catch {
        service.logger.error("cannot read consent changes", metadata: ["error": "\(String(reflecting: error))"])
      }
    }
  }
}
