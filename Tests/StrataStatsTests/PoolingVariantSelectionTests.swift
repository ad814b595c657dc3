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
    // scores since 2026-12-05 over the campaigns that name one (before, over all 300: 0.8267, 0.9767, 0.9867,
    // 0.7892, 0.00904, 0.00177). Since 2026-12-06 REML follows metafor's Fisher scoring from the Hedges start
    // (docs/analyze.md, "The REML second peak"): one campaign's τ̂² is its likelihood's second peak instead of
    // 0, so 210 name one, not 209 (shrunken MSE 3.2461e-05, coverage 0.84639, zero share 0.30333, named raw
    // 0.75120, adjusted 0.96651, width 0.86687, errors 0.013123 and 0.0025561 before).
    #expect(result.rawMeanSquaredError == 0.0002610455304200873)
    #expect(result.shrunkenMeanSquaredError == 3.251109105742653e-05)
    #expect(result.rawCoverage == 0.9488888888888889)
    #expect(result.shrunkenCoverage == 0.8472222222222222)
    #expect(result.calibratedCoverage == 0.9694444444444444)
    #expect(result.tauSquaredZeroShare == 0.3)
    let best = result.selected
    #expect(best.namedCampaigns == 210 && abs(best.noneNamedShare.value - result.tauSquaredZeroShare) < 1e-12)
    #expect(best.rawCoverage.value == 0.7523809523809519)
    #expect(best.rawAdjustedCoverage.value == 0.966666666666667)
    #expect(best.quotedCoverage?.value == 1.0)
    #expect(best.quotedWidthRatio?.value == 0.8670123426196069)
    #expect(best.rawError.value == 0.013149324320171626)
    #expect(best.shrunkenError.value == 0.0025747675455535302)
    // With one variant there is nothing more to adjust for: the segments-only figures are the same.
    #expect(best.rawAdjustedSegmentsOnlyCoverage == best.rawAdjustedCoverage)
    #expect(best.quotedSegmentsOnlyCoverage == best.quotedCoverage)
    #expect(result.leaderChosen == nil)
  }

  @Test("15 alike variants, two segments: raw adjusted for K covers about 86%, for V·K about 98.5%")
  func allAlikeTwoSegments() throws {
    let result = try PoolingSimulation(segments: 2, tau: 0, campaigns: 2000, seed: 41, variants: 15).run()
    let best = result.selected
    #expect(best.quotedInterval == "raw_adjusted")
    let quoted = try #require(best.quotedCoverage)
    let segmentsOnly = try #require(best.quotedSegmentsOnlyCoverage)
    #expect(quoted == best.rawAdjustedCoverage && segmentsOnly == best.rawAdjustedSegmentsOnlyCoverage)
    // Over the campaigns that name a segment (a tie at the top, every τ̂² = 0, names none), against the
    // independent numpy check (VariantNumpyCheck.fifteenByTwo, 40,000 campaigns: 68.37%, 85.62, 98.51, +2.90
    // and +1.84 pp); this run: none named 68.65%, 85.96 ± 1.39 at 1 − α/K, 99.04 ± 0.39 at 1 − α/(V·K), raw
    // error +3.02 pp, BLUP error +1.91 pp. (Over every campaign, the first segment named on a tie as before
    // 2026-12-05: numpy 88.41 and 98.98 at seed 5.)
    let numpy = VariantNumpyCheck.fifteenByTwo
    let campaigns = result.simulation.campaigns
    #expect(best.namedCampaigns == 627)
    #expect(numpy.agrees(best.noneNamedShare, numpy.noneNamed, over: campaigns), "\(best.noneNamedShare)")
    #expect(numpy.agrees(segmentsOnly, numpy.rawAdjustedSegmentsOnly, over: best.namedCampaigns), "\(segmentsOnly)")
    #expect(numpy.agrees(quoted, numpy.rawAdjusted, over: best.namedCampaigns), "\(quoted)")
    #expect(numpy.agrees(best.rawError, numpy.rawError), "\(best.rawError)")
    #expect(numpy.agrees(best.shrunkenError, numpy.shrunkenError), "\(best.shrunkenError)")
    #expect(quoted.value - segmentsOnly.value > 0.05, "K alone under-covers once the variant is chosen")
    #expect(segmentsOnly.value < 0.95 - 3 * segmentsOnly.standardError)
    // Every variant alike: the first is chosen about 1 in 15.
    let leader = try #require(result.leaderChosen)
    #expect(numpy.agrees(leader, numpy.leader, over: campaigns), "\(leader)")
  }

  @Test("7 alike variants, four segments: Morris's interval at 1 − α/K covers about 92%, at 1 − α/(V·K) 98.6%")
  func allAlikeMorris() throws {
    let result = try PoolingSimulation(
      segments: 4, tau: 0, campaigns: 2000, seed: 42, calibrated: true, variants: 7
    ).run()
    let best = result.selected
    #expect(best.quotedInterval == "morris_adjusted")
    let quoted = try #require(best.quotedCoverage)
    let segmentsOnly = try #require(best.quotedSegmentsOnlyCoverage)
    // Over the campaigns that name a segment, against VariantNumpyCheck.sevenByFour (numpy: none named
    // 65.64%, Morris 91.82 and 98.57, raw 85.41 and 97.27); this run: 67.35%, Morris 92.19 and 98.01, raw
    // 85.91 and 97.40, width 1.000, errors +2.00 / +1.03 pp (over every campaign before 2026-12-05: numpy
    // Morris 95.45 and 99.28, raw 94.30 and 98.95). Each campaign's
    // K-only interval lies inside its V·K one (same centre, smaller z), so the K-only coverage can never be
    // the larger.
    let numpy = VariantNumpyCheck.sevenByFour
    try numpy.expectAgreement(result)
    #expect(quoted.value - segmentsOnly.value > 0.02)
    #expect(best.rawAdjustedCoverage.value > best.rawAdjustedSegmentsOnlyCoverage.value)
  }

  @Test("A leader two pooled standard errors ahead is chosen about 90% of the time (7 variants, four segments)")
  func leaderIsUsuallyChosen() throws {
    let result = try PoolingSimulation(
      segments: 4, tau: 0, campaigns: 2000, seed: 43, calibrated: true, variants: 7, lead: 2
    ).run()
    // Against VariantNumpyCheck.sevenByFourLeading (numpy: the leader chosen 90.53%, none named 65.90%,
    // Morris 96.26 and 99.27, raw 92.48 and 98.54); this run: 89.10%, 66.40%, Morris 96.88 and 99.40, raw
    // 92.71 and 99.11, errors +1.59 / +0.70 pp.
    try VariantNumpyCheck.sevenByFourLeading.expectAgreement(result)
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

/// The variant-selection figures of the independent numpy check, `Benchmarks/pooling_variant_selection_check.py`.
///
/// Written from the documented rules (the variant: Holm-credible inverse-variance estimates, "The decision";
/// the segment: the largest BLUP, none on a tie, REML by bisection), not from Strata's code; numpy's
/// generator, so an independent stream. Run with numpy 2.4.6, scipy 1.17.1, 40,000 campaigns, seed 3
/// (2026-12-05): `python3 Benchmarks/pooling_variant_selection_check.py 15 2 0 0 40000 3`, `7 4 0 0 40000 3`
/// and `7 4 0 2 40000 3`. Coverages and shares in [0, 1] with their Monte Carlo SEs (binomial over the
/// campaigns scored), the width ratio and errors (effect units) with the SE of their mean. Agreement as in
/// `PooledNumpyCheck`: within four combined Monte Carlo SEs.
struct VariantNumpyCheck {
  typealias Figure = PooledNumpyCheck.Figure
  var leader: Figure
  var noneNamed: Figure
  var rawAdjustedSegmentsOnly: Figure
  var rawAdjusted: Figure
  var morrisSegmentsOnly: Figure = (.nan, .nan)
  var morris: Figure = (.nan, .nan)
  var width: Figure = (.nan, .nan)
  var rawError: Figure
  var shrunkenError: Figure

  static let fifteenByTwo = VariantNumpyCheck(
    leader: (0.0664, 0.0012), noneNamed: (0.6837, 0.0023), rawAdjustedSegmentsOnly: (0.8562, 0.0031),
    rawAdjusted: (0.9851, 0.0011), rawError: (0.02897, 0.00021), shrunkenError: (0.01840, 0.00016))
  static let sevenByFour = VariantNumpyCheck(
    leader: (0.1429, 0.0017), noneNamed: (0.6564, 0.0024), rawAdjustedSegmentsOnly: (0.8541, 0.0030),
    rawAdjusted: (0.9727, 0.0014), morrisSegmentsOnly: (0.9182, 0.0023), morris: (0.9857, 0.0010),
    width: (0.9993, 0.0004), rawError: (0.01945, 0.00014), shrunkenError: (0.01022, 0.00007))
  static let sevenByFourLeading = VariantNumpyCheck(
    leader: (0.9053, 0.0015), noneNamed: (0.6590, 0.0024), rawAdjustedSegmentsOnly: (0.9248, 0.0023),
    rawAdjusted: (0.9854, 0.0010), morrisSegmentsOnly: (0.9626, 0.0016), morris: (0.9927, 0.0007),
    width: (0.9992, 0.0004), rawError: (0.01658, 0.00014), shrunkenError: (0.00719, 0.00007))

  func agrees(_ strata: PoolingSimulationResult.Estimate, _ numpy: Figure, over n: Int) -> Bool {
    PooledNumpyCheck.shareAgrees(strata, numpy, over: n)
  }

  func agrees(_ strata: PoolingSimulationResult.Estimate, _ numpy: Figure) -> Bool {
    PooledNumpyCheck.meanAgrees(strata, numpy)
  }

  /// Every named-segment figure of a run with Morris's interval (four segments or more), and the leader's share.
  func expectAgreement(_ result: PoolingSimulationResult, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let best = result.selected
    let named = best.namedCampaigns
    let campaigns = result.simulation.campaigns
    #expect(best.quotedInterval == "morris_adjusted", sourceLocation: sourceLocation)
    let leader = try #require(result.leaderChosen, sourceLocation: sourceLocation)
    let quoted = try #require(best.quotedCoverage, sourceLocation: sourceLocation)
    let segmentsOnly = try #require(best.quotedSegmentsOnlyCoverage, sourceLocation: sourceLocation)
    let width = try #require(best.quotedWidthRatio, sourceLocation: sourceLocation)
    let figures: [(String, PoolingSimulationResult.Estimate, Figure, Int?)] = [
      ("leader chosen", leader, self.leader, campaigns),
      ("none named", best.noneNamedShare, noneNamed, campaigns),
      ("raw at 1 − α/K", best.rawAdjustedSegmentsOnlyCoverage, rawAdjustedSegmentsOnly, named),
      ("raw at 1 − α/(V·K)", best.rawAdjustedCoverage, rawAdjusted, named),
      ("Morris at 1 − α/K", segmentsOnly, morrisSegmentsOnly, named),
      ("Morris at 1 − α/(V·K)", quoted, morris, named),
      ("width", width, self.width, nil),
      ("raw error", best.rawError, rawError, nil),
      ("BLUP error", best.shrunkenError, shrunkenError, nil),
    ]
    for (name, strata, numpy, n) in figures {
      let close = n.map { agrees(strata, numpy, over: $0) } ?? agrees(strata, numpy)
      #expect(close, "\(name): Strata \(strata), numpy \(numpy)", sourceLocation: sourceLocation)
    }
  }
}
