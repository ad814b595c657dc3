import StrataAssignment
import StrataDiscovery
import StrataStats
import StrataTestSupport
import Testing

@Suite("One-hot k-means beside k-prototypes; Ward on a seeded sample")
struct CategoricalEncodingTests {
  /// Three groups in two numbers and a plan level that mostly follows the group, 1,800 units.
  static func audience() -> Audience {
    var random = SplitMix64(seed: 5)
    let centres: [(Double, Double, String)] = [(5, 40, "basic"), (30, 12, "gold"), (18, 70, "family")]
    var units: [String] = []
    var a: [Double] = []
    var b: [Double] = []
    var plan: [String?] = []
    for i in 0..<1_800 {
      let centre = centres[i % 3]
      units.append("m\(i)")
      a.append(centre.0 + Double.random(in: -6...6, using: &random))
      b.append(centre.1 + Double.random(in: -15...15, using: &random))
      let noisy = Double.random(in: 0..<1, using: &random) < 0.2
      plan.append(noisy ? centres[(i + 1) % 3].2 : centre.2)
    }
    return Audience(
      units: units, numericNames: ["checkins", "tenure"], numeric: [a, b], categoricalNames: ["plan"],
      categorical: [plan])
  }

  @Test("one-hot: k-means on the scaled numbers and each level times √(γ/2); the frozen rule's agreement is measured")
  func oneHot() throws {
    let audience = Self.audience()
    let options = try DiscoveryOptions(
      clusterCounts: 3...3, seed: 9, splitSalt: "enc", categoricalEncoding: .oneHot)
    let result = try SegmentDiscovery.run(audience, options: options)
    #expect(result.methodName == "k-means (categorical features one-hot)")
    let gamma = try #require(result.gamma)
    #expect(abs(gamma - 0.5) < 1e-12, "z-scores: half the mean standard deviation")
    // The same k-means on an embedding built here from the result's scales.
    let index = Dictionary(uniqueKeysWithValues: audience.units.enumerated().map { ($1, $0) })
    let levels = ["basic", "family", "gold"]
    var rows: [[Double]] = []
    for unit in result.discoveryUnits {
      let i = try #require(index[unit])
      var row = [0, 1].map { f in (audience.numeric[f][i] - result.scales[f].center) / result.scales[f].scale }
      row += levels.map { $0 == audience.categorical[0][i] ? (gamma / 2).squareRoot() : 0 }
      rows.append(row)
    }
    let fit = try KMeans(clusterCount: 3, restarts: options.restarts).fit(
      FeatureMatrix(rows: rows), generator: try SeededGenerator(seed: options.seed(clusterCount: 3)))
    #expect(
      abs(fit.inertia - result.chosen.inertia) <= 1e-9 * fit.inertia, "\(fit.inertia) vs \(result.chosen.inertia)")
    // The agreement it reports is what the assignment engine does with the frozen definition.
    let experiment = try result.experiment(template: nil, id: "enc", unit: "unit_id")
    var agreeing = 0
    for (unit, label) in zip(result.discoveryUnits, result.discoveryLabels) {
      let i = try #require(index[unit])
      let attributes: [String: AttributeValue] = [
        "checkins": .number(audience.numeric[0][i]), "tenure": .number(audience.numeric[1][i]),
        "plan": .string(audience.categorical[0][i] ?? ""),
      ]
      if experiment.assign(unit: unit, attributes: attributes).segment == "segment_\(label + 1)" { agreeing += 1 }
    }
    #expect(agreeing == Int((result.ruleAgreement * Double(result.clusteredCount)).rounded()))
    #expect(result.ruleAgreement > 0.9)
    #expect(result.ruleAgreementSentence.contains("of the \(result.clusteredCount) clustered discovery units"))
  }

  @Test("k-prototypes stays the default, and its frozen rule agrees with every unit")
  func kPrototypesDefault() throws {
    let options = try DiscoveryOptions(clusterCounts: 3...3, seed: 9, splitSalt: "enc")
    #expect(options.categoricalEncoding == .kPrototypes)
    let result = try SegmentDiscovery.run(Self.audience(), options: options)
    #expect(result.methodName == "k-prototypes")
    #expect(result.ruleAgreement == 1)
  }

  @Test("Ward beyond --ward-sample: the tree on a seeded sample, the same on every run; too small a sample is refused")
  func wardSample() throws {
    let audience = SegmentDiscoveryTests.audience(count: 1_000, seed: 3)
    let options = try DiscoveryOptions(
      clusterCounts: 2...4, seed: 6, splitSalt: "w", method: .ward, wardSampleSize: 120)
    let a = try SegmentDiscovery.run(audience, options: options)
    let b = try SegmentDiscovery.run(audience, options: options)
    #expect(a.wardUnits == 120 && a.clusteredCount > 120)
    #expect(a.segments == b.segments && a.candidates == b.candidates)
    #expect(a.segments.map(\.size).reduce(0, +) == a.clusteredCount)
    #expect(a.chosen.clusterCount == 3, "the three planted groups survive the sample")
    let full = try SegmentDiscovery.run(
      audience, options: try DiscoveryOptions(clusterCounts: 2...4, seed: 6, splitSalt: "w", method: .ward))
    #expect(full.wardUnits == full.clusteredCount)
    #expect(throws: DiscoveryError.self) {
      try DiscoveryOptions(clusterCounts: 2...12, splitSalt: "w", method: .ward, wardSampleSize: 12)
    }
    #expect(throws: DiscoveryError.self) { try DiscoveryOptions(splitSalt: "w", wardSampleSize: 5) }
  }
}
