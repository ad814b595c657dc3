import Foundation
import Hummingbird
import HummingbirdTesting
import StrataAnalysis
import StrataAssignment
import StrataServer
import Testing

@Suite struct OFREPTests {
  /// The gym-renewal definition through the same loader as `strata assign`.
  func gym() throws -> Experiment {
    try ExperimentLoader.load(contentsOf: TestService.fixturesDirectory().appendingPathComponent("gym-renewal.yaml"))
  }

  @Test func singleFlagMatchesTheLibrary() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    let experiment = try gym()
    let hash = try #require(harness.service.catalog["gym-renewal-2026"]?.definitionHash)
    try await harness.test { client in
      for index in 0..<40 {
        let unit = "M-\(1000 + index)"
        let checkins = index * 3
        let response = try await client.execute(
          uri: "/ofrep/v1/evaluate/flags/gym-renewal-2026", method: .post, headers: jsonHeaders,
          body: body(
            """
            {"context": {"targetingKey": "\(unit)", "marketing_opt_in": \(index % 7 != 0), "membership_months": 14,
             "status": "active", "checkins_90d": \(checkins)}}
            """))
        #expect(response.status == .ok)
        let json = try response.body.json
        let expected = experiment.assign(
          unit: unit,
          attributes: [
            "marketing_opt_in": .string(index % 7 != 0 ? "true" : "false"), "membership_months": "14",
            "status": "active", "checkins_90d": .string(String(checkins)),
          ])
        #expect(json["key"] == .string("gym-renewal-2026"))
        #expect(json["metadata"]?["strata_definition_hash"] == .string(hash))
        #expect(json["metadata"]?["strata_reason"] == .string(expected.reason.rawValue))
        #expect(json["metadata"]?["strata_segment"] == expected.segment.map(JSON.string))
        #expect(json["metadata"]?["strata_bucket"] == expected.bucket.map(JSON.integer))
        if let variant = expected.variant {
          #expect(json["reason"] == .string("SPLIT"))
          #expect(json["variant"] == .string(variant))
          #expect(json["value"] == .string(variant), "no value: in the definition → the key as text")
        } else {
          #expect(json["value"] == nil, "excluded units get the code default")
          #expect(json["reason"] == .string("TARGETING_MATCH"))
          #expect(json["variant"] == .string("strata:\(expected.reason.rawValue)"))
        }
      }
    }
  }

  @Test func typedValuesComeFromTheDefinition() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    try await harness.test { client in
      func evaluate(_ flag: String, _ context: String) async throws -> JSON {
        let response = try await client.execute(
          uri: "/ofrep/v1/evaluate/flags/\(flag)", method: .post, headers: jsonHeaders,
          body: body("{\"context\": \(context)}"))
        #expect(response.status == .ok)
        return try response.body.json
      }
      let banner = try await evaluate("banner-on", #"{"targetingKey": "u-1"}"#)
      #expect(banner["value"] == .bool(banner["variant"] == .string("shown")))
      let price = try await evaluate("price-factor", #"{"targetingKey": "u-1", "region": "eu"}"#)
      #expect(price["value"] == .number(price["variant"] == .string("list") ? 1.0 : 0.85))
      let outside = try await evaluate("price-factor", #"{"targetingKey": "u-1", "region": "us"}"#)
      #expect(outside["value"] == nil)
      #expect(outside["metadata"]?["strata_reason"] == .string("not_eligible"))
      let email = try await evaluate(
        "email-subject-values", #"{"targetingKey": "s-9", "email_opt_in": true, "tenure_months": 30}"#)
      guard case .object(let members)? = email["value"] else {
        Issue.record("object value expected: \(email)")
        return
      }
      #expect(members.map(\.0).prefix(2) == ["template", "subject"])
      #expect(email["metadata"]?["strata_segment"] == .string("loyal"))
      // Integers stay integers (an OpenFeature integer flag).
      var sawInteger = false
      for index in 0..<30 {
        let discount = try await evaluate("discount-percent", "{\"targetingKey\": \"d-\(index)\"}")
        if case .integer? = discount["value"] { sawInteger = true }
        if discount["value"] == nil { #expect(discount["metadata"]?["strata_reason"] == .string("holdout")) }
      }
      #expect(sawInteger)
    }
  }

  @Test func errorsHaveTheProtocolsShape() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    try await harness.test { client in
      func post(_ uri: String, _ text: String) async throws -> (HTTPResponse.Status, JSON) {
        let response = try await client.execute(uri: uri, method: .post, headers: jsonHeaders, body: body(text))
        return (response.status, try response.body.json)
      }
      let flag = "/ofrep/v1/evaluate/flags/banner-on"
      var (status, json) = try await post(flag, "{not json")
      #expect(status == .badRequest)
      #expect(json["errorCode"] == .string("PARSE_ERROR"))
      #expect(json["key"] == .string("banner-on"))
      (status, json) = try await post(flag, #"{"context": {"plan": "gold"}}"#)
      #expect(status == .badRequest)
      #expect(json["errorCode"] == .string("TARGETING_KEY_MISSING"))
      (status, json) = try await post(flag, #"{"context": {"targetingKey": 42}}"#)
      #expect(json["errorCode"] == .string("INVALID_CONTEXT"))
      (status, json) = try await post(flag, #"{"context": []}"#)
      #expect(json["errorCode"] == .string("INVALID_CONTEXT"))
      (status, json) = try await post(
        "/ofrep/v1/evaluate/flags/price-factor", #"{"context": {"targetingKey": "u", "region": {"a": 1}}}"#)
      #expect(status == .badRequest)
      #expect(json["errorCode"] == .string("INVALID_CONTEXT"))
      (status, json) = try await post("/ofrep/v1/evaluate/flags/no-such-flag", #"{"context": {"targetingKey": "u"}}"#)
      #expect(status == .notFound)
      #expect(json["errorCode"] == .string("FLAG_NOT_FOUND"))
      #expect(json["key"] == .string("no-such-flag"))
      (status, json) = try await post("/ofrep/v1/evaluate/flags", #"{"context": {}}"#)
      #expect(status == .badRequest)
      #expect(json["errorCode"] == .string("TARGETING_KEY_MISSING"))
      #expect(json["key"] == nil)
      let large = String(repeating: "x", count: 70_000)
      (status, json) = try await post(flag, "{\"context\": {\"targetingKey\": \"\(large)\"}}")
      #expect(status == .contentTooLarge)
      #expect(json["errorDetails"] != nil)
    }
  }

  @Test func bulkEvaluationRevalidatesWithItsETag() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    try await harness.test { client in
      let context = #"{"context": {"targetingKey": "M-1", "region": "eu", "email_opt_in": true, "tenure_months": 5}}"#
      let first = try await client.execute(
        uri: "/ofrep/v1/evaluate/flags", method: .post, headers: jsonHeaders, body: body(context))
      #expect(first.status == .ok)
      let etag = try #require(first.headers[.eTag])
      #expect(etag.hasPrefix("\"") && !etag.hasPrefix("W/"))
      guard case .array(let flags)? = try first.body.json["flags"] else {
        Issue.record("flags expected")
        return
      }
      #expect(flags.count == 6)
      var headers = jsonHeaders
      headers[.ifNoneMatch] = etag
      let second = try await client.execute(
        uri: "/ofrep/v1/evaluate/flags", method: .post, headers: headers, body: body(context))
      #expect(second.status == .notModified)
      #expect(second.body.readableBytes == 0)
      // Another context is another answer.
      let other = try await client.execute(
        uri: "/ofrep/v1/evaluate/flags", method: .post, headers: headers,
        body: body(#"{"context": {"targetingKey": "M-2"}}"#))
      #expect(other.status == .ok)
      #expect(other.headers[.eTag] != etag)
    }
  }

  @Test func unknownRoutesAnswerInTheirProtocolsShape() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    try await harness.test { client in
      let ofrep = try await client.execute(
        uri: "/ofrep/v1/evaluate/flags/a/b", method: .post, body: body(#"{"context": {"targetingKey": "u"}}"#))
      #expect(ofrep.status == .notFound)
      #expect(try ofrep.body.json["errorCode"] == .string("FLAG_NOT_FOUND"))
      #expect(try ofrep.body.json["key"] == .string("a/b"))
      let native = try await client.execute(uri: "/v1/nothing", method: .get)
      #expect(native.status == .notFound)
      #expect(try native.body.json["error"]?["code"] == .string("not_found"))
    }
  }
}
