import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import StrataServer

/// Consent is checked inside the ingestion transaction: once a withdrawal is acknowledged, no exposure or event of
/// the unit is stored, whether the batch was already waiting to be written or arrives at another server sharing the
/// database (whose registry has not yet read the withdrawal).
@Suite struct ConsentRaceTests {
  /// What the writers of one unit were told.
  struct Told: Sendable {
    var received = 0
    var stored = 0
    var duplicates = 0
    var refused = 0

    mutating func add(_ other: Told) {
      received += other.received
      stored += other.stored
      duplicates += other.duplicates
      refused += other.refused
    }
  }

  func post(_ client: any TestClientProtocol, _ uri: String, _ text: String) async throws -> TestResponse {
    try await client.execute(uri: uri, method: .post, headers: jsonHeaders, body: body(text))
  }

  /// The variant `banner-on` assigns each unit.
  func assigned(_ client: any TestClientProtocol, _ units: [String]) async throws -> [String] {
    let list = units.map { #"{"unit": "\#($0)"}"# }.joined(separator: ",")
    let response = try await post(client, "/v1/assign", #"{"experiment": "banner-on", "units": [\#(list)]}"#)
    guard case .array(let items)? = try response.body.json["assignments"] else { return [] }
    return items.compactMap { item in
      if case .string(let variant)? = item["variant"] { return variant }
      return nil
    }
  }

  /// Stored exposure items and events of a unit.
  func storedRows(_ store: SQLiteStore, unit: String) async throws -> Int {
    try await store.pool.read { db in
      try Int.fetchOne(
        db,
        sql: """
          SELECT (SELECT count(*) FROM exposure_ids WHERE unit_id = ?) + (SELECT count(*) FROM events WHERE unit_id = ?)
          """,
        arguments: [unit, unit]) ?? 0
    }
  }

  /// Reads an ingestion answer's counts (every answer must be 200).
  func counts(_ response: TestResponse, _ what: String) throws -> Told {
    #expect(response.status == .ok, "\(what): \(response.status) \(String(buffer: response.body))")
    let json = try response.body.json
    func count(_ key: String) -> Int {
      if case .integer(let value)? = json[key] { return value }
      Issue.record("\(what): no \(key) in \(json.serialized())")
      return 0
    }
    return Told(
      received: count("received"), stored: count("stored"), duplicates: count("duplicates"),
      refused: count("refused_no_consent"))
  }

  /// Four writers send exposures and events of `unit` while its consent is withdrawn; returns what they were told,
  /// and the unit's stored rows when the withdrawal was acknowledged and at the end.
  func race(
    _ client: any TestClientProtocol, _ store: SQLiteStore, unit: String, variant: String, delay: Int
  ) async throws -> (told: Told, atAcknowledgement: Int, atEnd: Int) {
    async let written: Told = withThrowingTaskGroup(of: Told.self) { group in
      for writer in 0..<4 {
        group.addTask {
          var told = Told()
          for request in 0..<6 {
            let id = "\(unit)-w\(writer)-r\(request)"
            let exposures = (0..<3).map {
              #"{"id": "\#(id)-x\#($0)", "experiment": "banner-on", "unit": "\#(unit)", "variant": "\#(variant)"}"#
            }
            told.add(
              try counts(
                try await post(client, "/v1/exposures", #"{"exposures": [\#(exposures.joined(separator: ","))]}"#),
                "\(id) exposures"))
            let events = (0..<2).map {
              #"{"id": "\#(id)-v\#($0)", "unit": "\#(unit)", "metric": "renewed", "value": 1}"#
            }
            told.add(
              try counts(
                try await post(client, "/v1/events", #"{"events": [\#(events.joined(separator: ","))]}"#),
                "\(id) events"))
          }
          return told
        }
      }
      var total = Told()
      for try await told in group { total.add(told) }
      return total
    }
    for _ in 0..<delay { await Task.yield() }
    let withdrawal = try await post(client, "/v1/consent", #"{"unit": "\#(unit)", "granted": false}"#)
    #expect(withdrawal.status == .ok)
    let atAcknowledgement = try await storedRows(store, unit: unit)
    let told = try await written
    return (told, atAcknowledgement, try await storedRows(store, unit: unit))
  }

  @Test func nothingIsStoredAfterAWithdrawalIsAcknowledged() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    let store = try #require(harness.service.store as? SQLiteStore)
    let units = (0..<24).map { "race-\($0)" }
    try await harness.test { client in
      let variants = try await assigned(client, units)
      try #require(variants.count == units.count)
      var total = Told()
      try await withThrowingTaskGroup(of: (String, Told, Int, Int).self) { group in
        for (index, (unit, variant)) in zip(units, variants).enumerated() {
          group.addTask {
            let outcome = try await race(client, store, unit: unit, variant: variant, delay: index * 7 % 40)
            return (unit, outcome.told, outcome.atAcknowledgement, outcome.atEnd)
          }
        }
        for try await (unit, told, atAcknowledgement, atEnd) in group {
          #expect(
            atEnd == atAcknowledgement,
            "\(unit): \(atEnd - atAcknowledgement) rows stored after its withdrawal was acknowledged")
          #expect(told.stored == atEnd, "\(unit): \(told.stored) items acknowledged as stored, \(atEnd) in the store")
          #expect(told.received == told.stored + told.duplicates + told.refused, "\(unit): \(told)")
          total.add(told)
        }
      }
      // Both sides of the race happened: rows stored before withdrawals, and rows refused after them.
      #expect(total.stored > 0 && total.refused > 0, "\(total)")
      #expect(total.received == units.count * 4 * 6 * 5)
      let counted = try await harness.service.store.refusedCounts().reduce(0) { $0 + $1.count }
      #expect(counted == total.refused, "every refused item is counted in consent_refused_items")
    }
  }

  @Test func aWithdrawalRecordedByAnotherServerIsHonouredAtOnce() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    // A second server on the same database; its registry polls hourly, so only the store can know.
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    let other = try StrataService(
      configuration: harness.service.configuration,
      store: try harness.service.configuration.database.open(logger: logger), keys: [], logger: logger)
    try await harness.test { client in
      let variants = try await assigned(client, ["u-1", "u-2"])
      try #require(variants.count == 2)
      try await other.application().test(.router) { second in
        let withdrawal = try await post(second, "/v1/consent", #"{"unit": "u-1", "granted": false}"#)
        #expect(withdrawal.status == .ok)
        #expect(!harness.service.consent.isRefused(unit: "u-1"), "this server has not polled the withdrawal yet")
        #expect(!harness.service.consent.knowsChanges, "so its handlers leave the keyed hashes to the store")
        let exposures = try await post(
          client, "/v1/exposures",
          #"{"exposures": [{"id": "x1", "experiment": "banner-on", "unit": "u-1", "variant": "\#(variants[0])"}, "#
            + #"{"id": "x2", "experiment": "banner-on", "unit": "u-2", "variant": "\#(variants[1])"}]}"#)
        let exposed = try counts(exposures, "exposures")
        #expect(exposed.stored == 1 && exposed.refused == 1, "\(exposed)")
        let events = try await post(
          client, "/v1/events",
          #"{"events": [{"id": "v1", "unit": "u-1", "metric": "renewed", "value": 1}, "#
            + #"{"id": "v2", "unit": "u-2", "metric": "renewed", "value": 1}]}"#)
        let evented = try counts(events, "events")
        #expect(evented.stored == 1 && evented.refused == 1, "\(evented)")
        // OFREP's exposure logging refuses the unit too.
        let evaluated = try await post(
          client, "/ofrep/v1/evaluate/flags/banner-on?expose=true", #"{"context": {"targetingKey": "u-1"}}"#)
        #expect(try evaluated.body.json["metadata"]?["strata_exposure"] == .string("refused_no_consent"))
      }
    }
    let store = try #require(harness.service.store as? SQLiteStore)
    #expect(try await storedRows(store, unit: "u-1") == 0)
    #expect(try await storedRows(store, unit: "u-2") == 2)
    #expect(
      try await harness.service.store.refusedCounts() == [
        RefusedItemCount(kind: "event", subject: "renewed", count: 1),
        RefusedItemCount(kind: "exposure", subject: "banner-on", count: 2),
      ])
  }

  /// The keyed hashes a transaction checks are the same whether the handlers made them (a server that knows of consent
  /// changes) or left them to the store, and a group's merged check holds every batch's units (merged into one
  /// dictionary, or listed batch by batch as SQLite's writer reads them).
  @Test func consentHashesAreTheSameWhoeverMakesThem() {
    let key = AuditKey(bytes: (0..<32).map { UInt8($0) })
    func events(_ units: [String]) -> IngestBatch {
      .events(
        units.enumerated().map { index, unit in
          EventRow(id: "e\(index)-\(unit)", unit: unit, metric: "m", value: 1, time: IngestTime(milliseconds: 0))
        })
    }
    let batches = [events(["a", "b", "a"]), events(["b", "c"]), events(["c", "d", "a"])]
    let expected = Dictionary(uniqueKeysWithValues: ["a", "b", "c", "d"].map { ($0, key.hash(unit: $0)) })
    for mask in 0..<8 {
      let now = batches.indices.map { mask & (1 << $0) != 0 }
      let merged = ConsentCheck.merged(
        zip(batches, now).map { ConsentCheck(key: key, batches: [$0], hashNow: $1) })
      #expect(!merged.isEmpty)
      #expect(merged.hashes == expected, "hashed now: \(now)")
      // What SQLite's writer checks, without merging: the same units, each with the same one hash; a unit comes once
      // per batch whose caller hashed it, else once (hashed by the store, whichever batches list it).
      var seen: [String: Set<String>] = [:]
      var calls: [String: Int] = [:]
      merged.forEachHash { unit, hash in
        seen[unit, default: []].insert(hash)
        calls[unit, default: 0] += 1
      }
      #expect(seen == expected.mapValues { [$0] }, "hashed now: \(now)")
      let byCallers = zip(batches, now).filter(\.1).map(\.0.units)
      let expectedCalls = expected.keys.reduce(into: [String: Int]()) { counts, unit in
        counts[unit] = max(1, byCallers.filter { $0.contains(unit) }.count)
      }
      #expect(calls == expectedCalls, "hashed now: \(now)")
    }
    #expect(ConsentCheck(key: key, batches: [events([])], hashNow: true).isEmpty)
    #expect(ConsentCheck.merged([.none, .none]).isEmpty)
  }
}
