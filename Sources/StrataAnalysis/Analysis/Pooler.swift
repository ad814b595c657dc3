import StrataStats

/// The stratified estimate across segments for one treatment.
///
/// Mantel–Haenszel for binomial metrics (the common risk difference, with the CMH test and the MH odds ratio beside
/// it) and fixed-effect inverse-variance weighting of the per-segment Welch differences for continuous metrics. Both
/// come with a heterogeneity test (Cochran's Q and I²; Breslow–Day for the odds ratio) that says whether the segments
/// really differ. The reported p-value is the one of the pooled estimate's z (so it agrees with its interval); the
/// CMH p-value is reported too.
struct Pooler {
  let plan: AnalysisPlan
  let metric: Int

  var alternative: Alternative { plan.alternative }

  func pool(_ statistics: SufficientStatistics, treatment: Int) throws -> PooledComparison {
    let control = plan.controlIndex
    var used: [String] = []
    var notes: [String] = []
    var controls: [ColumnMoments] = []
    var treatments: [ColumnMoments] = []
    let column = plan.valueColumn(metric: metric)
    for segment in plan.segments.indices {
      let c = statistics.metric(column, variant: control, segment: segment)
      let t = statistics.metric(column, variant: treatment, segment: segment)
      // A spread lost at the bottom of the double range, or beyond its top, is refused with its reason, as the
      // segments' own rows are (it left segments out as having "no variation", pooled the digits that were left, or
      // failed on "estimates[2]: must be finite, got -nan"). (A sum of two finite sd²/n beyond the largest double is
      // named below, with its segment.)
      if plan.metrics[metric].kind != .binomial {
        for arm in [c, t] { try ValueRange.require(arm.moments, field: "values") }
      }
      let usable =
        plan.metrics[metric].kind == .binomial
        ? c.count > 0 && t.count > 0
        : c.count >= 2 && t.count >= 2 && (c.moments.variance / c.count + t.moments.variance / t.count) > 0
      if usable {
        used.append(plan.segments[segment])
        controls.append(c)
        treatments.append(t)
      } else if c.count + t.count > 0 {
        notes.append(
          "Segment \(plan.segments[segment]) is left out of the pooled estimate (too few units with a value or no variation)."
        )
      }
    }
    guard !used.isEmpty else { throw StatsError.invalidInput(field: "segments", message: "none has data in both arms") }
    if plan.metrics[metric].kind == .binomial {
      let strata = try zip(controls, treatments).map { c, t in
        BinomialStratum(
          control: try BinomialSummary(successes: c.sum, trials: c.count),
          treatment: try BinomialSummary(successes: t.sum, trials: t.count))
      }
      let result = try MantelHaenszelTest(
        strata: strata, alternative: alternative, confidenceLevel: plan.confidenceLevel
      ).result()
      return PooledComparison(
        treatment: plan.variants[treatment], method: "mantel-haenszel", estimate: result.riskDifference,
        standardError: result.standardError, interval: result.interval, statistic: result.test.statistic,
        pValue: result.test.pValue, cochranMantelHaenszel: result.cochranMantelHaenszel, oddsRatio: result.oddsRatio,
        oddsRatioInterval: result.oddsRatioInterval, heterogeneity: result.heterogeneity, breslowDay: result.breslowDay,
        segmentsUsed: used, notes: notes + result.notes)
    }
    let estimates = zip(controls, treatments).map { c, t in t.moments.mean - c.moments.mean }
    let variances = zip(controls, treatments).map { c, t in c.moments.variance / c.count + t.moments.variance / t.count
    }
    // Estimates and variances of any magnitude pool exactly (InverseVariancePooling rescales them); a variance that
    // is itself beyond the double range cannot be pooled, and the segment is named.
    if let index = variances.firstIndex(where: { !$0.isFinite }) {
      throw StatsError.invalidInput(
        field: "segment \(used[index])",
        message:
          "the variance of its difference (sd²/n) is beyond the double range (standard deviations of about 1e154 "
          + "or more); give the values in a larger unit")
    }
    let result = try InverseVariancePooling(
      estimates: estimates, variances: variances, alternative: alternative, confidenceLevel: plan.confidenceLevel
    ).result()
    return PooledComparison(
      treatment: plan.variants[treatment], method: "inverse-variance", estimate: result.estimate,
      standardError: result.standardError, interval: result.interval, statistic: result.test.statistic,
      pValue: result.test.pValue, cochranMantelHaenszel: nil, oddsRatio: nil, oddsRatioInterval: nil,
      heterogeneity: result.heterogeneity, breslowDay: nil, segmentsUsed: used, notes: notes)
  }
}
