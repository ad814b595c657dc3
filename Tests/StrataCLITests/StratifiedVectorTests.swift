import Foundation
import StrataTestSupport
import Testing

/// The CLI's stratified batch (which keeps ids as bytes) against the published spec vectors, which the
/// independent Python implementation wrote.
@Suite("strata assign --stratified against the spec vectors")
struct StratifiedVectorTests {
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

    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("strata-strat-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
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
    let run = try runStrata(["assign", "--experiment", definition.path, "--input", input.path, "--output", output.path, "--stratified", "--json"])
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
}
