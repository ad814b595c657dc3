import Foundation
import StrataAnalysis
import StrataStats
import StrataTestSupport
import Testing

/// Ratio and CUPED comparisons read from a unit-level file's cells equal the estimators run on the units
/// themselves, per segment; the overall estimate is post-stratified.
@Suite("Adjusted comparisons from cell statistics")
struct AdjustedComparerTests {
  static let columns = ["revenue", "orders", "revenue_before", "orders_before"]

  static func plan() -> AnalysisPlan {
    var plan = AnalysisPlan(
      id: "basket", variants: ["control", "a", "b"], segments: ["new", "loyal"],
      metrics: columns.map { AnalysisPlan.Metric(name: $0, kind: .continuous, role: .secondary, missing: .zero) })
    plan.crossProducts = (0..<4).flatMap { i in ((i + 1)..<4).map { AnalysisPlan.CrossProduct(first: i, second: $0) } }
    return plan
  }

  /// Units per (variant, segment): [revenue, orders, revenue before, orders before]; some orders are 0.
  static func units() -> [String: [[Double]]] {
    var rng = SplitMix64(seed: 42)
    var out: [String: [[Double]]] = [:]
    for (v, variant) in ["control", "a", "b"].enumerated() {
      for segment in ["new", "loyal"] {
        out["\(variant)/\(segment)"] = (0..<(150 + 20 * v)).map { _ in
          let activity = Double(rng.next() % 5)
          let orders = Double(rng.next() % 3) + (activity > 2 ? 1 : 0)
          let before = Double(rng.next() % 3) + (activity > 1 ? 1 : 0)
          let revenue = orders * Double(30 + rng.next() % 40 + UInt64(v) * 3) + activity
          return [revenue, orders, before * Double(30 + rng.next() % 40) + activity, before]
        }
      }
    }
    return out
  }

  @Test("Ratio with a ratio covariate: per segment as the estimators on the units, overall post-stratified")
  func ratioCUPEDFromUnitLevelCells() throws {
    let plan = Self.plan()
    let units = Self.units()
    var text = "unit_id,variant,segment," + Self.columns.joined(separator: ",") + "\n"
    var id = 0
    for (key, rows) in units.sorted(by: { $0.key < $1.key }) {
      let parts = key.split(separator: "/")
      for row in rows {
        id += 1
        text += "u\(id),\(parts[0]),\(parts[1])," + row.map { String($0) }.joined(separator: ",") + "\n"
      }
    }
    let url = try DataReaderTests.file(text)
    let data = try DataReader.read(path: url.path, plan: plan)
    let comparer = AdjustedComparer(plan: plan, target: .init(metric: .ratio, columns: [0, 1, 2, 3]))
    let comparisons = try comparer.comparisons(data.statistics)
    #expect(comparisons.count == 4)
    for comparison in comparisons {
      let arms = try ["control", "a", "b"].map {
        try MomentMatrix(rows: units["\($0)/\(comparison.segment ?? "")"] ?? [])
      }
      let expected = try CovariateAdjustment(arms: arms, metric: .ratio).result()
      let index = comparison.treatment == "a" ? 1 : 2
      #expect(isClose(comparison.theta, expected.theta, relativeTolerance: 1e-10))
      #expect(isClose(comparison.treatmentArm.estimate, expected.arms[index].estimate, relativeTolerance: 1e-12))
      #expect(isClose(comparison.treatmentArm.variance, expected.arms[index].variance, relativeTolerance: 1e-10))
      #expect(isClose(comparison.control.estimate, expected.arms[0].estimate, relativeTolerance: 1e-12))
      // A weak covariate may even add a little variance in one comparison (θ is pooled over all arms).
      let v = comparison.control.variance + comparison.treatmentArm.variance
      let u = comparison.control.unadjustedVariance + comparison.treatmentArm.unadjustedVariance
      #expect(isClose(comparison.adjusted.varianceReduction, 1 - v / u, relativeTolerance: 1e-12))
      #expect(comparison.unadjusted.varianceReduction == 0)
    }
    let overall = try comparer.overall(comparisons, statistics: data.statistics)
    #expect(overall.count == 2)
    for o in overall {
      let parts = comparisons.filter { $0.treatment == o.treatment }
      let total = Double(units.values.reduce(0) { $0 + $1.count })
      var estimate = 0.0
      for part in parts {
        let n = ["control", "a", "b"].reduce(0.0) { $0 + Double(units["\($1)/\(part.segment ?? "")"]?.count ?? 0) }
        estimate += n / total * part.adjusted.difference
      }
      #expect(isClose(o.postStratified.estimate, estimate, relativeTolerance: 1e-12))
      #expect(o.inverseVariance != nil)
    }
  }

  @Test("A one-column metric's arms equal the moment matrix's estimate bit for bit, and fail where it fails")
  func plainArmsAsTheMomentMatrix() throws {
    var plan = Self.plan()
    plan.segments.append("tiny")
    let units = Self.units()
    var text = "unit_id,variant,segment," + Self.columns.joined(separator: ",") + "\n"
    var id = 0
    for (key, rows) in units.sorted(by: { $0.key < $1.key }) {
      let parts = key.split(separator: "/")
      for row in rows {
        id += 1
        text += "u\(id),\(parts[0]),\(parts[1])," + row.map { String($0) }.joined(separator: ",") + "\n"
      }
    }
    // One unit in the control of "tiny": that segment has no estimate.
    text += "u\(id + 1),control,tiny,1,1,1,1\nu\(id + 2),a,tiny,2,1,1,1\nu\(id + 3),a,tiny,3,1,1,1\n"
    let data = try DataReader.read(path: try DataReaderTests.file(text).path, plan: plan)
    for column in 0..<2 {
      let comparer = AdjustedComparer(plan: plan, target: .init(metric: .mean, columns: [column]))
      for segment in [0, 1, 2, nil] as [Int?] {
        let expected = Result { () throws(StatsError) in
          try (0..<3).map { (variant) throws(StatsError) in
            try DeltaMetric.mean.estimate(
              data.statistics.momentMatrix(columns: [column], pairIndices: [[nil]], variant: variant, segment: segment))
          }
        }
        let found = Result { () throws(StatsError) in try comparer.comparisons(data.statistics, segment: segment) }
        switch (expected, found) {
        case (.success(let arms), .success(let comparisons)):
          #expect(comparisons.count == 2)
          for comparison in comparisons {
            let pairs = [
              (arms[0], comparison.control), (arms[comparison.treatment == "a" ? 1 : 2], comparison.treatmentArm),
            ]
            for (a, b) in pairs {
              #expect(a.count.bitPattern == b.count.bitPattern)
              #expect(a.estimate.bitPattern == b.estimate.bitPattern)
              #expect(a.variance.bitPattern == b.variance.bitPattern)
            }
          }
        case (.failure(let a), .failure(let b)):
          #expect(a == b)
          #expect(segment == 2)
        default:
          Issue.record("segment \(String(describing: segment)): \(expected) against \(found)")
        }
      }
    }
  }

  @Test("A metric whose pairs are not declared is an error naming the columns")
  func missingPair() throws {
    var plan = Self.plan()
    plan.crossProducts = []
    let statistics = SufficientStatistics(plan: plan)
    let comparer = AdjustedComparer(plan: plan, target: .init(metric: .mean, columns: [0, 2]))
    #expect(throws: StatsError.self) { try comparer.comparisons(statistics) }
  }
}
