import Foundation
import Logging
import ServiceLifecycle

/// Watches the experiments directory and the keys file (polling their bytes every `reloadInterval`).
///
/// A changed directory is loaded whole; if any file is bad the new version is rejected and logged (once per distinct
/// content) and the old catalog keeps serving.
struct DefinitionReloader: Service {
  let service: StrataService

  func run() async throws {
    await service.everyReloadInterval { await service.reloadIfChanged() }
  }
}

/// Makes again, every reload interval, the copies of the catalog and keys into the database that failed
/// (``StrataService/copyPending()``), in a loop of its own: the reloader never waits on the database before reading
/// the files, so a key removed from the keys file during an outage stops working at the next check.
struct PendingCopies: Service {
  let service: StrataService

  func run() async throws {
    // Shutting down with a copy still pending: it is made at the next start.
    await service.everyReloadInterval { await service.copyPending() }
  }
}

extension StrataService {
  /// Runs `body` every reload interval (the first time one interval after the start) until graceful shutdown or
  /// cancellation; returning, not throwing, then lets the service group finish cleanly.
  func everyReloadInterval(_ body: @escaping @Sendable () async -> Void) async {
    let interval = configuration.reloadInterval
    do {
      try await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
          try await Task.sleep(for: interval)
          await body()
        }
      }
    } catch {
      // Only `Task.sleep` throws, and only CancellationError: shutting down.
    }
  }
}

extension StrataService {
  /// Checks the sources once and swaps in whatever changed and is valid.
  public func reloadIfChanged() async {
    await reloadDefinitionsIfChanged()
    await reloadKeysIfChanged()
  }

  /// Copies into the database the catalogs served whose copy failed before (oldest first), and the keys serving now
  /// if their copy failed.
  ///
  /// A copy fails when PostgreSQL is gone, or silent past the poll's limit. The swap serves them already, and both
  /// copies can be made again (they only add the catalog's definitions, and replace the keys). Every catalog that
  /// served is copied, also one replaced before its copy succeeded: exposures assigned under it name its definitions,
  /// and ingestion accepts an older definition only when the database holds it (before, only the catalog serving was
  /// copied, and such exposures were refused with 400). The keys flag is cleared only when the keys copied are still
  /// those serving (a newer swap's own copy may have failed meanwhile).
  func copyPending() async {
    let pending = copiesPending.withLock { $0 }
    for catalog in pending.catalogs {
      do {
        try await poll { try await store.recordCatalog(catalog) }
        copiesPending.withLock { $0.catalogs.removeAll { $0.etag == catalog.etag } }
        logger.info("catalog recorded in the database", metadata: ["catalog_etag": "\(catalog.etag)"])
      } catch {
        logger.error("cannot record the catalog in the database", metadata: ["error": "\(error)"])
        break  // the next interval tries again, from this one
      }
    }
    if pending.keys {
      let fingerprint = keysFingerprint.withLock { $0 }
      let keys = authenticator.keys
      do {
        try await poll { try await store.replaceKeys(keys) }
        let current = keysFingerprint.withLock { $0 } == fingerprint
        if current { copiesPending.withLock { $0.keys = false } }
        logger.info("keys copied into the database", metadata: ["keys": "\(keys.count)"])
      } catch {
        logger.error("cannot copy the keys into the database", metadata: ["error": "\(error)"])
      }
    }
  }

  /// Swaps in a changed, valid catalog, then records it in the database before returning.
  ///
  /// The write is awaited, not a task left running, so a shutdown closing the store (or a test reading it) never races
  /// it; a PostgreSQL that does not answer fails it after `--request-timeout` (``StrataService/poll(limit:_:)``), so
  /// the reloader is not held up. The new catalog serves from the swap on; a failed write is logged, does not undo it,
  /// and is made again by ``PendingCopies`` (also after a later swap).
  ///
  /// When ``ServiceConfiguration/pendingCatalogLimit`` catalogs already wait for their copies, a changed directory is
  /// held back: the catalog serving keeps serving, the reason is logged once and counted
  /// (`strata_definition_reloads_total{result="held_back"}`), and the change is swapped in at the first reload after
  /// a copy succeeds. Not the oldest waiting catalogs dropped instead: each one served, and exposures assigned under
  /// it are accepted only once the database holds its definitions. A version already waiting (a directory put back)
  /// takes no more room and is swapped in.
  func reloadDefinitionsIfChanged() async {
    let fingerprint: String
    let files: [(path: String, bytes: [UInt8])]
    do {
      (fingerprint, files) = try loader.fingerprint()
    } catch {
      logOnce(definitions: "unreadable", "cannot read the experiments directory", error)
      return
    }
    guard fingerprint != catalog.sourceFingerprint, fingerprint != rejected.withLock({ $0.definitions }) else { return }
    let limit = configuration.pendingCatalogLimit
    let waiting = copiesPending.withLock { $0.catalogs.count }
    // Held back before and still no room: not parsed again at every interval.
    if waiting >= limit, fingerprint == rejected.withLock({ $0.heldBack }) { return }
    do {
      let next = try loader.build(files, fingerprint: fingerprint)
      // Counted again: copies made while the directory was read make room.
      let (stillWaiting, isWaiting) = copiesPending.withLock { pending in
        (pending.catalogs.count, pending.catalogs.contains { $0.etag == next.etag })
      }
      if stillWaiting >= limit, next.etag != catalog.etag, !isWaiting {
        rejected.withLock { $0.heldBack = fingerprint }
        metrics.reload("held_back")
        logger.error(
          "definitions changed but not reloaded: \(stillWaiting) catalogs served while the database could not be reached still wait to be recorded there (at most \(limit)); the current version keeps serving, and the change is loaded once they are recorded",
          metadata: ["catalog_etag": "\(next.etag)", "serving_etag": "\(catalog.etag)"])
        return
      }
      let previous = current.withLock { catalog in
        let previous = catalog
        catalog = next
        return previous
      }
      rejected.withLock {
        $0.definitions = nil
        $0.heldBack = nil
      }
      metrics.reload("ok")
      metrics.catalog(next)
      let changed = next.entries.filter { previous[$0.experiment.id]?.definitionHash != $0.definitionHash }
      logger.info(
        "definitions reloaded",
        metadata: [
          "catalog_etag": "\(next.etag)", "experiments": "\(next.entries.count)",
          "changed": "\(changed.map(\.experiment.id).joined(separator: ","))",
        ])
      // Behind older catalogs whose copies failed, it waits its turn (``copyPending()``, oldest first), so that each
      // definition and catalog is recorded with the time it was first served; a catalog served again (the same ETag)
      // keeps its first time.
      let queued = copiesPending.withLock { pending in
        guard !pending.catalogs.isEmpty else { return false }
        if !pending.catalogs.contains(where: { $0.etag == next.etag }) { pending.catalogs.append(next) }
        return true
      }
      guard !queued else { return }
      do {
        try await poll { try await store.recordCatalog(next) }
      } catch {
        // Kept until copied, also once replaced (``copyPending()``).
        copiesPending.withLock { pending in
          if !pending.catalogs.contains(where: { $0.etag == next.etag }) { pending.catalogs.append(next) }
        }
        logger.error("cannot record the catalog in the database", metadata: ["error": "\(error)"])
      }
    } catch {
      metrics.reload("rejected")
      logOnce(definitions: fingerprint, "definitions rejected; the previous version keeps serving", error)
    }
  }

  private func logOnce(definitions fingerprint: String, _ message: String, _ error: any Error) {
    let isNew = rejected.withLock { state in
      defer { state.definitions = fingerprint }
      return state.definitions != fingerprint
    }
    if isNew { logger.error("\(message)", metadata: ["error": "\(error)"]) }
  }

  func reloadKeysIfChanged() async {
    guard let url = configuration.keysFile else { return }
    let bytes: [UInt8]
    do {
      bytes = try KeyFile.bytes(of: url)
    } catch {
      // Missing, a directory, unreadable or too large: not "no keys" (that would let every request in, or lock every
      // client out), but a rejected file. The previous keys stay, the reason is logged once (until the file can be
      // read again) and the file is read again on the next poll.
      let reason = "unreadable: \(error.description)"
      let isNew = rejected.withLock { state in
        defer { state.keys = reason }
        return state.keys != reason
      }
      if isNew {
        logger.error("keys file cannot be read; the previous keys stay in use", metadata: ["error": "\(error)"])
      }
      return
    }
    let fingerprint = Catalog.sha256(bytes)
    let previous = keysFingerprint.withLock { $0 }
    if fingerprint == previous {
      // Back to the keys in use (after an unreadable or rejected file): nothing to swap; a later failure logs again.
      rejected.withLock { $0.keys = nil }
      return
    }
    guard fingerprint != rejected.withLock({ $0.keys }) else { return }
    do {
      let keys = try KeyFile.parse(bytes, file: url.path)
      // No keys lets every request in: as at start, only on a loopback address.
      if keys.isEmpty && !configuration.isLoopback {
        throw KeyFileError(
          description: "\(url.path): holds no keys, which would let every request in on \(configuration.host)")
      }
      authenticator.replace(keys)
      keysFingerprint.withLock { $0 = fingerprint }
      rejected.withLock { $0.keys = nil }
      if previous != nil { logger.info("keys reloaded", metadata: ["keys": "\(keys.count)"]) }
      // The new keys serve from the swap on; a failed copy into the database is logged and does not undo it.
      do {
        try await poll { try await store.replaceKeys(keys) }
        copiesPending.withLock { $0.keys = false }
      } catch {
        copiesPending.withLock { $0.keys = true }
        logger.error("cannot copy the keys into the database", metadata: ["error": "\(error)"])
      }
    } catch {
      rejected.withLock { $0.keys = fingerprint }
      logger.error("keys file rejected; the previous keys stay in use", metadata: ["error": "\(error)"])
    }
  }
}
