import Foundation
import StrataTestSupport
import Testing

@Suite("strata assign / validate / new")
struct AssignCommandTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  static let gym = root.appendingPathComponent("experiments/gym-renewal.yaml").path

  @Test("--json prints exactly the contract's keys; the answer is stable")
  func singleUnitJSON() throws {
    let arguments = [
      "assign", "--experiment", Self.gym, "--unit", "M-1001", "--attr", "marketing_opt_in=true",
      "--attr", "membership_months=14", "--attr", "status=active", "--attr", "checkins_90d=30", "--json",
    ]
    let run = try runStrata(arguments)
    #expect(run.status == 0, "\(run.stderr)")
    let object = try run.json()
    #expect(Set(object.keys) == ["unit", "segment", "variant", "bucket", "eligible", "reason"])
    #expect(object["segment"] as? String == "high" && object["eligible"] as? Bool == true)
    #expect(object["reason"] as? String == "assigned")
    #expect((object["bucket"] as? Int).map { (0..<10_000).contains($0) } == true)
    #expect(try runStrata(arguments).stdout == run.stdout)
    let noConsent = try runStrata(["assign", "--experiment", Self.gym, "--unit", "M-1001", "--json"]).json()
    #expect(noConsent["reason"] as? String == "no_consent" && noConsent["variant"] is NSNull)
  }

  @Test("usage errors exit 64; an invalid experiment file exits 1 naming file and line")
  func exitStatuses() throws {
    #expect(try runStrata(["assign", "--experiment", Self.gym]).status == 64)
    #expect(try runStrata(["assign", "--experiment", Self.gym, "--unit", "a", "--attr", "novalue"]).status == 64)
    #expect(try runStrata(["assign", "--experiment", Self.gym, "--input", "x.csv"]).status == 64)
    let directory = try makeTemporaryDirectory("strata-assign")
    let bad = directory.appendingPathComponent("bad.yaml")
    try "id: x\nvariants: [a, b]\nsegments:\n  - name: s\n    rule: score >> 3\n".write(
      to: bad, atomically: true, encoding: .utf8)
    let run = try runStrata(["assign", "--experiment", bad.path, "--unit", "u"])
    #expect(run.status == 1)
    #expect(run.stderr.contains("bad.yaml:5: segments[0].rule:") && run.stderr.contains("column 8"), "\(run.stderr)")
    let validate = try runStrata(["validate", bad.path, Self.gym])
    #expect(validate.status == 1 && validate.stderr.contains("bad.yaml:5"))
    let allGood = try runStrata(
      ["validate", "--json"]
        + ["gym-renewal", "email-subject", "sms-winback", "fitness-onboarding"].map {
          Self.root.appendingPathComponent("experiments/\($0).yaml").path
        })
    #expect(allGood.status == 0)
    #expect(try allGood.json()["valid"] as? Bool == true)
  }

  @Test("assign does not check that the plan computes (it never reads it); validate and analyze still do")
  func planCheckSkippedByAssign() throws {
    let directory = try makeTemporaryDirectory("strata-assign")
    let base = "id: demo\nvariants: [a, b]\nmetrics:\n  - name: m\n    kind: continuous\n"
    func write(_ name: String, _ plan: String) throws -> String {
      let url = directory.appendingPathComponent(name)
      try (base + plan).write(to: url, atomically: true, encoding: .utf8)
      return url.path
    }
    let input = directory.appendingPathComponent("units.csv")
    try "unit_id,m\nu1,1\nu2,2\nu3,3\n".write(to: input, atomically: true, encoding: .utf8)
    // Each number in range, but together more than 1e16 units per variant: no usable design.
    let unusable = try write("unusable.yaml", "plan:\n  sd: 1000000000\n  mde: 0.001\n")
    let noPlan = try write("noplan.yaml", "")
    let message = "unusable.yaml:6: plan: alpha, power, mde, baseline/sd, looks and fractions together give no usable"
    let validate = try runStrata(["validate", unusable])
    #expect(validate.status == 1 && validate.stderr.contains(message), "\(validate.stderr)")
    let analyze = try runStrata(["analyze", "--experiment", unusable, "--data", input.path])
    #expect(analyze.status == 1 && analyze.stderr.contains(message), "\(analyze.stderr)")
    // assign gives exactly what it gives without a plan: one unit and a batch.
    let one = try runStrata(["assign", "--experiment", unusable, "--unit", "u1", "--json"])
    #expect(one.status == 0, "\(one.stderr)")
    #expect(one.stdout == (try runStrata(["assign", "--experiment", noPlan, "--unit", "u1", "--json"])).stdout)
    var written: [String] = []
    for definition in [unusable, noPlan] {
      let output = directory.appendingPathComponent("out-\(written.count).csv")
      let run = try runStrata(["assign", "--experiment", definition, "--input", input.path, "--output", output.path])
      #expect(run.status == 0, "\(run.stderr)")
      written.append(try String(contentsOf: output, encoding: .utf8))
    }
    #expect(written[0] == written[1] && written[0].split(separator: "\n").count == 4)
    // What the definition's own checks reject, assign still rejects, before writing anything.
    for (name, tail, fragment) in [
      ("alpha.yaml", "plan:\n  alpha: 1.2\n", "alpha.yaml:7: plan.alpha:"),
      ("looks.yaml", "plan:\n  looks: 2\n  fractions: [0.6, 0.5]\n", "looks.yaml:8: plan.fractions[1]:"),
      ("rule.yaml", "segments:\n  - name: s\n    rule: m >> 3\n", "rule.yaml:8: segments[0].rule:"),
    ] {
      let definition = try write(name, tail)
      let output = directory.appendingPathComponent("rejected-\(name).csv")
      for arguments in [["--unit", "u1"], ["--input", input.path, "--output", output.path]] {
        let run = try runStrata(["assign", "--experiment", definition] + arguments)
        #expect(run.status == 1 && run.stderr.contains(fragment), "\(name): \(run.stderr)")
      }
      #expect(!FileManager.default.fileExists(atPath: output.path))
    }
  }

  @Test("a CSV batch: bad rows reported by line and counted, quoted ids kept, counts add up, output atomic")
  func batch() throws {
    let directory = try makeTemporaryDirectory("strata-assign")
    let input = directory.appendingPathComponent("members.csv")
    // With a BOM, as Excel writes.
    var csv = "\u{FEFF}member_id,marketing_opt_in,membership_months,status,checkins_90d\n"
    for index in 0..<300 { csv += "M\(index),true,12,active,\(index % 40)\n" }
    csv += "M-short,true\n"  // line 302: ragged
    csv += ",true,12,active,3\n"  // line 303: empty id
    csv += "\"M,quoted \"\"x\"\"\",true,12,active,30\r\n"  // line 304: quoted id with comma and quotes, CRLF
    csv += "\n"  // blank line: skipped
    csv += "M-open,true,12,active,\"3\n"  // line 306: quote never closed
    try csv.write(to: input, atomically: true, encoding: .utf8)
    let output = directory.appendingPathComponent("out/assignments.csv")
    let run = try runStrata([
      "assign", "--experiment", Self.gym, "--input", input.path, "--output", output.path, "--json",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let summary = try run.json()
    #expect(summary["rows"] as? Int == 304 && summary["bad_rows"] as? Int == 3)
    let lines = (summary["bad_row_lines"] as? [[String: Any]] ?? []).compactMap { $0["line"] as? Int }
    #expect(lines == [302, 303, 306])
    #expect(run.stderr.contains("members.csv:302"))
    #expect((summary["assigned"] as? Int ?? 0) + (summary["excluded"] as? Int ?? 0) == 301)
    let written = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
    #expect(written.count == 302)
    #expect(written[0] == "member_id,segment,variant,bucket,eligible,reason")
    #expect(written.contains { $0.hasPrefix("\"M,quoted \"\"x\"\"\",high,") })
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: output.deletingLastPathComponent().path)
    #expect(leftovers == ["assignments.csv"])
    #expect(
      try runStrata(["assign", "--experiment", Self.gym, "--input", input.path, "--output", output.path, "--strict"])
        .status == 1)
  }

  @Test("--stratified balances each segment exactly and ignores row order")
  func stratified() throws {
    let directory = try makeTemporaryDirectory("strata-assign")
    var rows: [String] = []
    for index in 0..<600 {
      rows.append("S\(index * 7919 % 100_003),true,12,active,\(index % 3 == 0 ? 30 : index % 3 == 1 ? 10 : 2)")
    }
    let header = "member_id,marketing_opt_in,membership_months,status,checkins_90d\n"
    let forward = directory.appendingPathComponent("forward.csv")
    let backward = directory.appendingPathComponent("backward.csv")
    try (header + rows.joined(separator: "\n") + "\n").write(to: forward, atomically: true, encoding: .utf8)
    try (header + rows.reversed().joined(separator: "\n") + "\n").write(to: backward, atomically: true, encoding: .utf8)
    var results: [[String: String]] = []
    for file in [forward, backward] {
      let output = directory.appendingPathComponent(file.lastPathComponent + ".out")
      let run = try runStrata([
        "assign", "--experiment", Self.gym, "--input", file.path, "--output", output.path, "--stratified", "--json",
      ])
      #expect(run.status == 0, "\(run.stderr)")
      for segment in try run.json()["segments"] as? [[String: Any]] ?? [] {
        let counts = (segment["variants"] as? [String: Int] ?? [:]).values
        #expect(counts.count == 3 && (counts.max() ?? 0) - (counts.min() ?? 0) <= 1, "\(segment)")
      }
      var byUnit: [String: String] = [:]
      for line in try String(contentsOf: output, encoding: .utf8).split(separator: "\n").dropFirst() {
        let cells = line.split(separator: ",", omittingEmptySubsequences: false)
        byUnit[String(cells[0])] = cells.dropFirst().joined(separator: ",")
        #expect(cells[5] == "stratified")
      }
      results.append(byUnit)
    }
    #expect(results[0].count == 600 && results[0] == results[1])
  }

  @Test("strata new writes a definition that validates, with the plan's sample size")
  func newExperiment() throws {
    let directory = try makeTemporaryDirectory("strata-assign")
    let path = directory.appendingPathComponent("renewal.yaml").path
    let run = try runStrata([
      "new", "--id", "renewal-test", "--variants", "control,progress,social", "--segment", "high=checkins_90d >= 24",
      "--segment", "low", "--baseline", "0.62", "--mde", "0.05", "--output", path, "--json",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let object = try run.json()
    // R 4.2.2: power.prop.test(p1 = 0.62, p2 = 0.67, sig.level = 0.025, power = 0.8) gives n = 1739.83.
    #expect(object["n_per_variant"] as? Int == 1740 && object["n_total"] as? Int == 5220)
    #expect(try String(contentsOf: URL(fileURLWithPath: path), encoding: .utf8).contains("n_per_variant: 1740"))
    #expect(try runStrata(["validate", path]).status == 0)
    let again = try runStrata(["new", "--id", "renewal-test", "--output", path])
    #expect(again.status == 1 && again.stderr.contains("already exists"))
  }
}
