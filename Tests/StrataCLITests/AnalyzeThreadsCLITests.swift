import Foundation
import StrataTestSupport
import Testing

/// `strata analyze --threads N`: the output of a file larger than one chunk (8 MiB) does not depend on N.
@Suite("analyze --threads")
struct AnalyzeThreadsCLITests {
  static let root = packageRootURL()
  static let experiment = root.appendingPathComponent("experiments/gym-renewal.yaml").path
  static let cleanRows = 23400

  /// The bundled example's valid rows 13 times over with fresh member ids (about 10 MB: two chunks), plus a repeated
  /// member and an unknown variant near the end.
  static func bigFile() throws -> String {
    let example = try String(
      contentsOf: root.appendingPathComponent("experiments/data/gym-renewal.csv"), encoding: .utf8)
    var lines = example.split(separator: "\n", omittingEmptySubsequences: true)
    let header = lines.removeFirst()
    // Only the example's valid rows (it has an unknown variant, a bad number and a repeated member).
    var members = Set<Substring>()
    lines = lines.filter { line in
      !line.contains("socail") && !line.contains(",yes,") && members.insert(line.prefix { $0 != "," }).inserted
    }
    #expect(lines.count == cleanRows)
    var text = header + "\n"
    for copy in 0..<13 {
      for line in lines { text += "c\(copy)" + line + "\n" }
    }
    text += "c0" + lines[5] + "\n" + "x1,holdout,low,1,1.00\n"
    let directory = try makeTemporaryDirectory("strata-threads")
    let url = directory.appendingPathComponent("gym-big.csv")
    try Data(text.utf8).write(to: url)
    return url.path
  }

  @Test("--json is byte-identical for 1, 2 and 8 threads; --threads 0 is a usage error")
  func outputDoesNotDependOnThreads() throws {
    let data = try Self.bigFile()
    let size = try FileManager.default.attributesOfItem(atPath: data)[.size] as? Int ?? 0
    #expect(size > 9 << 20)
    var outputs: [String] = []
    for threads in [1, 2, 8] {
      let run = try runStrata(
        [
          "analyze", "--experiment", Self.experiment, "--data", data, "--json", "--no-look-log",
          "--threads", "\(threads)",
        ], environment: ["SOURCE_DATE_EPOCH": "1700000000"])  // the look's time is in the JSON
      #expect(run.status == 0, "\(run.stderr)")
      outputs.append(run.stdout)
    }
    #expect(outputs[1] == outputs[0] && outputs[2] == outputs[0])
    let json = try #require(try JSONSerialization.jsonObject(with: Data(outputs[0].utf8)) as? [String: Any])
    let account = try #require(json["data"] as? [String: Any])
    #expect(account["rows_read"] as? Int == Self.cleanRows * 13 + 2)
    let strict = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", data, "--no-look-log", "--strict", "--threads", "2",
    ])
    #expect(strict.status == 1)
    #expect(strict.stderr.contains("gym-big.csv:\(Self.cleanRows * 13 + 2): row repeats unit"), "\(strict.stderr)")
    let zero = try runStrata(["analyze", "--experiment", Self.experiment, "--data", data, "--threads", "0"])
    #expect(zero.status == 64)
    #expect(zero.stderr.contains("--threads must be between 1 and 1024"))
  }
}
