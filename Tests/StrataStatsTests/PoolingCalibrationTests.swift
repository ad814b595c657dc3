import Foundation
import StrataTestSupport
import Testing

@testable import StrataStats

/// Coverage of the segment intervals at a fixed true spread τ.
///
/// As `strata simulate pooling` measures it (the table in docs/analyze.md, Calibration). Seeded, so each
/// figure is deterministic; the bounds allow the documented figure plus four Monte Carlo SEs, so they fail
/// only when the interval method changes.
@Suite("Partial pooling calibration at a fixed spread")
struct PoolingCalibrationTests {
  @Test("τ = 0.01, 12 segments: Morris's intervals cover at 95 ± 1 points, BLUP ones about 85%")
  func coversWhereSegmentsDiffer() throws {
    let result = try PoolingSimulation(segments: 12, tau: 0.01, campaigns: 400, seed: 21, calibrated: true).run()
    #expect(result.simulation.calibratedMethod == .morris, "the interval analyze quotes")
    let coverage = try #require(result.calibratedCoverage)
    let se = try #require(result.calibratedCoverageStandardError)
    #expect(se < 0.005)
    // Documented (5,000 campaigns): 95.75 ± 0.09 (the flat prior on τ, analyze's interval until
    // 2026-12-04: 94.54 ± 0.11; p(τ) ∝ τ^−½ about 91.4, flat on τ² about 96.3), the BLUP interval about 85.
    #expect(abs(coverage - 0.9575) < 4 * se + 0.001, "coverage \(coverage) ± \(se)")
    #expect(abs(coverage - 0.95) < 0.01 + 4 * se)
    #expect(result.shrunkenCoverage < 0.9, "BLUP coverage \(result.shrunkenCoverage)")
    #expect(abs(result.rawCoverage - 0.95) < 4 * result.rawCoverageStandardError + 0.001)
    // Shrinkage pays: documented 0.281.
    #expect(result.meanSquaredErrorRatio < 0.35)
  }

  @Test("τ = 0, 12 segments: Morris's intervals over-cover (about 99.2%), never under")
  func overCoversWithoutASpread() throws {
    let result = try PoolingSimulation(segments: 12, tau: 0, campaigns: 400, seed: 22, calibrated: true).run()
    let coverage = try #require(result.calibratedCoverage)
    let se = try #require(result.calibratedCoverageStandardError)
    // With no spread every segment's true effect is μ: the shrunken estimate's error is only λₖ times the raw
    // one while the interval is √λₖ times as wide, so the noisiest segments cover almost always. The BLUP
    // interval (τ̂² = 0 in 60% of campaigns) covers about 96.5%, the flat prior on τ 99.3%.
    #expect(abs(coverage - 0.9920) < 4 * se + 0.001, "coverage \(coverage) ± \(se)")
    #expect(coverage > 0.97)
    #expect(result.meanSquaredErrorRatio < 0.1)
  }

  @Test("Two segments: what analyze quotes (raw, Bonferroni over 2) covers every segment and the one it names")
  func twoSegmentsQuoteTheRawAdjustedInterval() throws {
    let result = try PoolingSimulation(segments: 2, tau: 0.02, campaigns: 1000, seed: 23).run()
    #expect(result.quotedInterval == "raw_adjusted")
    // Every segment: each raw interval at 97.5% covers at 97.5% (this run 97.40 ± 0.35); the BLUP one 77.9%.
    let quoted = try #require(result.quotedCoverage)
    #expect(abs(quoted.value - 0.974) < 4 * quoted.standardError + 0.001, "\(quoted)")
    #expect(abs(quoted.value - 0.975) < 4 * quoted.standardError)
    #expect(result.shrunkenCoverage < 0.85)
    // The segment analyze names (largest shrunken estimate): 96.30 ± 0.60 (5,000 campaigns, seed 7: 96.76 ±
    // 0.25); its BLUP interval 93.2 (93.02), its unadjusted raw one 94.0.
    let best = result.selected
    let selected = try #require(best.quotedCoverage)
    #expect(selected == best.rawAdjustedCoverage)
    #expect(best.quotedInterval == "raw_adjusted" && best.calibratedCoverage == nil)
    #expect(best.quotedWidthRatio?.value == 1)
    #expect(abs(selected.value - 0.963) < 4 * selected.standardError + 0.001, "\(selected)")
    #expect(selected.value > 0.95 - selected.standardError)
    #expect(abs(best.shrunkenCoverage.value - 0.932) < 4 * best.shrunkenCoverage.standardError + 0.001)
    // Selection bias: the named segment's raw estimate overstates its effect (+0.69 pp), the shrunken less.
    #expect(best.rawError.value > best.shrunkenError.value + 4 * best.rawError.standardError)
    #expect(best.rawError.value > 4 * best.rawError.standardError)
  }

  @Test("12 segments, τ = 0.005: Morris's interval at 1 − α/K covers the named segment (ties name none)")
  func morrisForTheNamedSegment() throws {
    let result = try PoolingSimulation(segments: 12, tau: 0.005, campaigns: 1000, seed: 24, calibrated: true).run()
    #expect(result.quotedInterval == "morris")
    let quoted = try #require(result.quotedCoverage)
    #expect(abs(quoted.value - (result.calibratedCoverage ?? -1)) < 1e-12)
    // Measured (docs/analyze.md, "The segment analyze names") over every campaign, before 2026-12-05: at the
    // plan's level Morris's interval under-covers the named segment (this run 91.70 ± 0.87; 5,000 campaigns,
    // seed 7: 92.14 ± 0.38), so `analyze` quotes it at 1 − α/K: 98.60 ± 0.37 here (numpy check, seed 3,
    // 2,000 campaigns: 98.65 ± 0.26), 0.778 of the raw adjusted interval's width (numpy 0.779). Since
    // 2026-12-05 the 368 campaigns with τ̂² = 0 name no segment and are left out: over the other 632 this run
    // gives 95.09 ± 0.86 at the plan's level, 100% at 1 − α/K (no miss), 0.872 of the width, raw adjusted
    // 96.99 ± 0.68 (figures of this run, not re-checked against numpy with the ties left out).
    let best = result.selected
    #expect(best.quotedInterval == "morris_adjusted")
    #expect(best.namedCampaigns == 632 && abs(best.noneNamedShare.value - result.tauSquaredZeroShare) < 1e-12)
    let calibrated = try #require(best.calibratedCoverage)
    #expect(abs(calibrated.value - 0.9509) < 1e-3, "\(calibrated)")
    let selected = try #require(best.quotedCoverage)
    #expect(selected.value >= 0.986, "\(selected)")
    #expect(selected.value > 0.95 + 4 * selected.standardError, "the adjusted interval holds 95% for the named one")
    let width = try #require(best.quotedWidthRatio)
    #expect(abs(width.value - 0.872) < 4 * width.standardError + 0.001, "\(width)")
    #expect(abs(best.rawAdjustedCoverage.value - 0.970) < 4 * best.rawAdjustedCoverage.standardError + 0.001)
  }

  @Test("Three segments, τ = 0.005: the hierarchical-Bayes interval at 1 − α/3 covers the named segment")
  func hierarchicalBayesForTheNamedSegment() throws {
    let result = try PoolingSimulation(segments: 3, tau: 0.005, campaigns: 400, seed: 26, calibrated: true).run()
    #expect(result.quotedInterval == "hierarchical_bayes")
    let best = result.selected
    #expect(best.quotedInterval == "hierarchical_bayes_adjusted")
    // This run: 98.50 ± 0.61 at 1 − α/3 (94.75 ± 1.12 at 95%), 0.976 of the raw adjusted width.
    let selected = try #require(best.quotedCoverage)
    #expect(abs(selected.value - 0.985) < 4 * selected.standardError + 0.001, "\(selected)")
    let calibrated = try #require(best.calibratedCoverage)
    #expect(abs(calibrated.value - 0.9475) < 4 * calibrated.standardError + 0.001, "\(calibrated)")
    let width = try #require(best.quotedWidthRatio)
    #expect(width.value < 1 && abs(width.value - 0.976) < 4 * width.standardError + 0.001, "\(width)")
  }

  @Test("Three segments or more without calibrated: nothing quoted is scored")
  func quotedNeedsCalibratedFromThreeSegments() throws {
    let result = try PoolingSimulation(segments: 4, tau: 0.01, campaigns: 20, seed: 25).run()
    #expect(result.quotedInterval == nil && result.quotedCoverage == nil && result.selected.quotedCoverage == nil)
  }
}
