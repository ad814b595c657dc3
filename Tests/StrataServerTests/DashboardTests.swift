import Foundation
import Hummingbird
import HummingbirdTesting
import StrataAnalysis
import StrataReport
import StrataStats
import Testing

@testable import StrataServer

@Suite struct DashboardTests {
  /// A definition whose texts try to break out of the HTML.
  static let hostile = """
    id: hostile-names
    name: "<script>alert('name')</script> & \\"friends\\""
    hypothesis: "</p><img src=x onerror=alert(1)>"
    unit: user_id
    salt: hostile-names
    variants:
      - key: control
        description: "<b>bold</b> control"
      - key: treatment
        description: "\\u202Eevil\\" onmouseover=\\"alert(2)"
    metrics:
      - name: clicked
        kind: binomial
        role: primary
        missing: zero
    """

  @Test func dashboardShowsEveryExperimentsLiveStatusAndNeverRecordsALook() async throws {
    let harness = try TestService(extra: ["hostile.yaml": DashboardTests.hostile])
    defer { harness.remove() }
    let units = try ResultsTests.units(harness, count: 1200)
    try await harness.test { client in
      let empty = try await client.execute(uri: "/", method: .get)
      #expect(empty.status == .ok)
      #expect(empty.headers[.contentType] == "text/html; charset=utf-8")
      let before = String(buffer: empty.body)
      #expect(before.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
      #expect(before.contains("No data yet"))
      #expect(before.contains("Empty: no consent change or erasure recorded yet"))
      #expect(!before.contains("<script") && !before.contains("src=\"http"))

      try await ResultsTests.send(units, client)
      // One exposure of the hostile experiment, so its variants (and their descriptions) are listed.
      let assigned = try await client.execute(
        uri: "/v1/assign", method: .post, headers: jsonHeaders,
        body: body(#"{"experiment": "hostile-names", "units": [{"unit": "h-1"}]}"#))
      guard case .array(let items)? = try assigned.body.json["assignments"],
        case .string(let variant)? = items.first?["variant"]
      else {
        Issue.record("no assignment: \(String(buffer: assigned.body))")
        return
      }
      let exposed = try await client.execute(
        uri: "/v1/exposures", method: .post, headers: jsonHeaders,
        body: body(
          #"{"exposures": [{"id": "h", "experiment": "hostile-names", "unit": "h-1", "variant": "\#(variant)"}]}"#))
      #expect(exposed.status == .ok)
      let withdrawn = try await client.execute(
        uri: "/v1/consent", method: .post, headers: jsonHeaders, body: body(#"{"unit": "M-999999", "granted": false}"#))
      #expect(withdrawn.status == .ok)
      let results = try await client.execute(uri: "/v1/experiments/gym-renewal-2026/results", method: .get)
      guard case .string(let headline)? = try results.body.json["verdict"]?["headline"] else {
        Issue.record("the results have no headline")
        return
      }
      let page = try await client.execute(uri: "/", method: .get)
      #expect(page.status == .ok)
      let html = String(buffer: page.body)
      // The decision is the live results' own headline; the view is interim and says so.
      #expect(html.contains(ReportHTML.escape(headline)))
      #expect(html.contains("Interim view, not a planned look."))
      #expect(html.contains("<strong>Do not act on interim numbers</strong>"))
      #expect(html.contains("Current results per segment: renewed"))
      #expect(html.contains("None recorded yet (3 planned)"))
      // Exposures and events per variant, as sent.
      for variant in ["control", "reminder_progress", "reminder_social"] {
        let sent = units.filter { $0.variant == variant }
        let events = sent.filter { $0.renewed == 1 }.count * 2
        #expect(
          html.contains(
            "<td class=\"num\" data-label=\"Units exposed\">\(NumberText.count(sent.count))</td><td class=\"num\" data-label=\"Repeated exposures\">0</td><td class=\"num\" data-label=\"Events\">\(NumberText.count(events))</td>"
          ), "\(variant)")
      }
      #expect(html.contains("href=\"v1/experiments/gym-renewal-2026/results.html\""))
      #expect(html.contains("href=\"v1/experiments/gym-renewal-2026/results\""))
      #expect(html.contains("Intact: 1 records"))
      #expect(html.contains("Units that withdrew consent</dt><dd>1 "))
      // User-provided names are escaped, bidi overrides shown and never applied.
      #expect(!html.contains("<script>") && !html.contains("<img") && !html.contains("<b>bold"))
      #expect(html.contains("&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt; &amp; &quot;friends&quot;"))
      #expect(html.contains("&lt;b&gt;bold&lt;/b&gt; control"))
      #expect(!html.contains("\u{202E}"))
      #expect(!html.contains("\" onmouseover=\""))
      // Viewing is never a look.
      #expect(try await harness.service.store.looks(experiment: "gym-renewal-2026").isEmpty)
      let look = try await client.execute(uri: "/v1/experiments/gym-renewal-2026/looks", method: .post)
      #expect(look.status == .ok)
      let after = String(buffer: try await client.execute(uri: "/", method: .get).body)
      #expect(after.contains("Look 1 of 3"))
      #expect(after.contains("At planned look 1 of 3."))
    }
    #expect(try await harness.service.store.looks(experiment: "gym-renewal-2026").map(\.look) == [1])
  }

  @Test func dashboardNeedsAViewerKey() async throws {
    let viewer = "strata_viewer_dashboard-test-key"
    let harness = try TestService(keys: [
      APIKey(name: "viewer", role: .viewer, sha256: APIKey.digest(of: viewer), created: "now")
    ])
    defer { harness.remove() }
    try await harness.test { client in
      #expect(try await client.execute(uri: "/", method: .get).status == .unauthorized)
      let page = try await client.execute(uri: "/", method: .get, headers: [.authorization: "Bearer \(viewer)"])
      #expect(page.status == .ok)
      #expect(page.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'none'") == true)
    }
  }
}
