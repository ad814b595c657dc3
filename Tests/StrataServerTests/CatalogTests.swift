import Foundation
import Logging
import GRDB
import StrataAssignment
import StrataWarehouse
import Testing

@testable import StrataServer
import StrataTestSupport

@Suite struct CatalogTests {
  func directory(_ files: [String: String]) throws -> URL {
    let url = try makeTemporaryDirectory("strata-catalog")
    for (name, text) in files {
      try text.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    return url
  }

  @Test func aBadFileStopsTheLoadNamingFileLineAndField() throws {
    let url = try directory([
      "good.yaml": "id: good\nvariants: [a, b]\n",
      "bad.yaml": "id: bad\nvariants:\n  - key: a\n    value: 1\n  - key: b\n    value: two\n",
    ])
    defer { try? FileManager.default.removeItem(at: url) }
    do {
      _ = try CatalogLoader(directory: url).load()
      Issue.record("a bad file must stop the load")
    } catch {
      #expect(error.problems.count == 1)
      #expect(error.description.contains("bad.yaml:6: variants[1].value: every variant's value must be of one type"))
    }
  }

  /// The service assigns by hash only, so a definition that leaves a weighted variant without buckets (valid for
  /// `strata assign --stratified`) stops the load, naming its file, line and field.
  @Test func aVariantWithoutBucketsStopsTheLoad() throws {
    let url = try directory([
      "tiny.yaml": "id: tiny\nvariants:\n  - key: a\n    weight: 0.0001\n  - key: b\n    weight: 1\n"
    ])
    defer { try? FileManager.default.removeItem(at: url) }
    do {
      _ = try CatalogLoader(directory: url).load()
      Issue.record("a variant without buckets must stop the load")
    } catch {
      #expect(error.description.contains("tiny.yaml:4: variants[0].weight: 0.0001 of a total weight of 1.0001"))
    }
  }

  @Test func repeatedIDsAndEmptyDirectoriesAreRefused() throws {
    let url = try directory(["a.yaml": "id: same\nvariants: [a, b]\n", "b.yaml": "id: same\nvariants: [a, b]\n"])
    defer { try? FileManager.default.removeItem(at: url) }
    #expect(throws: CatalogError.self) { try CatalogLoader(directory: url).load() }
    let empty = try directory([:])
    defer { try? FileManager.default.removeItem(at: empty) }
    #expect(throws: CatalogError.self) { try CatalogLoader(directory: empty).load() }
  }

  @Test func etagFollowsTheDefinitions() throws {
    let url = try directory(["a.yaml": "id: a\nvariants: [x, y]\n"])
    defer { try? FileManager.default.removeItem(at: url) }
    let first = try CatalogLoader(directory: url).load()
    #expect(try CatalogLoader(directory: url).load().etag == first.etag)
    #expect(first["a"]?.definitionHash == APIKey.digest(of: "id: a\nvariants: [x, y]\n"))
    try "id: a\nvariants: [x, y, z]\n".write(
      to: url.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
    #expect(try CatalogLoader(directory: url).load().etag != first.etag)
  }

  @Test func valuesAreTypedByYAML() throws {
    let url = try directory([
      "v.yaml": """
      id: v
      variants:
        - key: a
          value: {n: 3, f: 2.5, b: true, s: "7", l: [1, two]}
        - key: b
          value: {n: 4}
      """
    ])
    defer { try? FileManager.default.removeItem(at: url) }
    let entry = try #require(try CatalogLoader(directory: url).load()["v"])
    #expect(
      entry.value(ofVariant: 0)
        == .object([
          ("n", .integer(3)), ("f", .number(2.5)), ("b", .bool(true)), ("s", .string("7")),
          ("l", .array([.integer(1), .string("two")])),
        ]))
    #expect(entry.valueKind == .object)
  }

  @Test func reloadSwapsGoodVersionsAndKeepsServingOnBadOnes() async throws {
    let harness = try TestService(only: ["banner-on.yaml", "cta-text.yaml"])
    defer { harness.remove() }
    let service = harness.service
    let before = service.catalog
    let file = harness.experiments.appendingPathComponent("cta-text.yaml")
    try "id: cta-text\nvariants: [renew_now, keep_training, join_class]\n".write(
      to: file, atomically: true, encoding: .utf8)
    await service.reloadIfChanged()
    let after = service.catalog
    #expect(after.etag != before.etag)
    #expect(after["cta-text"]?.experiment.variants.count == 3)
    #expect(after["banner-on"]?.definitionHash == before["banner-on"]?.definitionHash)
    try "id: cta-text\nvariants: [only_one]\n".write(to: file, atomically: true, encoding: .utf8)
    await service.reloadIfChanged()
    #expect(service.catalog.etag == after.etag, "a bad version is rejected; the old one keeps serving")
    let metrics = String(decoding: service.metrics.render(), as: UTF8.self)
    #expect(metrics.contains("strata_definition_reloads_total{result=\"ok\"} 1"))
    #expect(metrics.contains("strata_definition_reloads_total{result=\"rejected\"} 1"))
  }

  /// A reload records the new catalog in the database before it returns (the write is awaited, not left running in a
  /// task that a shutdown or this read could race).
  @Test func reloadRecordsTheCatalogBeforeReturning() async throws {
    let harness = try TestService(only: ["banner-on.yaml", "cta-text.yaml"])
    defer { harness.remove() }
    let service = harness.service
    let store = try #require(service.store as? SQLiteStore)
    _ = try await store.migrate()
    try "id: cta-text\nvariants: [renew_now, keep_training, join_class]\n".write(
      to: harness.experiments.appendingPathComponent("cta-text.yaml"), atomically: true, encoding: .utf8)
    await service.reloadIfChanged()
    let entry = try #require(service.catalog["cta-text"])
    #expect(entry.experiment.variants.count == 3)
    #expect(try await store.definition(experiment: "cta-text", hash: entry.definitionHash) == entry.yaml)
    let versions = try await store.pool.read { db in
      try Int.fetchOne(
        db, sql: "SELECT COUNT(*) FROM catalog_versions WHERE etag = ?", arguments: [service.catalog.etag])
    }
    #expect(versions == 1)
  }

  @Test func aFirstReleaseDatabaseMigratesKeepingItsKeys() async throws {
    let directory = try directory([:])
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try SQLiteStore(path: directory.appendingPathComponent("v1.db").path)
    try SQLiteStore.migrator.migrate(store.pool, upTo: "v1")
    try await store.pool.write { db in
      try db.execute(sql: "INSERT INTO api_keys (name, role, sha256, created) VALUES ('k', 'server', 'ab', 'then')")
    }
    #expect(try await store.migrate() == StoreSchema.sqlite.count)
    #expect(try await store.keys() == [APIKey(name: "k", role: .server, sha256: "ab", created: "then", expose: false)])
    let tables = try await store.pool.read { db in
      try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    }
    #expect(Set(["exposures", "exposure_ids", "events", "looks"]).isSubset(of: Set(tables)))
    try await store.close()
  }

  @Test func sqliteStoreMigratesOnceAndKeepsVersions() async throws {
    let directory = try directory([:])
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("s.db").path
    let store = try SQLiteStore(path: path)
    #expect(try await store.migrate() == StoreSchema.sqlite.count)
    #expect(try await store.migrate() == StoreSchema.sqlite.count)
    let key = APIKey.generate(name: "k", role: .viewer).record
    try await store.replaceKeys([key])
    #expect(try await store.keys() == [key])
    let harness = try TestService(only: ["banner-on.yaml"])
    defer { harness.remove() }
    try await store.recordCatalog(harness.service.catalog)
    try await store.recordCatalog(harness.service.catalog)
    let entry = try #require(harness.service.catalog["banner-on"])
    #expect(try await store.definition(experiment: "banner-on", hash: entry.definitionHash) == entry.yaml)
    try await store.close()
    // Reopening finds the schema in place.
    let reopened = try SQLiteStore(path: path)
    #expect(try await reopened.migrate() == StoreSchema.sqlite.count)
    #expect(try await reopened.keys().count == 1)
    try await reopened.close()
  }

  @Test func databaseLocations() throws {
    #expect(try StoreLocation(parsing: "sqlite:strata.db") == .sqlite(path: "strata.db"))
    guard
      case .postgresql(let pg) = try StoreLocation(
        parsing: "postgresql://ann:secret@db.internal:6543/strata", environment: [:])
    else {
      Issue.record("postgresql expected")
      return
    }
    #expect(pg.host == "db.internal" && pg.port == 6543 && pg.username == "ann" && pg.database == "strata")
    #expect(pg.password == "secret" && pg.tls == .prefer)
    #expect(
      try StoreLocation(parsing: "postgresql://ann:secret@db/strata", environment: [:]).redacted
        == "postgresql://ann@db:5432/strata")
    #expect(throws: StoreLocationError.self) { try StoreLocation(parsing: "mysql://x") }
    #expect(throws: StoreLocationError.self) {
      try StoreLocation(parsing: "postgresql://h/db?sslmode=verify-full", environment: [:])
    }
  }

  /// The same URL reads the same for `serve`, `audit verify` and `looks` as for `analyze --database`: libpq's
  /// fallbacks (serve read user `postgres` and sslmode disable where the URL had none, and ignored PGUSER, PGHOST,
  /// PGPORT, PGDATABASE and PGSSLMODE).
  @Test func postgresLocationsReadAsDatabaseURL() throws {
    let environment = ["PGUSER": "ops", "PGHOST": "db.env", "PGPORT": "6001", "PGSSLMODE": "require"]
    for text in ["postgresql://", "postgresql://h2/crm", "postgres://ann:pw@[::1]:7/d?sslmode=disable"] {
      guard case .postgresql(let location) = try StoreLocation(parsing: text, environment: environment) else {
        Issue.record("postgresql expected")
        return
      }
      let url = try DatabaseURL(text, environment: environment)
      #expect(location.url == url)
      #expect(location.host == url.host && location.port == url.port && location.username == url.user)
      #expect(location.database == url.database && location.tls == url.tlsMode && location.password == url.password)
    }
    guard case .postgresql(let bare) = try StoreLocation(parsing: "postgresql://h/d", environment: [:]) else {
      Issue.record("postgresql expected")
      return
    }
    #expect(bare.username == DatabaseURL.systemAccount()?.name && bare.tls == .prefer)
    do {
      _ = try StoreLocation(parsing: "postgresq://ann:hunter2@h/d", environment: [:])
      Issue.record("a misspelt scheme was accepted")
    } catch {
      #expect(
        error.description
          == "--database must be sqlite:PATH or postgresql://[USER[:PASSWORD]@][HOST][:PORT][/DATABASE] "
          + "(it starts with postgresq://)")
    }
  }
}
