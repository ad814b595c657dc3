import Foundation
import StrataAssignment
import StrataDiscovery
import StrataStats
import StrataTestSupport
import Testing

@Suite("Segment discovery: split, scaling, choice of k, freezing")
struct SegmentDiscoveryTests {
  /// Three well separated groups in two features (plus noise), 3,000 units.
  static func audience(count: Int = 3_000, seed: UInt64 = 11) -> Audience {
    var random = SplitMix64(seed: seed)
    let centers: [(Double, Double)] = [(2, 40), (30, 8), (14, 80)]
    var units: [String] = []
    var a: [Double] = []
    var b: [Double] = []
    for i in 0..<count {
      let group = centers[i % 3]
      units.append("m\(i)")
      a.append(group.0 + Double.random(in: -2...2, using: &random))
      b.append(group.1 + Double.random(in: -5...5, using: &random))
    }
    return Audience(units: units, numericNames: ["checkins", "tenure"], numeric: [a, b])
  }

  @Test("finds the three planted groups and freezes them as a rule that places every unit where k-means did")
  func plantedGroups() throws {
    let audience = Self.audience()
    let options = try DiscoveryOptions(clusterCounts: 2...5, seed: 3, splitSalt: "test")
    let result = try SegmentDiscovery.run(audience, options: options)
    #expect(result.chosen.clusterCount == 3)
    #expect(result.candidates.map(\.clusterCount) == [2, 3, 4, 5])
    #expect(result.chosen.silhouette > 0.8)
    #expect(result.segments.map(\.size).reduce(0, +) == result.clusteredCount)
    #expect(result.segments.map(\.size) == result.segments.map(\.size).sorted(by: >))
    let experiment = try result.experiment(template: nil, id: "found", unit: "member_id")
    #expect(experiment.segmentNames == ["segment_1", "segment_2", "segment_3"])
    for (unit, label) in zip(result.discoveryUnits, result.discoveryLabels) {
      guard let index = audience.units.firstIndex(of: unit) else { continue }
      let attributes: [String: AttributeValue] = [
        "checkins": .number(audience.numeric[0][index]), "tenure": .number(audience.numeric[1][index]),
      ]
      #expect(experiment.assign(unit: unit, attributes: attributes).segment == "segment_\(label + 1)")
    }
  }

  @Test("only discovery-half units are clustered; changing the confirmation half changes nothing")
  func honestSplit() throws {
    var audience = Self.audience()
    let options = try DiscoveryOptions(clusterCounts: 2...4, seed: 5, splitSalt: "halves")
    let split = try HonestSplit(salt: "halves")
    let first = try SegmentDiscovery.run(audience, options: options)
    #expect(first.discoveryUnits.allSatisfy { split.half($0) == .discovery })
    #expect(first.discoveryCount + first.confirmationCount == audience.count)
    #expect(abs(first.discoveryCount - audience.count / 2) < 150)
    for index in audience.units.indices where split.half(audience.units[index]) == .confirmation {
      audience.numeric[0][index] = 1_000 + Double(index)
    }
    let second = try SegmentDiscovery.run(audience, options: options)
    #expect(second.segments == first.segments)
    #expect(second.candidates == first.candidates)
  }

  @Test("the same input and seed give the same result; each k's fit does not depend on the others tried")
  func determinism() throws {
    let audience = Self.audience(count: 1_200, seed: 2)
    let a = try SegmentDiscovery.run(audience, options: try DiscoveryOptions(clusterCounts: 2...5, splitSalt: "d"))
    let b = try SegmentDiscovery.run(audience, options: try DiscoveryOptions(clusterCounts: 2...5, splitSalt: "d"))
    #expect(a.candidates == b.candidates && a.segments == b.segments)
    let only4 = try SegmentDiscovery.run(audience, options: try DiscoveryOptions(clusterCounts: 4...4, splitSalt: "d"))
    #expect(only4.candidates.first == a.candidates.first { $0.clusterCount == 4 })
  }

  @Test("a k whose smallest segment is below the minimum is marked and never chosen; none powered is an error")
  func power() throws {
    let audience = Self.audience()
    let result = try SegmentDiscovery.run(
      audience, options: try DiscoveryOptions(clusterCounts: 2...5, minimumSegmentUnits: 480, splitSalt: "p"))
    for candidate in result.candidates {
      #expect(candidate.powered == (candidate.smallestSegment >= 480))
    }
    #expect(result.chosen.powered)
    #expect(result.candidates.contains { !$0.powered })
    #expect(throws: DiscoveryError.self) {
      try SegmentDiscovery.run(
        audience, options: try DiscoveryOptions(clusterCounts: 2...5, minimumSegmentUnits: 5_000, splitSalt: "p"))
    }
  }

  @Test("the silhouette on a seeded sample is reproducible and close to the exact one")
  func silhouetteSample() throws {
    let audience = Self.audience(count: 1_500)
    let exact = try SegmentDiscovery.run(audience, options: try DiscoveryOptions(clusterCounts: 3...3, splitSalt: "s"))
    let options = try DiscoveryOptions(clusterCounts: 3...3, splitSalt: "s", silhouetteSampleSize: 300)
    let sampled = try SegmentDiscovery.run(audience, options: options)
    #expect(sampled.silhouetteCount == 300 && exact.silhouetteCount == exact.clusteredCount)
    #expect(abs(sampled.chosen.silhouette - exact.chosen.silhouette) < 0.05)
    #expect(try SegmentDiscovery.run(audience, options: options).chosen == sampled.chosen)
  }

  @Test("scaling: z-scores use the population sd, robust uses numpy's linear quartiles; missing values")
  func scaling() throws {
    let standard = try FeatureScaling.standard.scale([1, 2, 3, 4, .nan], feature: "x")
    #expect(standard.center == 2.5 && isClose(standard.scale, 1.25.squareRoot(), relativeTolerance: 1e-15))
    let robust = try FeatureScaling.robust.scale([4, 1, 3, 2, .nan], feature: "x")
    #expect(robust.center == 2.5 && robust.scale == 1.5)  // numpy: q75 3.25 − q25 1.75
    #expect(throws: DiscoveryError.self) { try FeatureScaling.standard.scale([3, 3, 3], feature: "x") }
    #expect(throws: DiscoveryError.self) { try FeatureScaling.robust.scale([0, 0, 0, 0, 9], feature: "x") }
    #expect(throws: DiscoveryError.self) { try FeatureScaling.standard.scale([.nan], feature: "x") }
    var audience = Self.audience(count: 900)
    for index in stride(from: 0, to: 900, by: 10) { audience.numeric[1][index] = .nan }
    let imputed = try SegmentDiscovery.run(
      audience, options: try DiscoveryOptions(clusterCounts: 3...3, splitSalt: "m"))
    let dropped = try SegmentDiscovery.run(
      audience, options: try DiscoveryOptions(clusterCounts: 3...3, missing: .drop, splitSalt: "m"))
    #expect(imputed.droppedForMissing == 0 && imputed.missingCounts[1] > 0)
    #expect(dropped.droppedForMissing == imputed.missingCounts[1])
    #expect(dropped.clusteredCount == imputed.clusteredCount - dropped.droppedForMissing)
  }

  @Test("bad options are refused naming the option")
  func options() {
    #expect(throws: DiscoveryError.self) { try DiscoveryOptions(clusterCounts: 1...3, splitSalt: "s") }
    #expect(throws: DiscoveryError.self) { try DiscoveryOptions(seed: 1 << 32, splitSalt: "s") }
    #expect(throws: DiscoveryError.self) { try DiscoveryOptions(restarts: 0, splitSalt: "s") }
    #expect(throws: DiscoveryError.self) { try DiscoveryOptions(splitSalt: "") }
  }

  @Test("the confirmation rows of an input with no header are refused, not written as an empty file")
  func confirmationRowsNeedAHeader() throws {
    let result = try SegmentDiscovery.run(
      Self.audience(count: 300), options: try DiscoveryOptions(clusterCounts: 2...3, seed: 3, splitSalt: "rows"))
    let directory = try makeTemporaryDirectory("confirmation")
    defer { try? FileManager.default.removeItem(at: directory) }
    let empty = directory.appendingPathComponent("empty.csv").path
    let header = directory.appendingPathComponent("header.csv").path
    try Data().write(to: URL(fileURLWithPath: empty))
    try Data("unit_id,checkins,tenure\n".utf8).write(to: URL(fileURLWithPath: header))
    #expect(throws: DiscoveryError.self) {
      try ConfirmationRows.csv(input: empty, unitColumn: "unit_id", result: result)
    }
    let rows = try ConfirmationRows.csv(input: header, unitColumn: "unit_id", result: result)
    #expect(String(decoding: rows, as: UTF8.self) == "unit_id,checkins,tenure\n")
  }
}
