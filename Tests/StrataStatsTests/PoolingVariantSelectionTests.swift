import Testing

@testable import StrataStats

/// `PoolingSimulation` with several variants: `analyze` chooses the variant, then its segment, and quotes
/// the named segment's interval at 1 − α/(V·K) (docs/analyze.md, Calibration, "The variant is chosen too").
@Suite("Partial pooling calibration with several variants")
struct PoolingVariantSelectionTests {
  @Test("One variant reproduces the simulation before --variants existed, digit for digit")
  func oneVariantIsUnchanged() throws {
    let result = try PoolingSimulation(
      segments: 12, tau: 0.005, campaigns: 300, seed: 31, calibrated: true, variants: 1, lead: 0
    ).run()
    // `strata simulate pooling --segments 12 --tau 0.005 --campaigns 300 --seed 31 --calibrated --json` of
    // main 39a798c, before the variants (the same random draws, in the same order); the named segment's
    // scores since 2026-12-05 over the 209 campaigns that name one (the 91 with τ̂² = 0 name none; before,
    // over all 300: 0.8267, 0.9767, 0.9867, 0.7892, 0.00904, 0.00177).
    #expect(result.rawMeanSquaredError == 0.0002610455304200873)
    #expect(result.shrunkenMeanSquaredError == 3.2460957306499084e-05)
    #expect(result.rawCoverage == 0.9488888888888889)
    #expect(result.shrunkenCoverage == 0.8463888888888889)
    #expect(result.calibratedCoverage == 0.9694444444444444)
    #expect(result.tauSquaredZeroShare == 0.30333333333333334)
    let best = result.selected
    #expect(best.namedCampaigns == 209 && abs(best.noneNamedShare.value - result.tauSquaredZeroShare) < 1e-12)
    #expect(best.rawCoverage.value == 0.751196172248804)
    #expect(best.rawAdjustedCoverage.value == 0.9665071770334932)
    #expect(best.quotedCoverage?.value == 1.0)
    #expect(best.quotedWidthRatio?.value == 0.8668703146378748)
    #expect(best.rawError.value == 0.013123468154692251)
    #expect(best.shrunkenError.value == 0.0025560809665789975)
    // With one variant there is nothing more to adjust for: the segments-only figures are the same.
    #expect(best.rawAdjustedSegmentsOnlyCoverage == best.rawAdjustedCoverage)
    #expect(best.quotedSegmentsOnlyCoverage == best.quotedCoverage)
    #expect(result.leaderChosen == nil)
  }

  @Test("15 alike variants, two segments: raw adjusted for K covers about 88%, for V·K about 99%")
  func allAlikeTwoSegments() throws {
    let result = try PoolingSimulation(segments: 2, tau: 0, campaigns: 1000, seed: 41, variants: 15).run()
    let best = result.selected
    #expect(best.quotedInterval == "raw_adjusted")
    let quoted = try #require(best.quotedCoverage)
    let segmentsOnly = try #require(best.quotedSegmentsOnlyCoverage)
    #expect(quoted == best.rawAdjustedCoverage && segmentsOnly == best.rawAdjustedSegmentsOnlyCoverage)
    // Over the campaigns that name a segment (a tie at the top, every τ̂² = 0, names none). Numpy
    // (Benchmarks/pooling_variant_selection_check.py 15 2 0 0 10000 5): none named 68.3%, 85.89 ± 0.62 at
    // 1 − α/K, 98.83 ± 0.19 at 1 − α/(V·K). This run: none named 68.3%, 88.0 ± 1.8 and 99.1 ± 0.5 (over
    // all campaigns before 2026-12-05: numpy 88.41 and 98.98, this run 89.6 and 99.2).
    #expect(abs(best.noneNamedShare.value - 0.683) < 4 * best.noneNamedShare.standardError + 0.003)
    #expect(abs(segmentsOnly.value - 0.8589) < 4 * segmentsOnly.standardError + 0.003, "\(segmentsOnly)")
    #expect(abs(quoted.value - 0.9883) < 4 * quoted.standardError + 0.003, "\(quoted)")
    #expect(quoted.value - segmentsOnly.value > 0.05, "K alone under-covers once the variant is chosen")
    #expect(segmentsOnly.value < 0.95 - 3 * segmentsOnly.standardError)
    // Every variant alike: the first is chosen about 1 in 15.
    let leader = try #require(result.leaderChosen)
    #expect(abs(leader.value - 1.0 / 15) < 4 * leader.standardError, "\(leader)")
  }

  @Test("7 alike variants, four segments: Morris's interval at 1 − α/K covers 91.7%, at 1 − α/(V·K) 98.5%")
  func allAlikeMorris() throws {
    let result = try PoolingSimulation(
      segments: 4, tau: 0, campaigns: 1000, seed: 42, calibrated: true, variants: 7
    ).run()
    let best = result.selected
    #expect(best.quotedInterval == "morris_adjusted")
    let quoted = try #require(best.quotedCoverage)
    let segmentsOnly = try #require(best.quotedSegmentsOnlyCoverage)
    // Over the campaigns that name a segment (none named: numpy 65.3%, this run 68.1 ± 1.5%). Numpy (7 4 0 0
    // 10000 5): Morris 91.68 ± 0.47 at 1 − α/K, 98.50 ± 0.21 at 1 − α/(V·K); raw 86.12 and 97.15. This run:
    // 91.2 and 98.1, raw 83.7 and 97.2 (over all campaigns before 2026-12-05: numpy 95.45 and 99.28, raw 94.30
    // and 98.95). Each campaign's K-only interval lies inside its V·K one (same centre, smaller z), so the
    // K-only coverage can never be the larger.
    #expect(abs(segmentsOnly.value - 0.9168) < 4 * segmentsOnly.standardError + 0.003, "\(segmentsOnly)")
    #expect(abs(quoted.value - 0.9850) < 4 * quoted.standardError + 0.003, "\(quoted)")
    #expect(quoted.value - segmentsOnly.value > 0.02)
    #expect(best.rawAdjustedCoverage.value > best.rawAdjustedSegmentsOnlyCoverage.value)
    let raw = best.rawAdjustedSegmentsOnlyCoverage
    #expect(abs(raw.value - 0.8612) < 4 * raw.standardError + 0.003, "\(raw)")
  }

  @Test("A leader two pooled standard errors ahead is chosen about 90% of the time (7 variants, four segments)")
  func leaderIsUsuallyChosen() throws {
    let result = try PoolingSimulation(segments: 4, tau: 0, campaigns: 400, seed: 43, variants: 7, lead: 2).run()
    let leader = try #require(result.leaderChosen)
    // Numpy (7 4 0 2 10000 5): 90.70 ± 0.29; this run 90.0 ± 1.5.
    #expect(abs(leader.value - 0.907) < 4 * leader.standardError + 0.003, "\(leader)")
  }

  @Test("Variants and lead are validated")
  func validation() throws {
    #expect(throws: StatsError.self) { try PoolingSimulation(segments: 4, variants: 0) }
    #expect(throws: StatsError.self) { try PoolingSimulation(segments: 4, variants: 1_001) }
    #expect(throws: StatsError.self) { try PoolingSimulation(segments: 4, variants: 3, lead: .nan) }
    #expect(throws: StatsError.self) { try PoolingSimulation(segments: 4, variants: 3, lead: -.infinity) }
    #expect(throws: StatsError.self) { try PoolingSimulation(segments: 4, variants: 1, lead: 2) }
    let simulation = try PoolingSimulation(segments: 4, variants: 3, lead: -1.5)
    #expect(simulation.variants == 3 && simulation.lead == -1.5)
  }
}

/// The two choices `analyze` makes, shared by the decision and the simulation.
@Suite("BestChoice")
struct BestChoiceTests {
  @Test("The variant: credible good first, then credible harm, then the best estimate")
  func variant() {
    // Credible and good beats a larger estimate that is not credible.
    #expect(BestChoice.variant(estimates: [0.5, 0.3, 0.2], credible: [false, true, true], higherIsBetter: true) == 1)
    // No credible good one: the largest credible harm.
    #expect(
      BestChoice.variant(estimates: [0.5, -0.3, -0.6], credible: [false, true, true], higherIsBetter: true) == 2)
    // Nothing credible: the best estimate in the good direction.
    #expect(
      BestChoice.variant(estimates: [0.1, -0.3, 0.2], credible: [false, false, false], higherIsBetter: true) == 2)
    #expect(
      BestChoice.variant(estimates: [0.1, -0.3, 0.2], credible: [false, false, false], higherIsBetter: false) == 1)
    // Ties: the first.
    #expect(BestChoice.variant(estimates: [0.2, 0.2], credible: [true, true], higherIsBetter: true) == 0)
    #expect(BestChoice.variant(estimates: [], credible: [], higherIsBetter: true) == nil)
  }

  @Test("Credible by Holm: the step-down stops at the first p-value it cannot reject")
  func holm() {
    // Holm: 0.01 · 3 = 0.03 < 0.05; 0.02 · 2 = 0.04 < 0.05; 0.04 · 1 → max(0.04, 0.04) = 0.04 < 0.05.
    #expect(BestChoice.holmCredible([0.01, 0.02, 0.04], alpha: 0.05).credible == [true, true, true])
    // 0.02 · 3 = 0.06: none.
    #expect(BestChoice.holmCredible([0.02, 0.03, 0.04], alpha: 0.05).credible == [false, false, false])
    // A missing p-value is never credible and counts as 1 in the family.
    let missing = BestChoice.holmCredible([nil, 0.001], alpha: 0.05)
    #expect(missing.credible == [false, true] && missing.adjusted == [1, 0.002])
  }

  @Test("The segment: the largest shrunken estimate in the good direction; none when tied, none of one")
  func segment() {
    #expect(BestChoice.segment([0.1, 0.3, 0.25, 0.2], lowerIsBetter: false) { $0 } == 1)
    #expect(BestChoice.segment([0.1, 0.3, -0.3, -0.2], lowerIsBetter: true) { $0 } == 2)
    #expect(BestChoice.segment([0.1, 0.3, 0.3, 0.2], lowerIsBetter: false) { $0 } == nil)
    #expect(BestChoice.segment([0.1, 0.3, -0.3, -0.3], lowerIsBetter: true) { $0 } == nil)
    #expect(BestChoice.segment([0.1], lowerIsBetter: false) { $0 } == nil)
  }
}
