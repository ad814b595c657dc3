import Crypto
import Foundation
import StrataTestSupport
import Testing

@Suite("strata discover: byte-identical output, the full loop, errors")
struct DiscoverCommandTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  static let audience = root.appendingPathComponent("experiments/data/gym-audience.csv").path
  static let plan = root.appendingPathComponent("experiments/gym-class-nudge.yaml").path

  @Test("the same input and seed give a byte-identical definition whose SHA-256 is printed; it validates")
  func deterministic() throws {
    let directory = try makeTemporaryDirectory("strata-discover")
    var outputs: [Data] = []
    var digests: [String] = []
    for name in ["a.yaml", "b.yaml"] {
      let path = directory.appendingPathComponent(name).path
      let run = try runStrata([
        "discover", "--input", Self.audience, "--unit", "member_id", "--features",
        "checkins_90d,tenure_months,classes_90d", "--k", "2..5", "--seed", "7", "--output", path, "--json",
      ])
      #expect(run.status == 0, "\(run.stderr)")
      let object = try run.json()
      let data = try Data(contentsOf: URL(fileURLWithPath: path))
      let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
      #expect(object["definition_sha256"] as? String == digest)
      #expect(object["discovered"] as? Bool == true)
      #expect((object["candidates"] as? [Any])?.count == 4)
      outputs.append(data)
      digests.append(digest)
    }
    #expect(outputs[0] == outputs[1] && digests[0] == digests[1])
    let text = String(decoding: outputs[0], as: UTF8.self)
    #expect(text.contains("segmentation:\n  method: nearest_centroid"))
    #expect(text.contains("seed 7"))
    let validate = try runStrata(["validate", directory.appendingPathComponent("a.yaml").path])
    #expect(validate.status == 0, "\(validate.stderr)")
    let other = directory.appendingPathComponent("c.yaml").path
    let reseeded = try runStrata([
      "discover", "--input", Self.audience, "--unit", "member_id", "--features",
      "checkins_90d,tenure_months,classes_90d", "--k", "2..5", "--seed", "8", "--output", other,
    ])
    #expect(reseeded.status == 0, "\(reseeded.stderr)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: other)) != outputs[0])
  }

  @Test("discover, then assign --stratified balances within the segments, then analyze reports them")
  func fullLoop() throws {
    let directory = try makeTemporaryDirectory("strata-discover")
    let definition = directory.appendingPathComponent("segments.yaml").path
    let confirmation = directory.appendingPathComponent("confirmation.csv").path
    let run = try runStrata([
      "discover", "--input", Self.audience, "--features", "checkins_90d,tenure_months,classes_90d,spend_90d",
      "--from-plan", Self.plan, "--k", "2..5", "--output", definition, "--confirmation-output", confirmation,
      "--json",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let object = try run.json()
    let minimum = try #require(object["min_segment_units"] as? Int)
    #expect(minimum > 100)
    for candidate in try #require(object["candidates"] as? [[String: Any]]) {
      let smallest = try #require(candidate["smallest_segment"] as? Int)
      #expect(candidate["powered"] as? Bool == (smallest >= minimum))
      if candidate["chosen"] as? Bool == true { #expect(smallest >= minimum) }
    }
    let confirmationRows = try String(contentsOfFile: confirmation, encoding: .utf8).split(separator: "\n")
    #expect(
      confirmationRows.first == "member_id,club,checkins_90d,tenure_months,classes_90d,spend_90d,marketing_opt_in")
    #expect(confirmationRows.count - 1 == object["confirmation_units"] as? Int)

    let assignments = directory.appendingPathComponent("assignments.csv").path
    let assign = try runStrata([
      "assign", "--experiment", definition, "--input", confirmation, "--stratified", "--output", assignments,
    ])
    #expect(assign.status == 0, "\(assign.stderr)")
    var counts: [String: [String: Int]] = [:]
    var values: [String: [String: [Double]]] = [:]
    var data = "member_id,variant,segment,booked\n"
    var random = SplitMix64(seed: 99)
    for line in try String(contentsOfFile: assignments, encoding: .utf8).split(separator: "\n").dropFirst() {
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      guard fields[5] == "stratified" else { continue }
      counts[fields[1], default: [:]][fields[2], default: 0] += 1
      let booked = Double.random(in: 0..<1, using: &random) < (fields[1] == "segment_1" ? 0.25 : 0.3) ? 1.0 : 0.0
      values[fields[1], default: [:]][fields[2], default: []].append(booked)
      data += "\(fields[0]),\(fields[2]),\(fields[1]),\(Int(booked))\n"
    }
    let segments = try #require(object["segments"] as? [[String: Any]]).compactMap { $0["name"] as? String }
    #expect(Set(counts.keys) == Set(segments))
    for (segment, byVariant) in counts {
      let values = Array(byVariant.values)
      #expect(values.count == 2 && (values.max() ?? 0) - (values.min() ?? 0) <= 1, "\(segment): \(byVariant)")
    }
    let dataPath = directory.appendingPathComponent("results.csv").path
    try data.write(toFile: dataPath, atomically: true, encoding: .utf8)
    let analyze = try runStrata([
      "analyze", "--experiment", definition, "--data", dataPath, "--json", "--no-look-log",
    ])
    #expect(analyze.status == 0, "\(analyze.stderr)")
    let report = try analyze.json()
    let experiment = try #require(report["experiment"] as? [String: Any])
    #expect(experiment["segments"] as? [String] == segments)
    #expect(experiment["segments_discovered"] as? Bool == true)
    // Each segment against the rest, recomputed here from the raw values (Welch over four arms).
    let contrasts = try #require(report["segment_vs_rest"] as? [[String: Any]])
    #expect(contrasts.count == segments.count)
    let first = try #require(contrasts.first { $0["segment"] as? String == "segment_1" })
    func moments(_ xs: [Double]) -> (n: Double, mean: Double, variance: Double) {
      let n = Double(xs.count)
      let mean = xs.reduce(0, +) / n
      return (n, mean, xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1))
    }
    let here = values["segment_1"] ?? [:]
    let rest = values.filter { $0.key != "segment_1" }.values
    let arms = [
      moments(here["control"] ?? []), moments(here["nudge"] ?? []),
      moments(rest.flatMap { $0["control"] ?? [] }), moments(rest.flatMap { $0["nudge"] ?? [] }),
    ]
    let difference = (arms[1].mean - arms[0].mean) - (arms[3].mean - arms[2].mean)
    let se = arms.map { $0.variance / $0.n }.reduce(0, +).squareRoot()
    #expect(isClose(first["difference"] as? Double ?? .nan, difference, relativeTolerance: 1e-9))
    #expect(isClose(first["statistic"] as? Double ?? .nan, difference / se, relativeTolerance: 1e-9))
  }

  @Test("bad input names the file, line and column (exit 1); bad flags exit 64")
  func errors() throws {
    let directory = try makeTemporaryDirectory("strata-discover")
    let output = directory.appendingPathComponent("out.yaml").path
    func discover(_ csv: String, features: String = "a,b", extra: [String] = []) throws -> StrataRun {
      let input = directory.appendingPathComponent("in-\(UUID().uuidString).csv")
      try csv.write(to: input, atomically: true, encoding: .utf8)
      return try runStrata(
        ["discover", "--input", input.path, "--features", features, "--output", output, "--force"] + extra)
    }
    let missing = try discover("unit_id,a\nu1,1\n")
    #expect(
      missing.status == 1 && missing.stderr.contains(".csv:1: b: the header has no column \"b\""), "\(missing.stderr)")
    let notNumber = try discover("unit_id,a,b\nu1,1,2\nu2,3,12;5\n")
    #expect(
      notNumber.status == 1 && notNumber.stderr.contains(".csv:3: b: \"12;5\" is not a number"), "\(notNumber.stderr)")
    let twice = try discover("unit_id,a,b\nu1,1,2\nu1,3,4\n")
    #expect(twice.status == 1 && twice.stderr.contains(".csv:3: unit_id: unit \"u1\" appears twice"), "\(twice.stderr)")
    let ragged = try discover("unit_id,a,b\nu1,1\n")
    #expect(ragged.status == 1 && ragged.stderr.contains(".csv:2: the row has 2 fields"), "\(ragged.stderr)")
    let tiny = try discover("unit_id,a,b\nu1,1,2\nu2,3,4\n")
    #expect(tiny.status == 1 && tiny.stderr.contains("too few"), "\(tiny.stderr)")
    #expect(try discover("unit_id,a,b\n", extra: ["--k", "1..3"]).status == 1)
    #expect(try discover("unit_id,a,b\n", extra: ["--k", "three"]).status == 64)
    #expect(try discover("unit_id,a,b\n", extra: ["--min-segment-units", "5", "--from-plan", Self.plan]).status == 64)
    #expect(try discover("unit_id,a,b\n", features: "a,,b").status == 1)
    let otherUnit = try discover("unit_id,a,b\n", extra: ["--from-plan", Self.plan, "--unit", "unit_id"])
    #expect(otherUnit.status == 1 && otherUnit.stderr.contains("differs from the unit column"), "\(otherUnit.stderr)")
    #expect(!FileManager.default.fileExists(atPath: output))
  }
}
