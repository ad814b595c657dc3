import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import StrataServer

@Suite struct ErasureTests {
  func post(_ client: any TestClientProtocol, _ uri: String, _ text: String, key: String? = nil) async throws
    -> TestResponse
  {
    var headers = jsonHeaders
    if let key, let name = HTTPField.Name("X-API-Key") { headers[name] = key }
    return try await client.execute(uri: uri, method: .post, headers: headers, body: body(text))
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

  @Test func erasureRemovesTheUnitsRowsAndSaysWhichResultsChanged() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    try await harness.test { client in
      let variants = try await assigned(client, ["u-1", "u-2"])
      try #require(variants.count == 2)
      let exposures = try await post(
        client, "/v1/exposures",
        #"{"exposures": [{"id": "x1", "experiment": "banner-on", "unit": "u-1", "variant": "\#(variants[0])"}, "#
          + #"{"id": "x2", "experiment": "banner-on", "unit": "u-2", "variant": "\#(variants[1])"}]}"#)
      #expect(try exposures.body.json["stored"] == .integer(2))
      let events = try await post(
        client, "/v1/events",
        #"{"events": [{"id": "v1", "unit": "u-1", "metric": "renewed", "value": 1}, "#
          + #"{"id": "v2", "unit": "u-1", "metric": "revenue", "value": 30.5}, "#
          + #"{"id": "v3", "unit": "u-2", "metric": "renewed", "value": 1}]}"#)
      #expect(try events.body.json["stored"] == .integer(3))

      let erased = try await post(client, "/v1/erasure", #"{"unit": "u-1"}"#)
      #expect(erased.status == .ok)
      let answer = try erased.body.json
      #expect(answer["consent_withdrawn"] == .bool(true))
      #expect(answer["removed"]?["exposures"] == .integer(1))
      #expect(answer["removed"]?["events"] == .integer(2))
      #expect(answer["removed"]?["exposure_ids"] == .integer(1))
      #expect(
        answer["results_changed"]
          == .array([.object([("experiment", .string("banner-on")), ("variants", .array([.string(variants[0])]))])]))
      #expect(answer["events_by_metric"] == .object([("renewed", .integer(1)), ("revenue", .integer(1))]))

      // The unit's later data is refused; the other unit's is untouched.
      let late = try await post(
        client, "/v1/exposures",
        #"{"exposures": [{"id": "x3", "experiment": "banner-on", "unit": "u-1", "variant": "\#(variants[0])"}]}"#)
      #expect(try late.body.json["refused_no_consent"] == .integer(1))

      // Without withdrawing consent: the unit stays assignable.
      let kept = try await post(client, "/v1/erasure", #"{"unit": "u-2", "withdraw_consent": false}"#)
      #expect(try kept.body.json["consent_withdrawn"] == .bool(false))
      #expect(try kept.body.json["removed"]?["events"] == .integer(1))
      do {
        let value = try await assigned(client, ["u-2"])
        #expect(value == [variants[1]])
      }

      let bad = try await post(client, "/v1/erasure", #"{"unit": "u-3", "withdraw_consent": "yes"}"#)
      #expect(bad.status == .badRequest)
    }
    let database = try DatabaseQueue(path: harness.directory.appendingPathComponent("strata.db").path)
    try await database.read { db in
      for table in ["exposures", "exposure_ids", "events"] {
        #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") == 0, "\(table)")
      }
      #expect(try Int.fetchOne(db, sql: "SELECT sum(units) FROM erased_exposures") == 2)
      let stored =
        try String.fetchAll(db, sql: "SELECT unit || actor || detail FROM audit_log").joined()
        + String.fetchAll(db, sql: "SELECT unit FROM consent").joined()
      #expect(!stored.contains("u-1") && !stored.contains("u-2"), "unit ids are keyed hashes, never plain")
    }
    let log = try await harness.service.store.auditLog()
    #expect(log.records.map(\.action) == ["consent_withdrawn", "erasure", "erasure"])
    #expect(AuditChain.verify(log.records, head: log.head) == .intact(records: 3, head: log.head))
  }

  /// A 503 may hide a commit whose answer was lost; the sentences say repeating is safe: a repeat leaves the same
  /// state, removes nothing twice and counts no erased unit twice, with its own audit record (chain intact).
  @Test func repeatingIsSafe() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    try await harness.test { client in
      let variants = try await assigned(client, ["u-1"])
      try #require(variants.count == 1)
      let exposures = try await post(
        client, "/v1/exposures",
        #"{"exposures": [{"id": "x1", "experiment": "banner-on", "unit": "u-1", "variant": "\#(variants[0])"}]}"#)
      #expect(try exposures.body.json["stored"] == .integer(1))
      let events = try await post(
        client, "/v1/events", #"{"events": [{"id": "v1", "unit": "u-1", "metric": "renewed", "value": 1}]}"#)
      #expect(try events.body.json["stored"] == .integer(1))
      let first = try await post(client, "/v1/erasure", #"{"unit": "u-1"}"#)
      let again = try await post(client, "/v1/erasure", #"{"unit": "u-1"}"#)
      #expect(first.status == .ok && again.status == .ok)
      #expect(try first.body.json["removed"]?["exposures"] == .integer(1))
      let repeated = try again.body.json
      #expect(repeated["consent_withdrawn"] == .bool(true))
      #expect(
        repeated["removed"]
          == .object([("exposures", .integer(0)), ("events", .integer(0)), ("exposure_ids", .integer(0))]))
      #expect(repeated["results_changed"] == .array([]))
      for _ in 0..<2 {
        let consent = try await post(client, "/v1/consent", #"{"unit": "u-2", "granted": false}"#)
        #expect(consent.status == .ok)
        #expect(try consent.body.json["assignable"] == .bool(false))
      }
    }
    let database = try DatabaseQueue(path: harness.directory.appendingPathComponent("strata.db").path)
    let (erased, units, granted) = try await database.read { db in
      (
        try Int.fetchOne(db, sql: "SELECT sum(units) FROM erased_exposures"),
        try Int.fetchOne(db, sql: "SELECT count(*) FROM consent"),
        try Int.fetchOne(db, sql: "SELECT count(*) FROM consent WHERE granted")
      )
    }
    #expect(erased == 1 && units == 2 && granted == 0, "\(String(describing: (erased, units, granted)))")
    let log = try await harness.service.store.auditLog()
    #expect(
      log.records.map(\.action) == [
        "consent_withdrawn", "erasure", "consent_withdrawn", "erasure", "consent_withdrawn", "consent_withdrawn",
      ])
    #expect(AuditChain.verify(log.records, head: log.head) == .intact(records: 6, head: log.head))
  }

  @Test func onlyAdminKeysMayErase() async throws {
    let server = APIKey.generate(name: "backend", role: .server)
    let viewer = APIKey.generate(name: "dash", role: .viewer)
    let admin = APIKey.generate(name: "ops", role: .admin)
    let harness = try TestService(keys: [server.record, viewer.record, admin.record])
    defer { harness.remove() }
    try await harness.test { client in
      let text = #"{"unit": "u-1"}"#
      do {
        let value = try await post(client, "/v1/erasure", text).status
        #expect(value == .unauthorized)
      }
      do {
        let value = try await post(client, "/v1/erasure", text, key: server.key).status
        #expect(value == .forbidden)
      }
      do {
        let value = try await post(client, "/v1/erasure", text, key: viewer.key).status
        #expect(value == .forbidden)
      }
      do {
        let value = try await post(client, "/v1/erasure", text, key: admin.key).status
        #expect(value == .ok)
      }
    }
    #expect(try await harness.service.store.auditLog().records.map(\.actor) == ["ops", "ops"])
  }
}
