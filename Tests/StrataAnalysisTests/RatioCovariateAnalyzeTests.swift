import Foundation
import StrataAnalysis
import StrataDefinitions
import StrataStats
import StrataTestSupport
import Testing

/// A definition with a ratio metric (with a ratio covariate) and a CUPED-adjusted mean, analysed from a
/// unit-level file and from the aggregated file of the same units: the same numbers, equal to the
/// reference-checked estimators (`CovariateAdjustment`, `LiftComparison`) run on the units themselves.
@Suite("Ratio and CUPED metrics in analyze")
struct RatioCovariateAnalyzeTests {
  static let yaml = """
    id: basket
    variants: [control, bundle]
    segments:
      - {name: new, rule: "tenure < 6"}
      - {name: loyal}
    metrics:
      - name: revenue_per_order
        kind: ratio
        numerator: revenue
        denominator: orders
        missing: zero
        covariate: {numerator: revenue_before, denominator: orders_before, missing: zero}
      - name: spend
        kind: continuous
        column: revenue
        role: secondary
        missing: zero
        covariate: {column: revenue_before, missing: zero}
    plan:
      mde: 2
      sd: 40
    """

  static let columns = ["revenue", "orders", "revenue_before", "orders_before"]

  /// Units per "variant/segment": [revenue, orders, revenue before, orders before]; some have no orders.
  static func units() -> [String: [[Double]]] {
    var rng = SplitMix64(seed: 7)
    var out: [String: [[Double]]] = [:]
    for (v, variant) in ["control", "bundle"].enumerated() {
      for (s, segment) in ["new", "loyal"].enumerated() {
        out["\(variant)/\(segment)"] = (0..<(200 + 30 * v + 50 * s)).map { _ in
          let habit = Double(rng.next() % 6)
          let orders = Double(rng.next() % 3) + (habit > 3 ? 1 : 0)
          let before = Double(rng.next() % 3) + (habit > 2 ? 1 : 0)
          let basket = Double(20 + rng.next() % 30) + 2 * habit
          let revenue = orders * (basket + Double(v) * 4) + Double(rng.next() % 5)
          return [revenue, orders, before * basket + Double(rng.next() % 5), before]
        }
      }
    }
    return out
  }

  static func unitLevelCSV(_ units: [String: [[Double]]]) -> String {
    var text = "unit_id,variant,segment," + columns.joined(separator: ",") + "\n"
    var id = 0
    for (key, rows) in units.sorted(by: { $0.key < $1.key }) {
      let parts = key.split(separator: "/")
      for row in rows {
        id += 1
        text += "u\(id),\(parts[0]),\(parts[1]),"
        // An empty revenue and orders_before count as 0 (missing: zero).
        text += row.enumerated().map { $0.offset != 1 && $0.element == 0 ? "" : String($0.element) }.joined(
          separator: ",")
        text += "\n"
      }
    }
    return text
  }

  /// The aggregated format by plain summation (no shifts): n, per column _sum/_sum_sq, per pair _x_..._sum.
  static func aggregatedCSV(_ units: [String: [[Double]]], pairs: [(Int, Int)]) -> String {
    var header = ["variant", "segment", "n"]
    for column in columns { header += [column + "_sum", column + "_sum_sq"] }
    for (a, b) in pairs { header.append("\(columns[a])_x_\(columns[b])_sum") }
    var text = header.joined(separator: ",") + "\n"
    for (key, rows) in units.sorted(by: { $0.key < $1.key }) {
      let parts = key.split(separator: "/")
      var fields = [String(parts[0]), String(parts[1]), String(rows.count)]
      for c in columns.indices {
        fields.append(String(rows.reduce(0) { $0 + $1[c] }))
        fields.append(String(rows.reduce(0) { $0 + $1[c] * $1[c] }))
      }
      for (a, b) in pairs { fields.append(String(rows.reduce(0) { $0 + $1[a] * $1[b] })) }
      text += fields.joined(separator: ",") + "\n"
    }
    return text
  }

  static func plan() throws -> AnalysisPlan {
    AnalysisPlan(definition: try ExperimentLoader.loadDefinition(yaml: yaml, file: "basket.yaml"))
  }

  @Test("the plan reads four columns once each and declares their six cross-products")
  func planColumns() throws {
    let plan = try Self.plan()
    #expect(plan.columns.map(\.column) == Self.columns)
    #expect(plan.columnIndices(metric: 0) == [0, 1, 2, 3])
    #expect(plan.columnIndices(metric: 1) == [0, 2])
    #expect(
      plan.crossProducts.map { [$0.first, $0.second] } == [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]])
  }

  @Test("unit-level and aggregated input give the same adjusted results, equal to the estimators on the units")
  func sameFromBothSources() throws {
    let plan = try Self.plan()
    let units = Self.units()
    let unitFile = try DataReaderTests.file(Self.unitLevelCSV(units))
    let pairs = plan.crossProducts.map { ($0.first, $0.second) }
    let aggregatedFile = try DataReaderTests.file(Self.aggregatedCSV(units, pairs: pairs), name: "cells.csv")
    let fromUnits = try Analyzer(plan: plan).analyze(try DataReader.read(path: unitFile.path, plan: plan))
    let fromCells = try Analyzer(plan: plan).analyze(try DataReader.read(path: aggregatedFile.path, plan: plan))
    #expect(fromCells.data.format == .aggregated && fromUnits.data.format == .unitLevel)
    for (metricIndex, metric) in fromUnits.metrics.enumerated() {
      let other = fromCells.metrics[metricIndex]
      #expect(metric.comparisons.count == 3)  // two segments and overall, one treatment
      for (a, b) in zip(metric.comparisons, other.comparisons) {
        #expect(a.segment == b.segment)
        #expect(isClose(a.absoluteLift, b.absoluteLift, relativeTolerance: 1e-9))
        #expect(isClose(a.pValue ?? .nan, b.pValue ?? .nan, relativeTolerance: 1e-8))
        #expect(
          isClose(
            a.adjustment?.varianceReduction ?? .nan, b.adjustment?.varianceReduction ?? .nan, relativeTolerance: 1e-8))
      }
      for (a, b) in zip(metric.postStratified, other.postStratified) {
        #expect(isClose(a.estimate, b.estimate, relativeTolerance: 1e-9))
        #expect(isClose(a.standardError, b.standardError, relativeTolerance: 1e-9))
      }
    }
    // Per segment, the lead numbers are CUPED on the units' own moment matrices.
    for comparison in fromUnits.metrics[0].comparisons {
      let rows = { (variant: String) in
        comparison.segment.map { units["\(variant)/\($0)"] ?? [] }
          ?? ((units["\(variant)/new"] ?? []) + (units["\(variant)/loyal"] ?? []))
      }
      let arms = try ["control", "bundle"].map { try MomentMatrix(rows: rows($0)) }
      let expected = try CovariateAdjustment(arms: arms, metric: .ratio).result()
      let lift = try LiftComparison(control: expected.arms[0], treatment: expected.arms[1]).result()
      let unadjusted = try LiftComparison(control: expected.arms[0].unadjusted, treatment: expected.arms[1].unadjusted)
        .result()
      #expect(comparison.test == "delta-cuped")
      #expect(isClose(comparison.absoluteLift, lift.difference, relativeTolerance: 1e-10))
      #expect(isClose(comparison.pValue ?? .nan, lift.test.pValue, relativeTolerance: 1e-8))
      #expect(isClose(comparison.absoluteInterval?.lower ?? .nan, lift.interval.lower, relativeTolerance: 1e-9))
      #expect(isClose(comparison.relativeLift ?? .nan, lift.relative?.estimate ?? .nan, relativeTolerance: 1e-10))
      #expect(isClose(comparison.control.mean, expected.arms[0].estimate, relativeTolerance: 1e-12))
      #expect(isClose(comparison.adjustment?.theta ?? .nan, expected.theta, relativeTolerance: 1e-9))
      #expect(
        isClose(comparison.adjustment?.unadjusted.difference ?? .nan, unadjusted.difference, relativeTolerance: 1e-10))
      #expect(comparison.adjustment?.varianceReduction ?? 0 > 0.2)  // the covariate is strongly related
    }
    // The post-stratified estimate weights the segments' adjusted differences by their units.
    let segments = fromUnits.metrics[0].comparisons.filter { $0.segment != nil }
    let total = Double(units.values.reduce(0) { $0 + $1.count })
    let weighted = segments.reduce(0.0) { sum, comparison in
      let n = Double(
        (units["control/\(comparison.segment ?? "")"]?.count ?? 0)
          + (units["bundle/\(comparison.segment ?? "")"]?.count ?? 0))
      return sum + n / total * comparison.absoluteLift
    }
    #expect(isClose(fromUnits.metrics[0].postStratified.first?.estimate ?? .nan, weighted, relativeTolerance: 1e-12))
    #expect(fromUnits.metrics[0].pooled.first?.method == "inverse-variance")
  }

  @Test("a covariate missing on units that have the metric stops the analysis, naming the metric and the remedy")
  func missingCovariateIsAnError() throws {
    let yaml = """
      id: basket
      variants: [control, bundle]
      segments: [{name: new, rule: "tenure < 6"}, {name: loyal}]
      metrics:
        - {name: revenue_per_order, kind: ratio, numerator: revenue, denominator: orders, missing: zero}
        - {name: spend, kind: continuous, column: revenue, missing: zero, covariate: revenue_before}
      """
    let plan = AnalysisPlan(definition: try ExperimentLoader.loadDefinition(yaml: yaml, file: "basket.yaml"))
    let file = try DataReaderTests.file(Self.unitLevelCSV(Self.units()))
    let data = try DataReader.read(path: file.path, plan: plan)
    #expect {
      _ = try Analyzer(plan: plan).analyze(data)
    } throws: { error in
      let text = "\(error)"
      return text.contains("metrics[1] (spend)") && text.contains("missing: zero")
    }
  }

  @Test("aggregated input: a metric's column named like a pair's columns stops at line 1, naming the column")
  func aColumnWithTwoMeaningsIsAnError() throws {
    let yaml = """
      id: clash
      variants: [control, bundle]
      metrics:
        - {name: revenue_per_order, kind: ratio, numerator: revenue, denominator: orders, missing: zero}
        - {name: odd, kind: continuous, column: revenue_x_orders, role: secondary}
      """
    let plan = AnalysisPlan(definition: try ExperimentLoader.loadDefinition(yaml: yaml, file: "clash.yaml"))
    var header = "variant,n,revenue_sum,revenue_sum_sq,orders_sum,orders_sum_sq,revenue_x_orders_sum"
    header += ",revenue_x_orders_sum_sq\n"
    let file = try DataReaderTests.file(header + "control,3,1,1,1,1,1,1\nbundle,3,1,1,1,1,1,1\n")
    let error = try #require(throws: DataError.self) { try DataReader.read(path: file.path, plan: plan) }
    #expect(error.line == 1)
    #expect(
      error.message
        == "column \"revenue_x_orders_sum\" would be both the sum of metric \"odd\" and the cross-product of \"revenue\" and \"orders\": rename a column of the definition (column:, or the covariate's) so that every header name has one meaning",
      "\(error)")
  }
}
