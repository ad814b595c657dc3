import Foundation
import Hummingbird
import HummingbirdTesting
import StrataAnalysis
import StrataAssignment
import StrataServer
import Testing

@Suite struct NativeAPITests {
  @Test func assignManyUnitsMatchesTheLibrary() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    let experiment = try ExperimentLoader.load(
      contentsOf: TestService.fixturesDirectory().appendingPathComponent("gym-renewal.yaml"))
    let units = (0..<200).map { index in
      (
        "M-\(index)",
        [
          "marketing_opt_in": index % 5 == 0 ? "false" : "true", "membership_months": String(index % 20),
          "status": index % 11 == 0 ? "lapsed" : "active", "checkins_90d": String(index % 40),
        ]
      )
    }
    let list = units.map { unit, attributes in
      "{\"unit\": \"\(unit)\", \"attributes\": {"
        + attributes.map { "\"\($0.key)\": \"\($0.value)\"" }.joined(separator: ", ") + "}}"
    }
    try await harness.test { client in
      let response = try await client.execute(
        uri: "/v1/assign", method: .post, headers: jsonHeaders,
        body: body("{\"experiments\": [\"gym-renewal-2026\"], \"units\": [\(list.joined(separator: ","))]}"))
      #expect(response.status == .ok)
      guard case .array(let items)? = try response.body.json["assignments"] else {
        Issue.record("assignments expected")
        return
      }
      #expect(items.count == units.count)
      for ((unit, attributes), item) in zip(units, items) {
        let expected = experiment.assign(unit: unit, attributes: attributes.mapValues { AttributeValue.string($0) })
        #expect(item["unit"] == .string(unit))
        #expect(item["variant"] == (expected.variant.map(JSON.string) ?? .null))
        #expect(item["segment"] == (expected.segment.map(JSON.string) ?? .null))
        #expect(item["bucket"] == (expected.bucket.map(JSON.integer) ?? .null))
        #expect(item["reason"] == .string(expected.reason.rawValue))
        #expect(item["eligible"] == .bool(expected.eligible))
      }
    }
  }

  @Test func oneUnitInEveryExperiment() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    try await harness.test { client in
      let response = try await client.execute(
        uri: "/v1/assign", method: .post, body: body(#"{"unit": "u-7", "attributes": {"region": "eu"}}"#))
      #expect(response.status == .ok)
      guard case .array(let items)? = try response.body.json["assignments"] else {
        Issue.record("assignments expected")
        return
      }
      #expect(
        items.compactMap { $0["experiment"] } == harness.service.catalog.entries.map { .string($0.experiment.id) })
    }
  }

  @Test func badRequestsNameTheField() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    try await harness.test { client in
      for (text, status, fragment) in [
        ("[1]", HTTPResponse.Status.badRequest, "JSON object"),
        (#"{"units": [{"unit": "a"}, {"unit": ""}]}"#, .badRequest, "units[1].unit"),
        (#"{"unit": "a", "experiments": ["nope"]}"#, .notFound, "experiments[0]"),
        (#"{"unit": "a", "colour": 1}"#, .badRequest, "colour"),
        (
          #"{"unit": "a", "experiment": "price-factor", "attributes": {"region": [1]}}"#, .badRequest,
          "attributes.region"
        ),
        ("{", .badRequest, "not JSON"),
      ] {
        let response = try await client.execute(uri: "/v1/assign", method: .post, body: body(text))
        #expect(response.status == status, "\(text)")
        let message = try response.body.json["error"]?["message"]
        guard case .string(let sentence)? = message else {
          Issue.record("no message for \(text)")
          continue
        }
        #expect(sentence.contains(fragment), "\(sentence)")
      }
    }
  }

  @Test func catalogListsHashesAndRevalidates() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    try await harness.test { client in
      let list = try await client.execute(uri: "/v1/experiments", method: .get)
      #expect(list.status == .ok)
      let json = try list.body.json
      #expect(json["etag"] == .string(harness.service.catalog.etag))
      let etag = try #require(list.headers[.eTag])
      let again = try await client.execute(uri: "/v1/experiments", method: .get, headers: [.ifNoneMatch: etag])
      #expect(again.status == .notModified)
      let one = try await client.execute(uri: "/v1/experiments/banner-on", method: .get)
      #expect(try one.body.json["value_type"] == .string("boolean"))
      #expect(try one.body.json["definition"] != nil)
      let missing = try await client.execute(uri: "/v1/experiments/nope", method: .get)
      #expect(missing.status == .notFound)
    }
  }

  @Test func operationsEndpoints() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    try await harness.test { client in
      #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
      let ready = try await client.execute(uri: "/readyz", method: .get)
      #expect(ready.status == .ok)
      _ = try await client.execute(
        uri: "/ofrep/v1/evaluate/flags/banner-on", method: .post, body: body(#"{"context": {"targetingKey": "a"}}"#))
      let metrics = try await client.execute(uri: "/metrics", method: .get)
      let text = String(buffer: metrics.body)
      #expect(text.contains("strata_evaluations_total{reason=\"assigned\"} 1"))
      #expect(text.contains("strata_http_requests_total"))
      let document = try await client.execute(uri: "/openapi.yaml", method: .get)
      var root = URL(fileURLWithPath: #filePath)
      for _ in 0..<3 { root.deleteLastPathComponent() }
      let committed = try String(contentsOf: root.appendingPathComponent("openapi.yaml"), encoding: .utf8)
      #expect(
        String(buffer: document.body) == committed, "Sources/StrataServer/OpenAPIDocument.swift must match openapi.yaml"
      )
    }
  }
}
