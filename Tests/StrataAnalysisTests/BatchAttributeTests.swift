import Foundation
import StrataAssignment
import StrataTestSupport
import Testing

@testable import StrataAnalysis

/// `strata assign --input` reads attribute cells its own way (short integers straight from the bytes, text made into
/// a `String` once per distinct cell and slot): every row must get the assignment the per-unit path gives the same
/// cells as text.
@Suite("Batch attribute reading")
struct BatchAttributeTests {
  @Test("every row of a batch is assigned as the per-unit path assigns its cells as text")
  func batchMatchesPerUnit() throws {
    let experiment = try Experiment(
      id: "batch-attributes", unit: "unit_id",
      variants: [Variant(key: "a"), Variant(key: "b"), Variant(key: "c")],
      eligibility: try Rule("plan in [\"gold\", \"silver\"] or plan >= \"p\" or score > -2.5"),
      consent: "opt_in",
      segments: [
        Segment(name: "north", rule: try Rule("region == \"north\" and score >= 10")),
        Segment(name: "early", rule: try Rule("region < \"m\"")),
        Segment(name: "mixed", rule: try Rule("tag == 7 or tag == \"seven\"")),
        Segment(name: "rest"),
      ])
    var random = SplitMix64(seed: 17)
    // Text columns with more distinct values than a slot keeps, long ones past the kept length, non-ASCII and
    // invalid UTF-8; number columns with text, decimals, exponents, long integers and signs.
    let plans =
      ["gold", "silver", "bronze", "platinum", "", "pro", "trial", "GOLD", "gold ", "zeta", "p", "o"]
      + (0..<20).map { "plan-\($0)" } + [String(repeating: "x", count: 40), "pr\u{E9}mium", "\u{1F3CB}"]
    let regions = ["north", "south", "east", "west", "", "n\u{F6}rd", "m", "l", "north-east", "NORTH"]
    let scores = [
      "0", "10", "-3", "-2", "11.5", "1e1", "-0", "007", "n/a", "", "123456789012345", "1234567890123456", "-",
      "2.", "9999999999999999999",
    ]
    let tags = ["7", "7.0", "seven", "Seven", "", "true", "8"]
    let optIns = ["true", "TRUE", "1", "0", "false", "yes", ""]
    func pick(_ values: [String]) -> String { values[Int(random.next() % UInt64(values.count))] }
    func cell(_ text: String) -> String {
      text.contains(",") || text.contains("\"") ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
    var rows: [[String: String]] = []
    var bytes = Array("unit_id,opt_in,plan,region,score,tag\n".utf8)
    for index in 0..<3_000 {
      let row = [
        "unit_id": "u\(index)", "opt_in": pick(optIns), "plan": pick(plans), "region": pick(regions),
        "score": pick(scores), "tag": pick(tags),
      ]
      rows.append(row)
      let line = ["unit_id", "opt_in", "plan", "region", "score", "tag"].map { cell(row[$0]!) }.joined(separator: ",")
      bytes += Array(line.utf8)
      if index % 97 == 5 {
        bytes.append(0xFF)  // invalid UTF-8 at the end of the tag cell, which text reads as U+FFFD
        rows[index]["tag"]! += "\u{FFFD}"
      }
      bytes += [0x0A]
    }
    let directory = try makeTemporaryDirectory("strata-batch")
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("units.csv").path
    let output = directory.appendingPathComponent("assigned.csv").path
    try Data(bytes).write(to: URL(fileURLWithPath: input))
    var batch = BatchAssignment(experiment: experiment, inputPath: input, outputPath: output, stratified: false)
    batch.rawCells = true
    let summary = try batch.run()
    #expect(summary.rows == rows.count && summary.badRowCount == 0)
    let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").dropFirst()
    #expect(lines.count == rows.count)
    for (row, line) in zip(rows, lines) {
      var attributes: [String: AttributeValue] = [:]
      for name in experiment.attributeNames where !(row[name] ?? "").isEmpty {
        attributes[name] = .string(row[name]!)
      }
      let expected = experiment.assign(unit: row["unit_id"]!, attributes: attributes)
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      let got = [fields[1], fields[2], fields[3], fields[5]]
      let want = [
        expected.segment ?? "", expected.variant ?? "", expected.bucket.map(String.init) ?? "",
        expected.reason.rawValue,
      ]
      #expect(got == want, "\(row)")
    }
  }

  @Test("short integers are read from the bytes as the number grammar reads them")
  func shortIntegers() {
    for text in [
      "0", "-0", "7", "007", "-12", "123456789012345", "-123456789012345", "1234567890123456", "-", "1-", "+1", "1.0",
      "1e3", " 1", "1a",
    ] {
      let bytes = Array(text.utf8)
      let fast = bytes.withUnsafeBufferPointer { AttributeRowReader.shortInteger($0) }
      let grammar = AttributeValue.parseNumber(bytes)
      if let fast {
        #expect(fast.bitPattern == grammar?.bitPattern, "\(text)")
      } else {
        #expect(!(text.allSatisfy { $0.isASCII && $0.isNumber } && text.count <= 15), "\(text)")
      }
    }
  }
}
