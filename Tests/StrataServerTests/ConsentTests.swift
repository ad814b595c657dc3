import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
@testable import StrataServer
import Testing

@Suite struct ConsentTests {
  static let member =
    #"{"marketing_opt_in": true, "membership_months": 14, "status": "active", "checkins_90d": 30}"#

  /// The variant (OFREP single and bulk) and reason (`/v1/assign`) of unit `M-1` in `gym-renewal-2026`.
  func assignment(_ client: any TestClientProtocol, unit: String = "M-1") async throws -> (
    single: JSON?, bulk: JSON?, native: JSON?, etag: String?
  ) {
    let context =
      #"{"context": {"targetingKey": "\#(unit)", "#
      + ConsentTests.member.dropFirst() + "}"
    let single = try await client.execute(
      uri: "/ofrep/v1/evaluate/flags/gym-renewal-2026", method: .post, headers: jsonHeaders, body: body(context))
    let bulk = try await client.execute(
      uri: "/ofrep/v1/evaluate/flags", method: .post, headers: jsonHeaders, body: body(context))
    let native = try await client.execute(
      uri: "/v1/assign", method: .post, headers: jsonHeaders,
      body: body(#"{"unit": "\#(unit)", "experiment": "gym-renewal-2026", "attributes": \#(ConsentTests.member)}"#))
    var bulkVariant: JSON?
    if case .array(let flags)? = try bulk.body.json["flags"] {
      bulkVariant = flags.first { $0["key"] == .string("gym-renewal-2026") }?["variant"]
    }
    var nativeReason: JSON?
    if case .array(let items)? = try native.body.json["assignments"] { nativeReason = items.first?["reason"] }
    return (try single.body.json["variant"], bulkVariant, nativeReason, bulk.headers[.eTag])
  }

  func consent(_ client: any TestClientProtocol, _ text: String, key: String? = nil) async throws -> TestResponse {
    var headers = jsonHeaders
    if let key, let name = HTTPField.Name("X-API-Key") { headers[name] = key }
    return try await client.execute(uri: "/v1/consent", method: .post, headers: headers, body: body(text))
  }

  @Test func aWithdrawnUnitIsNeverAssignedByAnyPath() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    try await harness.test { client in
      let before = try await assignment(client)
      #expect(before.single != .string("strata:no_consent"))
      #expect(before.native == .string("assigned"))

      let withdrawn = try await consent(client, #"{"unit": "M-1", "granted": false}"#)
      #expect(withdrawn.status == .ok)
      #expect(try withdrawn.body.json["assignable"] == .bool(false))
      #expect(try withdrawn.body.json["audit"]?["sequence"] == .integer(1))
      let after = try await assignment(client)
      #expect(after.single == .string("strata:no_consent"))
      #expect(after.bulk == .string("strata:no_consent"))
      #expect(after.native == .string("no_consent"))
      #expect(after.etag != before.etag, "the bulk ETag must change with the unit's consent")
      // Another unit is untouched.
      do {
        let value = try await assignment(client, unit: "M-2").native
        #expect(value == .string("assigned"))
      }

      let granted = try await consent(client, #"{"unit": "M-1", "granted": true}"#)
      #expect(granted.status == .ok)
      let again = try await assignment(client)
      #expect(again.single == before.single)
      #expect(again.etag == before.etag)
    }
    let log = try await harness.service.store.auditLog()
    #expect(log.records.map(\.action) == ["consent_withdrawn", "consent_granted"])
    #expect(AuditChain.verify(log.records, head: log.head) == .intact(records: 2, head: log.head))
    for record in log.records {
      #expect(record.unit.count == 64 && !record.unit.contains("M-1"), "unit ids are keyed hashes, never plain")
    }
  }

  @Test func refusalsSurviveARestartAndNeedTheSameKey() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    try await harness.test { client in
      do {
        let value = try await consent(client, #"{"unit": "M-9", "granted": false}"#).status
        #expect(value == .ok)
      }
    }
    let database = harness.directory.appendingPathComponent("strata.db").path
    var configuration = harness.service.configuration
    let restarted = try StrataService(
      configuration: configuration, store: try configuration.database.open(logger: Logger(label: "test")), keys: [],
      logger: Logger(label: "test"))
    try await restarted.application().test(.router) { client in
      do {
        let value = try await assignment(client, unit: "M-9").native
        #expect(value == .string("no_consent"))
      }
    }
    #expect(restarted.consent.isRefused(unit: "M-9"))
    #expect(FileManager.default.fileExists(atPath: database + ".audit-key"))

    // Another key would no longer recognise the recorded refusals: the start is refused.
    configuration.auditKeyFile = harness.directory.appendingPathComponent("other.key").path
    let other = try StrataService(
      configuration: configuration, store: try configuration.database.open(logger: Logger(label: "test")), keys: [],
      logger: Logger(label: "test"))
    await #expect(throws: StartError.self) {
      try await other.application().test(.router) { _ in }
    }
  }

  @Test func onlyServerAndAdminKeysMayRecordConsent() async throws {
    let server = APIKey.generate(name: "backend", role: .server)
    let client = APIKey.generate(name: "web", role: .client)
    let viewer = APIKey.generate(name: "dash", role: .viewer)
    let admin = APIKey.generate(name: "ops", role: .admin)
    let harness = try TestService(keys: [server.record, client.record, viewer.record, admin.record])
    defer { harness.remove() }
    try await harness.test { http in
      let text = #"{"unit": "u-1", "granted": false}"#
      do {
        let value = try await consent(http, text).status
        #expect(value == .unauthorized)
      }
      do {
        let value = try await consent(http, text, key: client.key).status
        #expect(value == .forbidden)
      }
      do {
        let value = try await consent(http, text, key: viewer.key).status
        #expect(value == .forbidden)
      }
      do {
        let value = try await consent(http, text, key: server.key).status
        #expect(value == .ok)
      }
      do {
        let value = try await consent(http, text, key: admin.key).status
        #expect(value == .ok)
      }
    }
    let log = try await harness.service.store.auditLog()
    #expect(log.records.map(\.actor) == ["backend", "ops"])
  }

  @Test func badBodiesNameTheField() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    try await harness.test { client in
      for (text, fragment) in [
        ("{", "not JSON"), ("[]", "JSON object"), (#"{"granted": false}"#, "unit: missing"),
        (#"{"unit": "", "granted": false}"#, "unit: expected non-empty text"),
        (#"{"unit": 7, "granted": false}"#, "unit: expected non-empty text"),
        (#"{"unit": "u"}"#, "granted: expected true or false"),
        (#"{"unit": "u", "granted": "no"}"#, "granted: expected true or false"),
        (#"{"unit": "u", "granted": false, "why": 1}"#, "why: unknown field"),
        (#"{"unit": "\#(String(repeating: "x", count: 600))", "granted": false}"#, "longer than 512 bytes"),
      ] {
        let response = try await consent(client, text)
        #expect(response.status == .badRequest, "\(text)")
        let message = try response.body.json["error"]?["message"]
        guard case .string(let message)? = message else {
          Issue.record("no error message for \(text)")
          continue
        }
        #expect(message.contains(fragment), "\(message)")
      }
    }
    #expect(try await harness.service.store.auditLog().records.isEmpty)
  }

  @Test func exposuresAndEventsOfAWithdrawnUnitAreRefusedAndCounted() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    try await harness.test { client in
      let assigned = try await client.execute(
        uri: "/v1/assign", method: .post, headers: jsonHeaders,
        body: body(#"{"units": [{"unit": "u-1"}, {"unit": "u-2"}], "experiment": "banner-on"}"#))
      guard case .array(let items)? = try assigned.body.json["assignments"],
        case .string(let first)? = items.first?["variant"], case .string(let second)? = items.last?["variant"]
      else {
        Issue.record("assignments expected")
        return
      }
      do {
        let value = try await consent(client, #"{"unit": "u-1", "granted": false}"#).status
        #expect(value == .ok)
      }
      let exposures = try await client.execute(
        uri: "/v1/exposures", method: .post, headers: jsonHeaders,
        body: body(
          #"{"exposures": [{"id": "e1", "experiment": "banner-on", "unit": "u-1", "variant": "\#(first)"}, "#
            + #"{"id": "e2", "experiment": "banner-on", "unit": "u-2", "variant": "\#(second)"}]}"#))
      #expect(exposures.status == .ok)
      #expect(try exposures.body.json["stored"] == .integer(1))
      #expect(try exposures.body.json["refused_no_consent"] == .integer(1))
      let events = try await client.execute(
        uri: "/v1/events", method: .post, headers: jsonHeaders,
        body: body(
          #"{"events": [{"id": "v1", "unit": "u-1", "metric": "renewed", "value": 1}, "#
            + #"{"id": "v2", "unit": "u-1", "metric": "renewed", "value": 1}]}"#))
      #expect(events.status == .ok)
      #expect(try events.body.json["refused_no_consent"] == .integer(2))
    }
    let counts = try await harness.service.store.refusedCounts()
    #expect(
      counts == [
        RefusedItemCount(kind: "event", subject: "renewed", count: 2),
        RefusedItemCount(kind: "exposure", subject: "banner-on", count: 1),
      ])
  }
}
