import StrataStats
import StrataTestSupport
import Testing

@testable import StrataAnalysis

/// The layouts the output phase chose for thousands of segments (issue 17) keep the values they hold: the boxed
/// adjustment of a comparison, partial pooling's one-pass grouping by treatment, and the Bayesian quantile
/// computed once.
@Suite("Output-phase layouts")
struct OutputPhaseLayoutTests {
  static func arm(_ variant: String, count: Double, mean: Double, sd: Double) -> ArmSummary {
    ArmSummary(variant: variant, count: count, missing: 0, mean: mean, standardDeviation: sd, successes: nil)
  }

  static func comparison(treatment: String, segment: String?, lift: Double, sd: Double = 1) -> Comparison {
    Comparison(
      treatment: treatment, segment: segment, control: arm("control", count: 50, mean: 10, sd: sd),
      treatmentArm: arm(treatment, count: 40 + lift, mean: 10 + lift, sd: sd + lift / 10), test: "welch",
      statistic: 1, degreesOfFreedom: 80, pValue: 0.5, adjustedPValue: nil, inFamily: false, absoluteLift: lift,
      absoluteInterval: nil, relativeLift: nil, relativeInterval: nil, significant: false, underpowered: false,
      notes: [])
  }

  static func adjustment(theta: Double) throws -> AdjustedEstimate {
    let control = ArmEstimate(
      count: 100, estimate: 2, variance: 0.01, unadjustedEstimate: 2.1, unadjustedVariance: 0.02)
    let treatment = ArmEstimate(
      count: 90, estimate: 2.5, variance: 0.012, unadjustedEstimate: 2.4, unadjustedVariance: 0.03)
    let adjusted = try LiftComparison(control: control, treatment: treatment).result()
    let unadjusted = try LiftComparison(control: control.unadjusted, treatment: treatment.unadjusted).result()
    return AdjustedEstimate(
      covariate: true, theta: theta, control: control, treatment: treatment, adjusted: adjusted,
      unadjusted: unadjusted)
  }

  @Test("A shared control arm: setting one comparison's leaves the others', and comparisons compare by value")
  func sharedControlArm() {
    var a = Self.comparison(treatment: "v1", segment: "s1", lift: 1)
    var b = Self.comparison(treatment: "v2", segment: "s1", lift: 2)
    b.sharedControl = a.sharedControl
    let before = b.control
    a.control.mean = 11  // a's own from now on
    #expect(a.control.mean == 11)
    #expect(b.control == before)
    #expect(a.sharedControl !== b.sharedControl)
    // An equal arm in a box of its own: equal comparisons, equal hashes.
    let c = Self.comparison(treatment: "v1", segment: "s1", lift: 1)
    var d = c
    d.control = c.control
    #expect(c.sharedControl !== d.sharedControl)
    #expect(c == d)
    #expect(c.hashValue == d.hashValue)
    d.control.count += 1
    #expect(c != d)
    #expect(MemoryLayout<ArmSummary.Shared>.size == MemoryLayout<Int>.size)
  }

  @Test("A comparison's adjustment reads back as set, and compares and hashes by value")
  func boxedAdjustment() throws {
    var a = Self.comparison(treatment: "v1", segment: "s1", lift: 1)
    #expect(a.adjustment == nil)
    let estimate = try Self.adjustment(theta: 0.5)
    a.adjustment = estimate
    #expect(a.adjustment == estimate)
    var b = Self.comparison(treatment: "v1", segment: "s1", lift: 1)
    b.adjustment = try Self.adjustment(theta: 0.5)  // a box of its own, with an equal value
    #expect(a == b)
    #expect(a.hashValue == b.hashValue)
    var copy = a
    copy.adjustment?.theta = 0.25  // a copy's change leaves the original alone
    #expect(copy.adjustment?.theta == 0.25)
    #expect(a.adjustment?.theta == 0.5)
    #expect(copy != a)
    copy.adjustment = nil
    #expect(copy.adjustment == nil)
    #expect(copy != a)
    // The point of the box: one pointer in the comparison. Inline, the estimate (392 bytes) made a comparison
    // about 820 bytes; boxed it is 432, less than two estimates.
    #expect(MemoryLayout<AdjustedEstimate.Box?>.size == MemoryLayout<Int>.size)
    #expect(MemoryLayout<Comparison>.size < 2 * MemoryLayout<AdjustedEstimate>.size)
  }

  @Test("Partial pooling groups each treatment's segments in the comparisons' order, whatever their interleaving")
  func poolingGroupsByTreatment() throws {
    let treatments = ["v1", "v2", "v3"]
    let segments = (1...12).map { "s\($0)" }
    let plan = AnalysisPlan(
      id: "layout", variants: ["control"] + treatments, segments: segments,
      metrics: [AnalysisPlan.Metric(name: "revenue", kind: .continuous, role: .primary)])
    // Segments in a scrambled order per treatment, overall rows in the middle, one unusable comparison each.
    var comparisons: [Comparison] = []
    for step in 0..<segments.count {
      for (t, treatment) in treatments.enumerated() {
        let segment = segments[(step * (t + 5) + t) % segments.count]
        var comparison = Self.comparison(
          treatment: treatment, segment: segment, lift: Double((step * 7 + t * 3) % 11) / 4 - 1)
        if step == t + 2 { comparison.pValue = nil }
        comparisons.append(comparison)
      }
      if step == 5 {
        for treatment in treatments {
          comparisons.append(Self.comparison(treatment: treatment, segment: nil, lift: 0.3))
        }
      }
    }
    let metric = MetricAnalysis(
      metric: plan.metrics[0], comparisons: comparisons, pooled: [], plannedUnitsPerVariant: nil)
    let (pooling, warnings) = SegmentPooler(plan: plan).pool(metric)
    #expect(warnings.isEmpty)
    #expect(pooling.map(\.treatment) == treatments)
    for (treatment, result) in zip(treatments, pooling) {
      // The straightforward filter, treatment by treatment.
      let mine = comparisons.filter { $0.treatment == treatment && $0.segment != nil }
      let used = mine.filter { $0.pValue != nil }
      #expect(result.segments.map(\.segment) == used.map { $0.segment! })
      #expect(result.segmentsLeftOut == mine.filter { $0.pValue == nil }.map { $0.segment! })
      #expect(result.segments.map(\.estimate.raw) == used.map(\.absoluteLift))
      let direct = try RandomEffectsModel(
        estimates: used.map(\.absoluteLift),
        variances: used.map { SegmentPooler.samplingVariance(control: $0.control, $0.treatmentArm)! },
        method: plan.pooling.randomEffectsMethod, knappHartung: plan.pooling.knappHartung && used.count >= 2,
        confidenceLevel: plan.confidenceLevel, calibrated: true, variantsCompared: treatments.count
      ).result()
      // The pooling keeps the shrunken estimates only in its segments and the calibrated posteriors only in
      // each segment's `bayesian`: the fit's arrays are emptied, the rest of it is the direct fit's.
      var model = direct
      model.shrunken = []
      model.calibratedPosteriors = []
      #expect(result.model == model)
      #expect(result.segments.map(\.estimate) == direct.shrunken)
      for (index, (segment, shrunken)) in zip(result.segments, direct.shrunken).enumerated() {
        // From three segments the calibrated posterior behind the interval quoted, else the BLUP's normal.
        let bayesian: BayesianResult
        if index < direct.calibratedPosteriors.count, let interval = shrunken.calibratedInterval {
          bayesian = direct.calibratedPosteriors[index].result(lowerIsBetter: false, credibleInterval: interval)
        } else {
          bayesian = try BayesianSummary(
            estimate: shrunken.estimate, variance: shrunken.standardError * shrunken.standardError,
            credibleLevel: plan.confidenceLevel
          ).result()
        }
        #expect(segment.bayesian == bayesian)
      }
    }
  }

  @Test(
    "The interval quoted is the best segment's alone, in the metric's good direction, as the fit would give it",
    arguments: [2, 3, 5, 12])
  func bestIntervalOfTheBestSegment(count: Int) throws {
    let segments = (1...count).map { "s\($0)" }
    let plan = AnalysisPlan(
      id: "best", variants: ["control", "v1", "v2"], segments: segments,
      metrics: [AnalysisPlan.Metric(name: "revenue", kind: .continuous, role: .primary)])
    // Lifts, v2's in the other order: distinct with 2, 3 and 5 segments; with 12 a tie at the top and at the
    // bottom, where no segment stands out, so none is named and no interval is quoted.
    let lifts = (0..<count).map { Double(($0 * 5) % 7) / 3 - 1 }
    var comparisons: [Comparison] = []
    for (index, segment) in segments.enumerated() {
      comparisons.append(Self.comparison(treatment: "v1", segment: segment, lift: lifts[index]))
      comparisons.append(Self.comparison(treatment: "v2", segment: segment, lift: lifts[count - 1 - index]))
    }
    let metric = MetricAnalysis(
      metric: plan.metrics[0], comparisons: comparisons, pooled: [], plannedUnitsPerVariant: nil)
    for lowerIsBetter in [false, true] {
      let (pooling, warnings) = SegmentPooler(plan: plan).pool(metric, lowerIsBetter: lowerIsBetter)
      #expect(warnings.isEmpty && pooling.count == 2)
      for result in pooling {
        let shrunken = result.segments.map(\.estimate.estimate)
        let target = lowerIsBetter ? shrunken.min()! : shrunken.max()!
        let position = try #require(shrunken.firstIndex(of: target))
        if shrunken.filter({ $0 == target }).count > 1 {
          #expect(count == 12)
          #expect(result.best(lowerIsBetter: lowerIsBetter) == nil && result.bestInterval == nil)
          #expect(result.segments.allSatisfy { result.quotedInterval(for: $0) == nil })
          continue
        }
        let best = try #require(result.best(lowerIsBetter: lowerIsBetter))
        #expect(best.segment == segments[position])
        let quoted = try #require(result.bestInterval)
        #expect(result.quotedInterval(for: best) == quoted)
        #expect(result.segments.filter { result.quotedInterval(for: $0) != nil }.map(\.segment) == [best.segment])
        // What the fit gives for that segment: the calibrated interval adjusted for 2 variants × K segments
        // from three segments, else the raw one adjusted the same way. Refitted: the pooling's own fit keeps
        // no shrunken estimates.
        #expect(result.model.shrunken.isEmpty)
        let direct = try RandomEffectsModel(
          estimates: result.segments.map(\.estimate.raw), variances: result.segments.map(\.estimate.rawVariance),
          method: plan.pooling.randomEffectsMethod, knappHartung: plan.pooling.knappHartung,
          confidenceLevel: plan.confidenceLevel, calibrated: true, variantsCompared: 2
        ).result()
        let calibrated = try direct.calibratedIntervalAdjustedForSelection(of: direct.shrunken[position], at: position)
        #expect(quoted.calibrated == (count >= 3) && quoted.calibrated == (calibrated != nil))
        let raw = try direct.rawIntervalsAdjustedForSelection()[position]
        #expect(quoted.interval == (calibrated ?? raw))
        // Against values computed another way (not through `intervalAdjustedForSelection`, which gives
        // `bestInterval`): α/(2VK) with V = 2 variants compared, z from scipy's norm.ppf.
        let estimate = result.segments[position].estimate
        let scale = estimate.rawVariance.squareRoot()
        let close = { (a: ConfidenceInterval, b: ConfidenceInterval) in
          abs(a.lower - b.lower) <= 1e-9 * scale && abs(a.upper - b.upper) <= 1e-9 * scale
            && abs(a.confidenceLevel - b.confidenceLevel) < 1e-15
        }
        let level = 1 - 0.05 / Double(2 * count)
        if count == 2 {
          // No calibrated interval from two segments: the raw yₖ ± z·√vₖ, z = norm.ppf(1 − 0.05/8).
          let z = 2.497705474412374
          let byHand = ConfidenceInterval(
            lower: estimate.raw - z * scale, upper: estimate.raw + z * scale, confidenceLevel: level)
          #expect(close(quoted.interval, byHand), "\(quoted.interval) \(byHand)")
        } else {
          // The calibrated interval of a model fitted at the selection level itself (its own calibrated path:
          // hierarchical Bayes at three segments, Morris at twelve).
          let atSelection = try RandomEffectsModel(
            estimates: result.segments.map(\.estimate.raw), variances: result.segments.map(\.estimate.rawVariance),
            method: plan.pooling.randomEffectsMethod, knappHartung: plan.pooling.knappHartung,
            confidenceLevel: level, calibrated: true
          ).result()
          let reference = try #require(atSelection.shrunken[position].calibratedInterval)
          #expect(close(quoted.interval, reference), "\(quoted.interval) \(reference)")
          if count == 12 {
            // Morris by hand: the 95% interval's centre ± z(1 − 0.05/48)·s, s its half-width / z(0.975).
            let at95 = try #require(estimate.calibratedInterval)
            let centre = (at95.lower + at95.upper) / 2
            let s = (at95.upper - at95.lower) / (2 * 1.959963984540054)
            let byHand = ConfidenceInterval(
              lower: centre - 3.078088072842161 * s, upper: centre + 3.078088072842161 * s, confidenceLevel: level)
            #expect(close(quoted.interval, byHand), "\(quoted.interval) \(byHand)")
          }
        }
        // Every other segment's, from the pooling as from the fit.
        for other in result.segments.indices {
          let interval = try result.intervalAdjustedForSelection(at: other)
          let expected =
            try direct.calibratedIntervalAdjustedForSelection(of: direct.shrunken[other], at: other)
            ?? direct.rawIntervalAdjustedForSelection(of: direct.shrunken[other])
          #expect(interval.segment == result.segments[other].segment && interval.interval == expected)
        }
        #expect(abs(quoted.interval.confidenceLevel - (1 - 0.05 / Double(2 * count))) < 1e-15)
      }
    }
  }

  @Test(
    "The Bayesian summary with the quantile computed once is the summary computed alone", arguments: [0.8, 0.95, 0.99])
  func bayesianCritical(level: Double) throws {
    let critical = try BayesianSummary.critical(credibleLevel: level)
    for (estimate, variance) in [(0.1, 0.01), (-2.0, 0.5), (1e-9, 1e-12), (30.0, 4.0)] {
      let summary = try BayesianSummary(estimate: estimate, variance: variance, credibleLevel: level)
      #expect(try summary.result(critical: critical) == summary.result())
    }
    let c = Self.comparison(treatment: "v1", segment: "s1", lift: 2)
    for prior in [nil, 0.3] {
      for relative in [true, false] {
        #expect(
          c.bayesianSummary(
            prior: prior, relative: relative, lowerIsBetter: true, credibleLevel: level, critical: critical)
            == c.bayesianSummary(prior: prior, relative: relative, lowerIsBetter: true, credibleLevel: level))
      }
    }
  }

  @Test(
    "Welch's test with the relative interval's normal quantile given is the test computed alone",
    arguments: [Alternative.twoSided, .greater, .less])
  func welchNormalCritical(alternative: Alternative) throws {
    for level in [0.9, 0.95] {
      let critical = try TwoProportionZTest.criticalValue(alternative: alternative, confidenceLevel: level)
      for (control, treatment) in [((40.0, 10.0, 3.0), (55.0, 11.0, 2.5)), ((2.0, 1.0, 0.5), (3.0, -1.0, 4.0))] {
        let test = try WelchTTest(
          control: SampleSummary(count: control.0, mean: control.1, standardDeviation: control.2),
          treatment: SampleSummary(count: treatment.0, mean: treatment.1, standardDeviation: treatment.2),
          alternative: alternative, confidenceLevel: level)
        #expect(try test.result(normalCritical: critical) == test.result())
      }
    }
  }

  /// The Fisher note made once per expected count to two decimals is the text made for that count itself: every
  /// hundredth from 0 to 5, values either side of each rounding boundary, and seeded random counts, each asked
  /// twice (made, then from the table); and counts differing in the second decimal get different notes.
  @Test("Fisher's note from the table is the note made for the count")
  func fisherNotes() {
    let notes = FisherNotes()
    var counts: [Double] = []
    for k in 0...500 {
      let value = Double(k) / 100
      counts += [value, value.nextUp, value.nextDown, value + 0.005, (value + 0.005).nextDown, value - 0.0049]
    }
    var random = SplitMix64(seed: 41)
    for _ in 0..<20_000 { counts.append(Double.random(in: 0..<5, using: &random)) }
    for count in counts + counts.reversed() where count >= 0 {
      #expect(notes.note(smallestExpected: count) == FisherNotes.text(smallestExpected: count), "\(count)")
    }
    #expect(notes.note(smallestExpected: 0.73).contains("count is 0.73 (< 5)"))
    #expect(notes.note(smallestExpected: 0.7).contains("count is 0.7 (< 5)"))
    #expect(notes.note(smallestExpected: 4.996).contains("count is 5.0 (< 5)"))
    #expect(notes.note(smallestExpected: 0.73) != notes.note(smallestExpected: 0.74))
  }
}
