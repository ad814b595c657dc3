import Foundation
import StrataTestSupport
import Testing

/// The CLI (which reads ids and attributes as bytes) against the published spec vectors, which the
/// independent Python implementation wrote.
@Suite("strata assign against the spec vectors")
struct AssignVectorCLITests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  @Test("the gym-renewal batch of assignment-cases.json comes out row for row; a repeated id is a bad row")
  func gymRenewalBatch() throws {
    let fixture = Self.root.appendingPathComponent("Tests/StrataAssignmentTests/Fixtures/assignment-cases.json")
    let document = try JSONSerialization.jsonObject(with: Data(contentsOf: fixture)) as? [String: Any] ?? [:]
    let batches = document["stratified"] as? [[String: Any]] ?? []
    let batch = try #require(batches.first { $0["experiment"] as? String == "gym-renewal" })
    let units = batch["units"] as? [[String: Any]] ?? []
    let expected = batch["expected"] as? [[String: Any]] ?? []
    #expect(units.count > 50 && units.count == expected.count)

    let directory = try makeTemporaryDirectory("strata-strat")
    // The same definition as the fixture's "gym-renewal" experiment.
    let yaml = """
      id: gym-renewal
      salt: gym-renewal-2026
      unit: unit
      variants: [control, reminder_progress, reminder_social]
      segments:
        - {name: high, rule: "checkins_90d >= 24"}
        - {name: medium, rule: "checkins_90d >= 8"}
        - {name: low}
      """
    let definition = directory.appendingPathComponent("gym.yaml")
    try yaml.write(to: definition, atomically: true, encoding: .utf8)
    var csv = "unit,checkins_90d\n"
    for unit in units {
      let attributes = unit["attributes"] as? [String: Any] ?? [:]
      let value = attributes["checkins_90d"].map { "\($0)" } ?? ""
      csv += "\(unit["unit"] as? String ?? ""),\(value)\n"
    }
    let repeated = units.first?["unit"] as? String ?? ""
    csv += "\(repeated),99\n"  // line units.count + 2: the same id again
    let input = directory.appendingPathComponent("units.csv")
    try csv.write(to: input, atomically: true, encoding: .utf8)
    let output = directory.appendingPathComponent("out.csv")
    let run = try runStrata([
      "assign", "--experiment", definition.path, "--input", input.path, "--output", output.path, "--stratified",
      "--json",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let lines = (try run.json()["bad_row_lines"] as? [[String: Any]] ?? []).compactMap { $0["line"] as? Int }
    #expect(lines == [units.count + 2])
    let rows = try String(contentsOf: output, encoding: .utf8).split(separator: "\n").dropFirst().map {
      $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
    #expect(rows.count == expected.count)
    for (row, want) in zip(rows, expected) {
      #expect(row[1] == (want["segment"] as? String ?? ""), "\(row)")
      #expect(row[2] == (want["variant"] as? String ?? ""), "\(row)")
      #expect(row[3] == (want["bucket"] as? Int).map(String.init) ?? "", "\(row)")
      #expect(row[5] == (want["reason"] as? String ?? ""), "\(row)")
    }
  }

  @Test("online CSV batch: the email-layered cases (consent, eligibility, holdout, layer) come out row for row")
  func emailLayeredOnline() throws {
    let fixture = Self.root.appendingPathComponent("Tests/StrataAssignmentTests/Fixtures/assignment-cases.json")
    let document = try JSONSerialization.jsonObject(with: Data(contentsOf: fixture)) as? [String: Any] ?? [:]
    let cases = (document["cases"] as? [[String: Any]] ?? []).filter {
      $0["experiment"] as? String == "email-layered" && !($0["unit"] as? String ?? "").isEmpty
        && !($0["unit"] as? String ?? "").contains(where: { $0 == "," || $0 == "\"" || $0 == " " })
    }
    #expect(cases.count > 100)
    let directory = try makeTemporaryDirectory("strata-online")
    // The same definition as the fixture's "email-layered" experiment.
    let yaml = """
      id: email-layered
      salt: email-subject-q3
      unit: unit
      variants:
        - {key: control, weight: 2}
        - {key: question, weight: 1}
        - {key: urgency, weight: 1}
      layer: {name: email-layer, buckets: [2500, 7500]}
      holdout: {salt: global-holdout-2026, share: 0.1}
      eligibility: 'country in ["US", "CA"] and age >= 18'
      consent: email_opt_in
      segments:
        - {name: new, rule: "tenure_days < 30"}
        - {name: established}
      """
    let definition = directory.appendingPathComponent("email.yaml")
    try yaml.write(to: definition, atomically: true, encoding: .utf8)
    // Attribute values as CSV text, decoded with their JSON types kept apart (a JSON true is "true").
    struct Typed: Decodable {
      var cases: [Case]
      struct Case: Decodable {
        var experiment: String
        var unit: String
        var attributes: [String: Text]
      }
      struct Text: Decodable {
        var text: String
        init(from decoder: any Decoder) throws {
          let container = try decoder.singleValueContainer()
          if let string = try? container.decode(String.self) {
            text = string
          } else if let flag = try? container.decode(Bool.self) {
            text = flag ? "true" : "false"
          } else {
            let number = try container.decode(Double.self)
            text = number == Double(Int(number)) ? String(Int(number)) : "\(number)"
          }
        }
      }
    }
    let typed = try JSONDecoder().decode(Typed.self, from: Data(contentsOf: fixture)).cases
    // The same filter as `cases`, in the same order (ids compared by bytes: Swift's String equality
    // would merge "é" and "e\u{301}", which the spec keeps apart).
    let typedCases = typed.filter {
      $0.experiment == "email-layered" && !$0.unit.isEmpty
        && !$0.unit.contains(where: { $0 == "," || $0 == "\"" || $0 == " " })
    }
    #expect(typedCases.count == cases.count)
    let columns = ["email_opt_in", "country", "age", "tenure_days"]
    var csv = "unit," + columns.joined(separator: ",") + "\n"
    for c in typedCases {
      csv += c.unit + "," + columns.map { c.attributes[$0]?.text ?? "" }.joined(separator: ",") + "\n"
    }
    let input = directory.appendingPathComponent("units.csv")
    try csv.write(to: input, atomically: true, encoding: .utf8)
    let output = directory.appendingPathComponent("out.csv")
    let run = try runStrata(["assign", "--experiment", definition.path, "--input", input.path, "--output", output.path])
    #expect(run.status == 0, "\(run.stderr)")
    let rows = try String(contentsOf: output, encoding: .utf8).split(separator: "\n").dropFirst().map {
      $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
    #expect(rows.count == cases.count)
    for (row, c) in zip(rows, cases) {
      let want = c["expected"] as? [String: Any] ?? [:]
      #expect(row[1] == (want["segment"] as? String ?? ""), "\(row)")
      #expect(row[2] == (want["variant"] as? String ?? ""), "\(row)")
      #expect(row[3] == (want["bucket"] as? Int).map(String.init) ?? "", "\(row)")
      #expect(row[5] == (want["reason"] as? String ?? ""), "\(row)")
    }
  }
}
