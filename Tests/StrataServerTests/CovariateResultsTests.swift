import Foundation
import HummingbirdTesting
import StrataServer
import Testing

/// A definition with pre-period covariates is served, but its live results are refused with a sentence.
///
/// The service stores exposures and events: values from after the first exposure. A metric's `covariate:` or
/// `covariates:` is a value from before it, which those tables cannot hold, so the live results of such an
/// experiment are refused with a sentence (409 `not_analysable`), while assignment and ingestion work as usual
/// (docs/service.md, "Live results and planned looks").
@Suite("strata serve: live results of a definition with pre-period covariates")
struct CovariateResultsTests {
  static func definition(id: String, adjustment: String) -> String {
    """
    id: \(id)
    unit: unit_id
    salt: \(id)
    variants:
      - key: control
      - key: treatment
    metrics:
      - name: spend
        kind: continuous
        missing: zero
        \(adjustment)
    plan:
      alpha: 0.05
      power: 0.8
      mde: 1
      relative: false
      sides: 2

    """
  }

  @Test(arguments: [
    ("cuped-live", "covariate: {column: spend_before, missing: zero}", "has a covariate"),
    ("lin-live", "covariates: [visits_before, spend_before]", "declares covariates:"),
  ])
  func resultsAreRefusedWithASentence(_ id: String, _ adjustment: String, _ fragment: String) async throws {
    let harness = try TestService(only: [], extra: ["\(id).yaml": Self.definition(id: id, adjustment: adjustment)])
    defer { harness.remove() }
    try await harness.test { client in
      let variant = try await Self.variant(client, id)
      let exposure = """
        {"exposures": [{"id": "x-1", "experiment": "\(id)", "unit": "u-1", "variant": "\(variant)"}]}
        """
      let stored = try await client.execute(uri: "/v1/exposures", method: .post, body: body(exposure))
      #expect(stored.status == .ok)
      let events = #"{"events": [{"id": "e-1", "unit": "u-1", "metric": "spend", "value": 12.5}]}"#
      #expect(try await client.execute(uri: "/v1/events", method: .post, body: body(events)).status == .ok)
      let results = try await client.execute(uri: "/v1/experiments/\(id)/results", method: .get)
      #expect(results.status == .conflict)
      let json = try results.body.json
      #expect(json["error"]?["code"] == .string("not_analysable"))
      guard case .string(let message)? = json["error"]?["message"] else {
        Issue.record("no error message")
        return
      }
      #expect(message.contains(fragment) && message.contains("spend"), "\(message)")
    }
  }

  /// The variant the definition assigns unit u-1 (an exposure must name it).
  static func variant(_ client: any TestClientProtocol, _ id: String) async throws -> String {
    let response = try await client.execute(uri: "/v1/assign", method: .post, body: body(#"{"unit": "u-1"}"#))
    guard case .array(let items)? = try response.body.json["assignments"],
      let item = items.first(where: { $0["experiment"] == .string(id) }), case .string(let variant)? = item["variant"]
    else { throw CocoaError(.coderValueNotFound) }
    return variant
  }
}
