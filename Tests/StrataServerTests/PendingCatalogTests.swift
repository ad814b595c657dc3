import Foundation
import Logging
import Synchronization
import Testing

@testable import StrataServer

/// The catalogs served while the database cannot be reached wait in memory for their copies; at most
/// ``ServiceConfiguration/pendingCatalogLimit`` of them: beyond that a changed directory is held back (the catalog
/// serving keeps serving) until copies are made, and no waiting catalog is dropped (each one served).
@Suite struct PendingCatalogTests {
  /// The error lines a service logged.
  final class ErrorLines: Sendable {
    let lines = Mutex<[String]>([])
  }

  @Test func aChangeBeyondTheLimitIsHeldBackUntilTheWaitingCatalogsAreRecorded() async throws {
    let base = try TestService(only: ["banner-on.yaml"])
    defer { base.remove() }
    var configuration = ServiceConfiguration(
      experimentsDirectory: base.experiments,
      database: .sqlite(path: base.directory.appendingPathComponent("pending.db").path),
      reloadInterval: .seconds(3600))
    configuration.pendingCatalogLimit = 2
    let log = ErrorLines()
    let logger = Logger(label: "test") { label in
      JSONLogHandler(label: label, level: .error) { bytes in
        log.lines.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) }
      }
    }
    // Not migrated: every copy of a catalog into it fails, as when the database cannot be reached.
    let store = try SQLiteStore(path: base.directory.appendingPathComponent("pending.db").path)
    let service = try StrataService(configuration: configuration, store: store, keys: [], logger: logger)
    let file = base.experiments.appendingPathComponent("banner-on.yaml")
    let text = try String(contentsOf: file, encoding: .utf8)
    func write(_ version: Int) async throws -> String {
      try (text + "# version \(version)\n").write(to: file, atomically: true, encoding: .utf8)
      await service.reloadIfChanged()
      return try #require(service.catalog["banner-on"]).definitionHash
    }
    let heldBack = { log.lines.withLock { $0.filter { $0.contains("definitions changed but not reloaded") } } }
    let waiting = { service.copiesPending.withLock { $0.catalogs.map(\.etag) } }

    let first = try #require(service.catalog["banner-on"]).definitionHash
    let second = try await write(2)
    let third = try await write(3)
    #expect(Set([first, second, third]).count == 3, "each version serves at its reload")
    #expect(waiting().count == 2)

    // A third waiting catalog would pass the limit: held back, the third version keeps serving, said once.
    let servingEtag = service.catalog.etag
    #expect(try await write(4) == third)
    await service.reloadIfChanged()
    #expect(service.catalog.etag == servingEtag)
    #expect(heldBack().count == 1)
    #expect(heldBack().first?.contains("at most 2") == true, "\(heldBack())")
    #expect(waiting().count == 2, "no waiting catalog is dropped")
    let held = String(decoding: service.metrics.render(), as: UTF8.self)
    #expect(held.contains("strata_definition_reloads_total{result=\"held_back\"} 1"), "\(held)")

    // A version that already waits takes no more room: swapped in.
    #expect(try await write(2) == second)
    #expect(waiting().count == 2)

    // The database answers again: the waiting catalogs are recorded, oldest first, and the next change loads.
    _ = try await store.migrate()
    await service.copyPending()
    #expect(waiting().isEmpty)
    for hash in [second, third] {
      #expect(try await store.definition(experiment: "banner-on", hash: hash) != nil)
    }
    let fourth = try await write(4)
    #expect(![first, second, third].contains(fourth))
    #expect(waiting().isEmpty, "recorded at its swap")
    #expect(heldBack().count == 1)
    try await store.close()
  }
}
