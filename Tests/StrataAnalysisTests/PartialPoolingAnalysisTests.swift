import Foundation
import StrataAnalysis
import StrataStats
import StrataTestSupport
import Testing

/// Partial pooling and Bayesian summaries as `strata analyze` fills them, on the planted-effect data.
@Suite("Partial pooling and Bayesian summaries in the analysis")
struct PartialPoolingAnalysisTests {
  @Test func poolingUsesEachSegmentsLiftAndVariance() throws {
    let analysis = try AnalyzePlantedTests.analysis()
    for metric in analysis.metrics {
      #expect(metric.partialPooling.count == 2, "one model per treatment of \(metric.metric.name)")
      for pooling in metric.partialPooling {
        let comparisons = metric.comparisons.filter { $0.treatment == pooling.treatment && $0.segment != nil }
        #expect(pooling.segments.count + pooling.segmentsLeftOut.count == comparisons.count)
        var estimates: [Double] = []
        var variances: [Double] = []
        for segment in pooling.segments {
          let comparison = try #require(comparisons.first { $0.segment == segment.segment })
          #expect(segment.estimate.raw == comparison.absoluteLift)
          estimates.append(comparison.absoluteLift)
          variances.append(segment.estimate.rawVariance)
          // The unpooled variance is the one behind the segment's own Wald / Welch interval.
          if let interval = comparison.absoluteInterval, comparison.test == "welch" || comparison.test == "z" {
            let halfWidth = (interval.upper - interval.lower) / 2
            let se = segment.estimate.rawVariance.squareRoot()
            if comparison.test == "z" {
              #expect(isClose(halfWidth / se, try Normal.inverseSurvival(0.025), relativeTolerance: 1e-9))
            }
          }
        }
        // The analysis fits exactly the model the statistics layer checks against metafor.
        // The intervals for a chosen segment are adjusted for every treatment × segment pair.
        let direct = try RandomEffectsModel(
          estimates: estimates, variances: variances, calibrated: true,
          variantsCompared: analysis.plan.treatmentIndices.count
        ).result()
        #expect(pooling.model.variantsCompared == analysis.plan.treatmentIndices.count)
        #expect(direct.tauSquared == pooling.model.tauSquared)
        #expect(direct.mean == pooling.model.mean)
        for (s, d) in zip(pooling.segments, direct.shrunken) { #expect(s.estimate == d) }
        if let best = pooling.best() {
          #expect(pooling.segments.allSatisfy { $0.estimate.estimate <= best.estimate.estimate })
        }
      }
    }
  }

  @Test func comparisonsCarryABayesianSummaryOfTheRelativeLift() throws {
    let analysis = try AnalyzePlantedTests.analysis()
    let converted = try #require(analysis.metrics.first { $0.metric.name == "converted" })
    for comparison in converted.comparisons {
      guard let relative = comparison.relativeLift else {
        // No relative lift (control rate 0): the absolute lift instead, with the flat prior.
        let bayes = try #require(comparison.bayesian)
        #expect(comparison.bayesianScale == .absolute && comparison.bayesianPrior == nil)
        #expect(
          isClose(bayes.posteriorMean, comparison.absoluteLift, relativeTolerance: 1e-12, absoluteTolerance: 1e-15))
        continue
      }
      #expect(comparison.bayesianScale == .relative)
      let bayes = try #require(comparison.bayesian)
      // Flat prior: the posterior mean is the observed relative lift, and its interval the delta-method one.
      #expect(isClose(bayes.posteriorMean, relative, relativeTolerance: 1e-12, absoluteTolerance: 1e-15))
      #expect(bayes.chanceToWin > 0 && bayes.chanceToWin < 1)
      #expect((bayes.chanceToWin > 0.5) == (relative > 0))
    }
  }

  @Test func aProperPriorShrinksTheRelativeLift() throws {
    var plan = AnalyzePlantedTests.plan
    plan.prior = 0.01
    let url = try #require(
      Bundle.module.url(forResource: "analyze_planted", withExtension: "csv", subdirectory: "Fixtures"))
    let analysis = try Analyzer(plan: plan).analyze(try DataReader.read(path: url.path, plan: plan))
    let flat = try AnalyzePlantedTests.analysis()
    for (a, b) in zip(analysis.metrics[0].comparisons, flat.metrics[0].comparisons) {
      guard let shrunk = a.bayesian, let raw = b.bayesian, a.bayesianScale == .relative else {
        #expect(a.relativeLift == nil)
        continue
      }
      #expect(a.bayesianPrior == 0.01 && b.bayesianPrior == nil)
      #expect(abs(shrunk.posteriorMean) < abs(raw.posteriorMean))
      #expect(shrunk.posteriorStandardDeviation < raw.posteriorStandardDeviation)
    }
  }
}
