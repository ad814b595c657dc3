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
}
