import StrataAnalysis
import StrataStats
import Testing

/// A segment's planned n when the plan records none comes from the same sizing as `strata plan` and the
/// definition's planned n (R `power.prop.test` / `power.t.test`), with the observed control standing in for
/// a missing baseline or standard deviation.
@Suite("Planned sample size from the observed control")
struct PlannedSampleSizeTests {
  static func analysis(kind: AnalysisPlan.Metric.Kind, mde: Double, control: ColumnMoments, treatment: ColumnMoments)
    throws -> MetricAnalysis
  {
    let plan = AnalysisPlan(
      id: "sizing", variants: ["control", "treatment"], segments: ["all"],
      metrics: [AnalysisPlan.Metric(name: "y", kind: kind, role: .primary, missing: .zero)],
      minimumDetectableEffect: mde)
    var statistics = SufficientStatistics(plan: plan)
    for (variant, column) in [control, treatment].enumerated() {
      statistics.merge(
        SufficientStatistics.Cell(units: Int(column.count), columns: [column]), variant: variant, segment: 0)
    }
    let analysis = try Analyzer(plan: plan).analyze(DataSummary(cells: statistics, source: "memory"))
    return try #require(analysis.metrics.first)
  }

  @Test("a continuous metric: power.t.test with the observed sd (delta 2, sd 10: n = 393.4 → 394)")
  func continuous() throws {
    let control = ColumnMoments(count: 500, mean: 30, m2: 499 * 100, sum: 500 * 30)
    let treatment = ColumnMoments(count: 500, mean: 31, m2: 499 * 100, sum: 500 * 31)
    let metric = try Self.analysis(kind: .continuous, mde: 2, control: control, treatment: treatment)
    let expected = try SampleSizePlan(metric: .mean(standardDeviation: 10, baseline: nil))
      .sampleSize(effect: .absolute(2), power: 0.8)
    #expect(metric.plannedUnitsPerVariant == expected.perVariant)
    #expect(metric.plannedUnitsPerVariant == 394)
  }

  @Test("a 0/1 metric: power.prop.test with the observed control rate (0.20 → 0.25: n = 1093.7 → 1094)")
  func binomial() throws {
    let control = ColumnMoments(count: 2000, sum: 400, sumOfSquares: 400)
    let treatment = ColumnMoments(count: 2000, sum: 460, sumOfSquares: 460)
    let metric = try Self.analysis(kind: .binomial, mde: 0.05, control: control, treatment: treatment)
    let expected = try SampleSizePlan(metric: .proportion(baseline: 0.2)).sampleSize(
      effect: .absolute(0.05), power: 0.8)
    #expect(metric.plannedUnitsPerVariant == expected.perVariant)
    #expect(metric.plannedUnitsPerVariant == 1094)
  }

  @Test("the effect an estimate in hand detects is (z_{1−α/2} + z_power) × its standard error")
  func achievedEffect() throws {
    let effect = try SampleSizePlan.minimumDetectableEffect(
      standardError: 1, alpha: 0.05, alternative: .twoSided, power: 0.8)
    #expect(abs(effect - (1.959_963_984_540_054 + 0.841_621_233_572_914)) < 1e-9)
    let oneSided = try SampleSizePlan.minimumDetectableEffect(
      standardError: 2, alpha: 0.05, alternative: .greater, power: 0.8)
    #expect(abs(oneSided - 2 * (1.644_853_626_951_472 + 0.841_621_233_572_914)) < 1e-9)
  }
}
