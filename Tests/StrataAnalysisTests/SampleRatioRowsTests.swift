import Foundation
import StrataAnalysis
import StrataStats
import StrataTestSupport
import Testing

/// The sample-ratio rows and the underpowered names that the analyzer works out in place (without the arrays of
/// `ChiSquaredGoodnessOfFitTest` and without a growing set) against the plain computation, bit for bit.
@Suite("Sample-ratio rows and underpowered names in place")
struct SampleRatioRowsTests {
  /// Seeded files of 1 to 40 segments × 2 to 5 variants, uneven planned weights (a weight of 0 in some segments,
  /// with or without units there), empty variants and empty segments.
  static func analyses() throws -> [(AnalysisPlan, Analysis)] {
    var random = SplitMix64(seed: 0x5EED_0017)
    let folder = try makeTemporaryDirectory("srm-rows")
    defer { try? FileManager.default.removeItem(at: folder) }
    var out: [(AnalysisPlan, Analysis)] = []
    for round in 0..<24 {
      let variantCount = 2 + Int(random.next() % 4)
      let segmentCount = 1 + Int(random.next() % 40)
      let variants = (0..<variantCount).map { $0 == 0 ? "control" : "v\($0)" }
      let segments = (0..<segmentCount).map { "s\($0)" }
      let weights = segments.indices.map { segment in
        variants.indices.map { variant -> Double in
          // Every fifth segment plans its last variant at weight 0.
          segment % 5 == 4 && variant == variantCount - 1 ? 0 : Double(1 + random.next() % 3)
        }
      }
      var rows = "unit_id,variant,segment,converted\n"
      var unit = 0
      for (segment, name) in segments.enumerated() where segment % 7 != 6 {
        var segmentUnits = 0
        for variantName in variants {
          // Some arms empty; a stray unit now and then in a variant planned at weight 0 (only beside units in the
          // planned ones: strays alone are `straysAloneAreAMismatch`'s case).
          var count = random.next() % 6 == 0 ? 0 : Int(random.next() % 40)
          if segment % 5 == 4 && variantName == variants[variantCount - 1] && segmentUnits == 0 { count = 0 }
          segmentUnits += count
          for _ in 0..<count {
            rows += "u\(unit),\(variantName),\(name),\(random.next() % 3 == 0 ? 1 : 0)\n"
            unit += 1
          }
        }
      }
      let path = folder.appendingPathComponent("rows-\(round).csv").path
      try rows.write(toFile: path, atomically: true, encoding: .utf8)
      let plan = AnalysisPlan(
        id: "srm-\(round)", variants: variants, segments: segments, segmentWeights: weights,
        metrics: [AnalysisPlan.Metric(name: "converted", kind: .binomial, role: .primary, missing: .zero)],
        plannedUnitsPerVariant: round % 3 == 0 ? nil : 5 + round)
      let data = try DataReader.read(path: path, plan: plan)
      out.append((plan, try Analyzer(plan: plan).analyze(data)))
    }
    return out
  }

  @Test("a segment whose only units are in a variant planned at weight 0: a mismatch row naming it, no stop")
  func straysAloneAreAMismatch() throws {
    let folder = try makeTemporaryDirectory("srm-strays")
    defer { try? FileManager.default.removeItem(at: folder) }
    var rows = "unit_id,variant,segment,converted\n"
    for unit in 0..<150 { rows += "a\(unit),\(["control", "v1", "v2"][unit % 3]),a,\(unit % 4 == 0 ? 1 : 0)\n" }
    for unit in 0..<5 { rows += "b\(unit),v2,b,1\n" }
    let path = folder.appendingPathComponent("strays.csv").path
    try rows.write(toFile: path, atomically: true, encoding: .utf8)
    let plan = AnalysisPlan(
      id: "strays", variants: ["control", "v1", "v2"], segments: ["a", "b"], segmentWeights: [[1, 1, 1], [1, 1, 0]],
      metrics: [AnalysisPlan.Metric(name: "converted", kind: .binomial, role: .primary, missing: .zero)])
    let analysis = try Analyzer(plan: plan).analyze(try DataReader.read(path: path, plan: plan))
    let row = try #require(analysis.sampleRatio.segments.first { $0.segment == "b" })
    #expect(row.observed == [0, 0, 5])
    #expect(row.mismatch)
    #expect(row.note == "Units in variants planned at weight 0: v2.")
    #expect(row.degreesOfFreedom == 0 && row.pValue == 1)
    let a = try #require(analysis.sampleRatio.segments.first { $0.segment == "a" })
    #expect(!a.mismatch && a.degreesOfFreedom == 2)
  }

  @Test func rowsMatchTheGoodnessOfFitTestBitForBit() throws {
    var tested = 0
    for (_, analysis) in try Self.analyses() {
      for row in analysis.sampleRatio.segments + [analysis.sampleRatio.overall] {
        let planned = row.expected.indices.filter { row.expected[$0] > 0 }
        guard planned.count >= 2, row.observed.reduce(0, +) > 0 else { continue }
        let result = try ChiSquaredGoodnessOfFitTest(
          observed: planned.map { Double(row.observed[$0]) }, weights: planned.map { row.expected[$0] }
        ).result()
        #expect(row.statistic.bitPattern == result.test.statistic.bitPattern)
        #expect(row.pValue.bitPattern == result.test.pValue.bitPattern)
        #expect(row.degreesOfFreedom == result.degreesOfFreedom)
        let strays = row.expected.indices.filter { row.expected[$0] == 0 && row.observed[$0] > 0 }
        #expect((row.note != nil) == !strays.isEmpty)
        tested += 1
      }
    }
    #expect(tested > 200)
  }

  @Test func underpoweredNamesAreTheFilterOverTheSet() throws {
    var listed = 0
    for (plan, analysis) in try Self.analyses() {
      for metric in analysis.metrics {
        let names = Set(metric.comparisons.filter(\.underpowered).compactMap(\.segment))
        let found = metric.underpoweredSegments(of: plan.segments)
        #expect(found == (names.isEmpty ? nil : plan.segments.filter { names.contains($0) }))
        listed += found?.count ?? 0
      }
    }
    #expect(listed > 50)
  }
}
