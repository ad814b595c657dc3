import Foundation
import StrataTestSupport
import Testing

/// `strata discover --method ward` from the command line through the frozen definition, against scipy's `linkage`
/// and scikit-learn's scores of the same discovery half (Scripts/fixtures/discovery_pipeline.py), and `--pca`
/// against scikit-learn's PCA.
@Suite("strata discover --method ward and --pca end to end, against scipy and scikit-learn")
struct DiscoverWardPipelineTests {
  static let fixtures = DiscoverCommandTests.root.appendingPathComponent("Tests/StrataDiscoveryTests/Fixtures")

  static func load(_ name: String) throws -> [String: Any] {
    let data = try Data(contentsOf: fixtures.appendingPathComponent(name))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  /// Writes `rows` ([unit, x1, x2, ...]) as a CSV with `unit_id` and `features` columns.
  static func writeAudience(_ rows: [[Any]], features: [String], to url: URL) throws {
    var text = "unit_id," + features.joined(separator: ",") + "\n"
    for row in rows {
      text += row.map { value in (value as? Double).map { "\($0)" } ?? "\(value)" }.joined(separator: ",") + "\n"
    }
    try text.write(to: url, atomically: true, encoding: .utf8)
  }

  static func close(_ a: Any?, _ b: Any?, _ tolerance: Double = 1e-9) -> Bool {
    guard let a = a as? Double, let b = b as? Double else { return false }
    return abs(a - b) <= tolerance * max(1, abs(b))
  }

  @Test("Ward: every k's scores and sizes equal scipy's cut tree; the frozen rule places the confirmation half")
  func wardAgainstScipy() throws {
    let fixture = try Self.load("ward_pipeline.json")
    let features = try #require(fixture["features"] as? [String])
    let directory = try makeTemporaryDirectory("strata-discover")
    let input = directory.appendingPathComponent("audience.csv")
    try Self.writeAudience(try #require(fixture["rows"] as? [[Any]]), features: features, to: input)
    let definition = directory.appendingPathComponent("segments.yaml").path
    let confirmation = directory.appendingPathComponent("confirmation.csv").path
    let run = try runStrata([
      "discover", "--input", input.path, "--features", features.joined(separator: ","), "--method", "ward",
      "--k", "2..5", "--split-salt", try #require(fixture["salt"] as? String), "--output", definition,
      "--confirmation-output", confirmation, "--json",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let object = try run.json()
    #expect(object["method"] as? String == "Ward")
    #expect(object["clustered_units"] as? Int == fixture["discovery_units"] as? Int)
    #expect(object["ward_units"] as? Int == fixture["discovery_units"] as? Int)
    let ours = try #require(object["candidates"] as? [[String: Any]])
    let scipy = try #require(fixture["candidates"] as? [[String: Any]])
    #expect(ours.count == scipy.count)
    for (a, b) in zip(ours, scipy) {
      #expect(a["k"] as? Int == b["k"] as? Int)
      #expect(Self.close(a["silhouette"], b["silhouette"], 1e-10), "k \(b["k"] ?? 0): silhouette")
      #expect(Self.close(a["davies_bouldin"], b["davies_bouldin"], 1e-10), "k \(b["k"] ?? 0): Davies-Bouldin")
      #expect(Self.close(a["inertia"], b["inertia"]), "k \(b["k"] ?? 0): within sum of squares")
      #expect(a["sizes"] as? [Int] == b["sizes"] as? [Int])
    }
    #expect(object["k"] as? Int == fixture["k"] as? Int)
    let segments = try #require(object["segments"] as? [[String: Any]])
    let expected = try #require(fixture["segments"] as? [[String: Any]])
    #expect(segments.count == expected.count)
    for (a, b) in zip(segments, expected) {
      #expect(a["name"] as? String == b["name"] as? String)
      #expect(a["discovery_units"] as? Int == b["discovery_units"] as? Int)
      let centroid = try #require(a["centroid"] as? [Double])
      let reference = try #require(b["centroid"] as? [Double])
      #expect(zip(centroid, reference).allSatisfy { Self.close($0, $1) }, "\(centroid) vs \(reference)")
    }
    // The frozen definition, through strata assign, places each confirmation unit at its nearest centroid.
    let assignments = directory.appendingPathComponent("assignments.csv").path
    let assign = try runStrata([
      "assign", "--experiment", definition, "--input", confirmation, "--output", assignments,
    ])
    #expect(assign.status == 0, "\(assign.stderr)")
    let lines = try String(contentsOfFile: assignments, encoding: .utf8).split(separator: "\n").map {
      $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
    let header = try #require(lines.first)
    let unitColumn = try #require(header.firstIndex(of: "unit_id") ?? header.firstIndex(of: "unit"))
    let segmentColumn = try #require(header.firstIndex(of: "segment"))
    let nearest = try #require(fixture["confirmation_segments"] as? [String: String])
    #expect(lines.count - 1 == nearest.count)
    var mismatches: [String] = []
    for fields in lines.dropFirst() where nearest[fields[unitColumn]] != fields[segmentColumn] {
      mismatches.append(fields[unitColumn])
    }
    #expect(mismatches.isEmpty, "placed differently from the nearest centroid: \(mismatches.prefix(5))")
    let text = try String(contentsOfFile: definition, encoding: .utf8)
    #expect(text.contains("Ward on \(fixture["discovery_units"] as? Int ?? 0) discovery units"))
    #expect(text.contains("The frozen nearest-centroid rule places"))
  }

  @Test("Ward beyond --ward-sample: the output says the tree was built on a seeded sample; the file is reproducible")
  func wardSample() throws {
    let fixture = try Self.load("ward_pipeline.json")
    let features = try #require(fixture["features"] as? [String])
    let directory = try makeTemporaryDirectory("strata-discover")
    let input = directory.appendingPathComponent("audience.csv")
    try Self.writeAudience(try #require(fixture["rows"] as? [[Any]]), features: features, to: input)
    var files: [Data] = []
    for name in ["a.yaml", "b.yaml"] {
      let output = directory.appendingPathComponent(name).path
      let run = try runStrata([
        "discover", "--input", input.path, "--features", features.joined(separator: ","), "--method", "ward",
        "--ward-sample", "150", "--k", "2..5", "--output", output,
      ])
      #expect(run.status == 0, "\(run.stderr)")
      #expect(run.stdout.contains("Ward's tree on a seeded sample of 150, the rest placed at the nearest cluster mean"))
      files.append(try Data(contentsOf: URL(fileURLWithPath: output)))
    }
    #expect(files[0] == files[1])
    #expect(String(decoding: files[0], as: UTF8.self).contains("seeded sample of 150"))
    let tooSmall = try runStrata([
      "discover", "--input", input.path, "--features", features.joined(separator: ","), "--method", "ward",
      "--ward-sample", "5", "--output", directory.appendingPathComponent("c.yaml").path,
    ])
    #expect(tooSmall.status == 1 && tooSmall.stderr.contains("ward-sample"), "\(tooSmall.stderr)")
  }

  @Test("--pca: the components kept and every explained variance ratio equal scikit-learn's PCA of the same half")
  func pcaAgainstScikitLearn() throws {
    let audience = try #require(try Self.load("pca.json")["audience"] as? [String: Any])
    let features = try #require(audience["features"] as? [String])
    let directory = try makeTemporaryDirectory("strata-discover")
    let input = directory.appendingPathComponent("audience.csv")
    try Self.writeAudience(try #require(audience["rows"] as? [[Any]]), features: features, to: input)
    let run = try runStrata([
      "discover", "--input", input.path, "--features", features.joined(separator: ","), "--pca",
      "\(try #require(audience["share"] as? Double))", "--k", "2..4", "--split-salt",
      try #require(audience["salt"] as? String), "--output", directory.appendingPathComponent("s.yaml").path, "--json",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let object = try run.json()
    #expect(object["clustered_units"] as? Int == audience["discovery_units"] as? Int)
    let pca = try #require(object["pca"] as? [String: Any])
    #expect(pca["components"] as? Int == audience["n_components"] as? Int)
    #expect(pca["of"] as? Int == features.count)
    let ours = try #require(pca["explained_variance_ratio"] as? [Double])
    let theirs = try #require(audience["explained_variance_ratio"] as? [Double])
    #expect(ours.count == theirs.count)
    for (a, b) in zip(ours, theirs) { #expect(abs(a - b) <= 1e-12 + 1e-9 * b, "\(a) vs \(b)") }
    let agreement = try #require(object["rule_agreement"] as? Double)
    #expect(agreement > 0 && agreement <= 1)
    let text = try runStrata([
      "discover", "--input", input.path, "--features", features.joined(separator: ","), "--pca", "0.9", "--k", "2..4",
      "--output", directory.appendingPathComponent("t.yaml").path,
    ])
    #expect(text.stdout.contains("principal components of the scaled features"))
    let bad = try runStrata([
      "discover", "--input", input.path, "--features", features.joined(separator: ","), "--pca", "1.5",
      "--output", directory.appendingPathComponent("u.yaml").path,
    ])
    #expect(bad.status == 1 && bad.stderr.contains("pca"), "\(bad.stderr)")
  }
}
