import Foundation
import Hummingbird
import Logging
import Synchronization

/// The running service's shared state: the catalog being served (swapped whole on reload), keys, rate limits, metrics
/// and the store.
///
/// Request handlers read it; only the reloader writes the catalog.
public final class StrataService: Sendable {
  public let configuration: ServiceConfiguration
  let current: Mutex<Catalog>
  let authenticator: Authenticator
  let rateLimiter: RateLimiter
  public let metrics: ServiceMetrics
  let store: any ServiceStore
  let logger: Logger
  let loader: CatalogLoader
  /// Set once the store is migrated and the catalog recorded.
  let isReady = Atomic<Bool>(false)
  /// The last rejected source fingerprints, so a bad file is logged once, not on every poll; `heldBack`: the
  /// experiments directory's fingerprint last held back for want of room among the catalogs waiting for their copies
  /// (``reloadDefinitionsIfChanged()``).
  let rejected = Mutex<(definitions: String?, keys: String?, heldBack: String?)>((nil, nil, nil))
  let keysFingerprint = Mutex<String?>(nil)
  /// Whether keys were given (else they come from the store).
  let keysGiven: Bool
  /// Group commit of ingested batches.
  let ingestQueue: IngestQueue
  /// Units that withdrew consent (`POST /v1/consent`): asked by every assignment and ingestion path.
  public let consent = ConsentRegistry()
  /// The live plans of the catalog served (rebuilt when its ETag changes).
  let livePlansCache = Mutex<LivePlans>(.empty)
  /// The catalogs served whose copy into the database failed, oldest first (each served, if only until the next
  /// swap: exposures assigned under it name its definitions), and whether the keys serving now are still to be copied;
  /// the copies are made again every reload interval (``PendingCopies``).
  let copiesPending = Mutex<(catalogs: [Catalog], keys: Bool)>(([], false))
  /// Records planned looks one at a time.
  let lookRecorder = LookRecorder()
  /// The limit of the live totals' builder's calls that scan a whole experiment (``scanning(if:_:)``).
  let liveScanLimit = Mutex<Duration>(StrataService.liveScanCallLimit)
  /// `experiment NUL hash` of older definitions found in the store (they never leave it).
  let knownDefinitions = Mutex<Set<String>>([])

  /// Loads and validates the definitions (throwing every problem found) and prepares the service.
  ///
  /// `keys`: the keys to use (and store); nil = the keys stored in the database.
  public convenience init(
    configuration: ServiceConfiguration, store: any ServiceStore, keys: [APIKey]?, logger: Logger
  ) throws(CatalogError) {
    let catalog = try CatalogLoader(directory: configuration.experimentsDirectory).load()
    self.init(configuration: configuration, store: store, keys: keys, logger: logger, catalog: catalog)
  }

  /// Prepares the service to serve `catalog`, loaded from `configuration.experimentsDirectory`.
  init(configuration: ServiceConfiguration, store: any ServiceStore, keys: [APIKey]?, logger: Logger, catalog: Catalog)
  {
    self.configuration = configuration
    loader = CatalogLoader(directory: configuration.experimentsDirectory)
    current = Mutex(catalog)
    authenticator = Authenticator(keys: keys ?? [])
    keysGiven = keys != nil
    rateLimiter = RateLimiter(rate: configuration.rateLimit)
    metrics = ServiceMetrics()
    metrics.catalog(catalog)
    self.store = store
    self.logger = logger
    ingestQueue = IngestQueue(store: store)
  }

  /// The catalog being served now.
  public var catalog: Catalog { current.withLock { $0 } }

  /// The live plans (``LivePlan``) of the catalog being served, on this store's dialect.
  func livePlans() -> LivePlans {
    let catalog = self.catalog
    return livePlansCache.withLock { cached in
      if cached.etag != catalog.etag { cached = LivePlans(catalog: catalog, dialect: store.dialect) }
      return cached
    }
  }

  /// Runs a background poll (not a request: the request watchdog does not cover it) with `limit` (default
  /// `--request-timeout`) as the limit of each of its PostgreSQL calls (``PostgresStore/callLimit``), so a silent
  /// PostgreSQL fails the poll, logged, instead of holding it (and what it would apply) until PostgreSQL answers.
  func poll<T>(limit: Duration? = nil, _ body: () async throws -> T) async rethrows -> T {
    try await PostgresStore.$callLimit.withValue(limit ?? configuration.requestTimeout) { try await body() }
  }

  /// The limit of each PostgreSQL call of the live totals' builder: `--request-timeout`, but at least 5 minutes (its
  /// calls that scan a whole experiment have a longer one: ``scanning(if:_:)``).
  ///
  /// A builder held by a silent PostgreSQL holds one pooled connection and delays only the totals (the results query
  /// answers meanwhile), so it need not give up as soon as a request does.
  var liveBuildCallLimit: Duration { max(configuration.requestTimeout, .seconds(300)) }

  /// The first limit of the builder's calls that scan a whole experiment (``scanning(if:_:)``).
  static let liveScanCallLimit: Duration = .seconds(3600)
  /// The longest that limit grows to (``scanning(if:_:)``).
  static let liveScanCallLimitCap: Duration = .seconds(8 * 3600)

  /// Runs `body` with the limit of a call that scans a whole experiment (``liveScanLimit``) in place of the poll's when
  /// `scans` is true.
  ///
  /// Such a call (the first step of a build drops the experiment's stored totals and may recount its exposures; an
  /// earlier release's database is checked by counting its units) is slow on a large database, not silent, and cut at
  /// the poll's limit it would be rolled back, retried and cut again at every pass, so the totals would never be
  /// built. Its limit, an hour at first, doubles each time such a call is cut at it, up to 8 hours, so a scan slower
  /// than an hour completes at a later pass, while a cut that never comes back holds the builder and one pooled
  /// connection for an hour, or after earlier cuts up to 8 hours (before: no limit, until a restart; postgres-nio gives
  /// no way to set a TCP user timeout that would find the cut sooner). The limit is never lowered again: a cut and a
  /// slow scan look the same here, and lowered it would cut a slow database's scans again.
  func scanning<T>(if scans: Bool, _ body: () async throws -> T) async rethrows -> T {
    guard scans else { return try await body() }
    let limit = liveScanLimit.withLock { $0 }
    do {
      return try await PostgresStore.$callLimit.withValue(limit) { try await body() }
    } catch let error as PostgresCallTimedOut {
      liveScanLimit.withLock { $0 = min(StrataService.liveScanCallLimitCap, max($0, limit * 2)) }
      throw error
    }
  }

  /// Authenticates a request for `roles` and applies the key's rate limit; nil when it may proceed.
  func admit(_ request: Request, roles: Set<APIKeyRole>, api: APIProtocol) -> Response? {
    if case .failure(let denied) = admitKey(request, roles: roles, api: api) { return denied.response }
    return nil
  }

  /// Like ``admit(_:roles:api:)``, returning the key when it may proceed (nil when authentication is off).
  func admitKey(_ request: Request, roles: Set<APIKeyRole>, api: APIProtocol) -> Result<APIKey?, ResponseFailure> {
    let outcome = authenticator.check(request.headers, roles: roles)
    if let denied = Responses.denied(outcome, api) { return .failure(ResponseFailure(response: denied)) }
    guard case .allowed(let key) = outcome else { return .success(nil) }
    if let key, let wait = rateLimiter.take(key.sha256) {
      return .failure(ResponseFailure(response: Responses.rateLimited(api, retryAfter: wait)))
    }
    return .success(key)
  }

  /// Makes the store ready: migrations, keys (from the keys file, or the stored ones), the catalog.
  func prepareStore() async throws {
    let version = try await store.migrate()
    try await openConsent()
    if keysGiven {
      try await store.replaceKeys(authenticator.keys)
    } else {
      authenticator.replace(try await store.keys())
    }
    try await store.recordCatalog(catalog)
    // The live results' running totals are checked and built by LiveTotalsBuilder once the service is ready (only
    // what is stale; current totals cost a read of a few rows); until then the results query answers.
    isReady.store(true, ordering: .releasing)
    logger.info(
      "store ready",
      metadata: [
        "backend": "\(store.backend)", "schema_version": "\(version)", "database": "\(configuration.database.redacted)",
        "keys": "\(authenticator.keys.count)",
      ])
    if authenticator.keys.isEmpty && !configuration.isLoopback {
      throw StartError(
        description:
          "refusing to serve on \(configuration.host) without API keys: make keys with `strata keys new` and pass --keys FILE"
      )
    }
    if authenticator.keys.isEmpty {
      logger.warning("no API keys: every request is allowed (make keys with `strata keys new` for any shared use)")
    }
  }
}

/// A reason the service cannot start.
public struct StartError: Error, CustomStringConvertible, Sendable {
  public var description: String
}
