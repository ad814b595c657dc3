import Foundation
import StrataAnalysis
import StrataStats
import StrataTestSupport
import Testing

struct PlantedCase: Decodable, Sendable {
  struct Comparison: Decodable, Sendable {
    var variant: String
    var converted_test: String
    var converted_z: Double?
    var converted_p: Double
    var rate_control, rate_treatment: Double
    var spend_t, spend_df, spend_p: Double
    var spend_n_control, spend_n_treatment: Double
  }
  var segment: String?
  var observed: [Int]
  var srm_statistic, srm_p: Double
  var comparisons: [Comparison]
}

/// The done-when test of `strata analyze`: on data with planted effects and one planted SRM (written by
/// Scripts/fixtures/analyze_scipy.py), the analysis recovers them and its p-values match scipy/statsmodels
/// computed on the same rows.
@Suite("Analyze on planted data")
struct AnalyzePlantedTests {
  static let plan = AnalysisPlan(
    id: "planted", variants: ["control", "t1", "t2"], segments: ["a", "b", "c", "d"],
    metrics: [
      AnalysisPlan.Metric(name: "converted", kind: .binomial, role: .primary, missing: .zero),
      AnalysisPlan.Metric(name: "spend", kind: .continuous, role: .secondary, missing: .exclude),
    ])

  static func analysis() throws -> Analysis {
    let url = try #require(
      Bundle.module.url(forResource: "analyze_planted", withExtension: "csv", subdirectory: "Fixtures"))
    let data = try DataReader.read(path: url.path, plan: plan)
    return try Analyzer(plan: plan).analyze(data)
  }

  @Test func pValuesMatchScipyOnTheSameRows() throws {
    let analysis = try Self.analysis()
    let cases = try Fixture<PlantedCase>.load("analyze_scipy", from: .module)
    #expect(cases.count == 5)
    for c in cases {
      let srmRow =
        c.segment.map { segment in analysis.sampleRatio.segments.first { $0.segment == segment } }
        ?? analysis.sampleRatio.overall
      let row = try #require(srmRow)
      #expect(row.observed == c.observed)
      #expect(isClose(row.statistic, c.srm_statistic, relativeTolerance: 1e-10))
      #expect(isClose(row.pValue, c.srm_p, relativeTolerance: 1e-9))
      for expected in c.comparisons {
        let converted = try #require(
          analysis.metrics[0].comparisons.first { $0.segment == c.segment && $0.treatment == expected.variant })
        #expect(converted.test == expected.converted_test, "segment \(c.segment ?? "all") \(expected.variant)")
        #expect(
          isClose(converted.pValue ?? .nan, expected.converted_p, relativeTolerance: 1e-9),
          "segment \(c.segment ?? "all") \(expected.variant)")
        if let z = expected.converted_z { #expect(isClose(converted.statistic ?? .nan, z, relativeTolerance: 1e-10)) }
        #expect(isClose(converted.control.mean, expected.rate_control, relativeTolerance: 1e-12))
        #expect(isClose(converted.treatmentArm.mean, expected.rate_treatment, relativeTolerance: 1e-12))
        let spend = try #require(
          analysis.metrics[1].comparisons.first { $0.segment == c.segment && $0.treatment == expected.variant })
        #expect(spend.control.count == expected.spend_n_control)
        #expect(spend.treatmentArm.count == expected.spend_n_treatment)
        // Welford sums vs numpy's two-pass variance: agreement to ~1e-12 relative; p-values through GSL's t tail.
        #expect(isClose(spend.statistic ?? .nan, expected.spend_t, relativeTolerance: 1e-9))
        #expect(isClose(spend.degreesOfFreedom ?? .nan, expected.spend_df, relativeTolerance: 1e-9))
        #expect(isClose(spend.pValue ?? .nan, expected.spend_p, relativeTolerance: 1e-7))
      }
    }
  }

  struct PooledReference: Decodable {
    struct Entry: Decodable {
      var variant: String; var odds_ratio, cmh_statistic, cmh_p, breslow_day, breslow_day_p: Double
    }
    var pooled: [Entry]
  }

  /// The pooled binomial estimates over the four segments against statsmodels' StratifiedTable.
  @Test func pooledTestsMatchStatsmodels() throws {
    let analysis = try Self.analysis()
    let url = try #require(
      Bundle.module.url(forResource: "analyze_scipy", withExtension: "json", subdirectory: "Fixtures"))
    let reference = try JSONDecoder().decode(PooledReference.self, from: Data(contentsOf: url))
    #expect(reference.pooled.count == 2)
    for expected in reference.pooled {
      let pooled = try #require(analysis.metrics[0].pooled.first { $0.treatment == expected.variant })
      #expect(pooled.segmentsUsed == ["a", "b", "c", "d"])
      #expect(isClose(pooled.oddsRatio ?? .nan, expected.odds_ratio, relativeTolerance: 1e-12))
      #expect(
        isClose(pooled.cochranMantelHaenszel?.statistic ?? .nan, expected.cmh_statistic, relativeTolerance: 1e-10))
      #expect(isClose(pooled.cochranMantelHaenszel?.pValue ?? .nan, expected.cmh_p, relativeTolerance: 1e-9))
      #expect(isClose(pooled.breslowDay?.statistic ?? .nan, expected.breslow_day, relativeTolerance: 1e-8))
      #expect(isClose(pooled.breslowDay?.pValue ?? .nan, expected.breslow_day_p, relativeTolerance: 1e-7))
    }
  }

  @Test func theFamilyCanSpanEveryNonGuardrailMetric() throws {
    var plan = Self.plan
    plan.family = .allMetrics
    plan.correction = .benjaminiHochberg
    let url = try #require(
      Bundle.module.url(forResource: "analyze_planted", withExtension: "csv", subdirectory: "Fixtures"))
    let analysis = try Analyzer(plan: plan).analyze(try DataReader.read(path: url.path, plan: plan))
    #expect(analysis.family.size == 16)
    #expect(analysis.family.metrics == ["converted", "spend"])
    let members = analysis.metrics.flatMap(\.comparisons).filter(\.inFamily)
    #expect(members.count == 16)
    let raw = members.map { $0.pValue ?? 1 }
    let expected = try MultipleTestingCorrection.benjaminiHochberg.adjust(raw)
    #expect(zip(members, expected).allSatisfy { isClose($0.adjustedPValue ?? .nan, $1, relativeTolerance: 1e-15) })
  }

  @Test func recoversThePlantedEffectsAndTheSampleRatioMismatch() throws {
    let analysis = try Self.analysis()
    #expect(analysis.sampleRatio.mismatch)
    #expect(analysis.sampleRatio.segments.filter(\.mismatch).compactMap(\.segment) == ["c"])
    #expect(analysis.decision.action == .doNotTrust)
    let winners = analysis.metrics[0].comparisons.filter { $0.inFamily && $0.significant }.map {
      "\($0.segment ?? "")/\($0.treatment)"
    }
    #expect(Set(winners) == ["a/t1", "b/t2"])
    #expect(analysis.family.size == 8)
    #expect(analysis.metrics[0].comparisons.filter(\.inFamily).allSatisfy { $0.segment != nil })
    let spendWinners = analysis.metrics[1].comparisons.filter { $0.segment != nil && $0.significant }.map {
      "\($0.segment ?? "")/\($0.treatment)"
    }
    #expect(spendWinners.contains("a/t1"))
    // Segment d is tiny: Fisher's exact test, and its effects cannot be significant.
    #expect(analysis.metrics[0].comparisons(segment: "d").allSatisfy { $0.test == "fisher" && !$0.significant })
    // The planted effects differ by segment, so heterogeneity is detected for t1 and t2.
    for pooled in analysis.metrics[0].pooled {
      #expect((pooled.heterogeneity.pValue ?? 1) < 0.05, "\(pooled.treatment)")
    }
  }
}
