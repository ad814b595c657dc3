import Foundation
import StrataStats
import StrataTestSupport
import Testing

@testable import StrataAnalysis

/// `AdjustedComparer.arms` (what the post-stratified estimate of a plain metric reads) is nil exactly where
/// `comparisons` throws, and otherwise gives its arms bit for bit, on segments of zero to a few units per arm.
@Suite("Plain metrics' arms without the tests")
struct PlainArmsTests {
  @Test("nil exactly where the comparisons throw, the same arms elsewhere (seeded tiny segments)")
  func armsWhereComparisonsAre() throws {
    let segments = (0..<40).map { "s\($0)" }
    let plan = AnalysisPlan(
      id: "tiny", variants: ["control", "a", "b"], segments: segments,
      metrics: [
        AnalysisPlan.Metric(name: "converted", kind: .binomial, role: .primary, missing: .zero),
        AnalysisPlan.Metric(name: "revenue", kind: .continuous, role: .secondary, missing: .zero),
      ])
    var random = SplitMix64(seed: 0xA2A5)
    var failed = 0
    var found = 0
    for round in 0..<6 {
      var text = "unit_id,variant,segment,converted,revenue\n"
      var id = 0
      for segment in segments {
        for variant in plan.variants {
          // 0 to 4 units; in some arms every unit has the same values.
          let same = random.next() % 4 == 0
          for _ in 0..<Int(random.next() % 5) {
            id += 1
            let converted = same ? 1 : random.next() % 2
            let revenue = same ? 5.0 : Double(random.next() % 1000) / 10
            text += "u\(round)-\(id),\(variant),\(segment),\(converted),\(revenue)\n"
          }
        }
      }
      let data = try DataReader.read(path: try DataReaderTests.file(text).path, plan: plan)
      for column in 0..<2 {
        let comparer = AdjustedComparer(plan: plan, target: .init(metric: .mean, columns: [column]))
        for segment in Array(segments.indices) + [nil] as [Int?] {
          let arms = comparer.arms(data.statistics, segment: segment)
          let comparisons = try? comparer.comparisons(data.statistics, segment: segment)
          #expect((arms == nil) == (comparisons == nil), "segment \(String(describing: segment))")
          guard let arms, let comparisons else {
            failed += 1
            continue
          }
          found += 1
          #expect(arms.count == comparisons.count)
          for (pair, comparison) in zip(arms, comparisons) {
            for (a, b) in [(pair.control, comparison.control), (pair.treatment, comparison.treatmentArm)] {
              #expect(a.count.bitPattern == b.count.bitPattern)
              #expect(a.estimate.bitPattern == b.estimate.bitPattern)
              #expect(a.variance.bitPattern == b.variance.bitPattern)
            }
          }
        }
      }
    }
    // Both outcomes are common: the comparison is not vacuous.
    #expect(failed > 100 && found > 20, "\(failed) without arms, \(found) with")
  }

  @Test("meanEstimateIfValid is nil exactly where meanEstimate throws, and the same bits elsewhere")
  func meanEstimateIfValid() {
    var random = SplitMix64(seed: 0xE571)
    func uniform() -> Double { Double(random.next() >> 11) / Double(1 << 53) }
    let counts: [Double] = [
      0, 1, 1.5, 2, 2.000_000_000_1, 3, 17, 1e6, 9_007_199_254_740_991, 9_007_199_254_740_992, -2, -0.0, .nan,
      .infinity, 4_503_599_627_370_496.5, 0x1p52, 0x1p60,
    ]
    let means: [Double] = [0, -0.0, 1.5, -3e300, .nan, .infinity, -.infinity, .leastNonzeroMagnitude]
    let m2s: [Double] = [0, -0.0, -1e-300, 1, 1e308, .nan, .infinity, -.infinity, .leastNonzeroMagnitude]
    var cases: [(Double, Double, Double)] = []
    for count in counts { for mean in means { for m2 in m2s { cases.append((count, mean, m2)) } } }
    for _ in 0..<20_000 {
      let count =
        random.next() % 3 == 0 ? counts[Int(random.next() % UInt64(counts.count))] : Double(random.next() % 50)
      cases.append((count, (uniform() - 0.5) * 1e3, uniform() * 1e4))
    }
    var valid = 0
    for (count, mean, m2) in cases {
      let quiet = DeltaMetric.meanEstimateIfValid(count: count, mean: mean, m2: m2)
      let thrown = Result { () throws(StatsError) in try DeltaMetric.meanEstimate(count: count, mean: mean, m2: m2) }
      switch (quiet, thrown) {
      case (nil, .failure): continue
      case (let a?, .success(let b)):
        valid += 1
        #expect(a.count.bitPattern == b.count.bitPattern && a.estimate.bitPattern == b.estimate.bitPattern)
        #expect(a.variance.bitPattern == b.variance.bitPattern)
        #expect(a.unadjustedEstimate.bitPattern == b.unadjustedEstimate.bitPattern)
        #expect(a.unadjustedVariance.bitPattern == b.unadjustedVariance.bitPattern)
      default: Issue.record("count \(count), mean \(mean), m2 \(m2): \(String(describing: quiet)) against \(thrown)")
      }
    }
    #expect(valid > 10_000 && valid < cases.count - 500, "\(valid) of \(cases.count) valid")
  }
}
