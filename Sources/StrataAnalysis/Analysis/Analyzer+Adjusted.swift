import StrataStats

extension Analyzer {
  /// A ratio metric's or a covariate-adjusted metric's comparisons, pooled and post-stratified estimates,
  /// through `AdjustedComparer` on the cells' joint moments.
  ///
  /// Per segment and over all segments, each treatment against control with the adjusted estimate leading
  /// (`AdjustedEstimate` keeps the unadjusted one); the underpowered flags size the segments with the
  /// per-unit standard deviation of the control's adjusted estimate over all segments. A segment where an
  /// arm cannot be estimated (fewer than 2 units, a denominator summing to 0) gets a note instead of a test.
  /// Columns that count different units in one cell (a covariate missing where the metric is not) are an
  /// input error naming the metric, the segment and the remedy.
  ///
  /// A metric with `covariates:` is compared by Lin's regression (`RegressionComparer`) instead, in the same shape:
  /// from the cells' regression moments and the second pass's sums (`fits`, `sums`: two queries, or a unit-level
  /// CSV's two passes); without them that is an input error naming the metric.
  func adjustedMetric(
    _ index: Int, statistics: SufficientStatistics, fits: RegressionFits? = nil, sums: RegressionSums? = nil
  ) throws -> MetricAnalysis {
    let metric = plan.metrics[index]
    let compare: @Sendable (Int?) throws(StatsError) -> [AdjustedComparer.Comparison]
    let testName: String
    if metric.regression != nil {
      let comparer = try RegressionComparer(plan: plan, metric: index, fits: fits, sums: sums)
      compare = { (segment) throws(StatsError) in try comparer.comparisons(segment: segment) }
      testName = comparer.testName
    } else {
      let columns = plan.columnIndices(metric: index)
      let target = AdjustedComparer.Target(metric: metric.kind.isRatio ? .ratio : .mean, columns: columns)
      let comparer = AdjustedComparer(plan: plan, target: target)
      compare = { (segment) throws(StatsError) in try comparer.comparisons(statistics, segment: segment) }
      testName = metric.kind.isRatio ? (metric.covariate == nil ? "delta" : "delta-cuped") : "cuped"
    }
    let overall = try estimates(compare, metric: index, segment: nil)
    let controlOverall = overall.found.first?.control
    let planned = PlannedSampleSize(plan: plan).unitsPerVariant(
      metric: index, statistics: statistics,
      unitStandardDeviation: controlOverall.map { ($0.variance * $0.count).squareRoot() })
    var perSegment: [AdjustedComparer.Comparison] = []
    var comparisons: [Comparison] = []
    for segment in plan.segments.indices {
      let found = try estimates(compare, metric: index, segment: segment)
      perSegment += found.found
      comparisons += comparisonsOrNotes(
        found, metric: index, statistics: statistics, segment: segment, planned: planned, testName: testName)
    }
    comparisons += comparisonsOrNotes(
      overall, metric: index, statistics: statistics, segment: nil, planned: nil, testName: testName)
    var analysis = MetricAnalysis(metric: metric, comparisons: comparisons, pooled: [], plannedUnitsPerVariant: planned)
    if plan.segments.count > 1 {
      analysis.pooled = inverseVariancePooled(perSegment)
      analysis.postStratified = postStratified(perSegment, statistics: statistics)
    }
    return analysis
  }

  /// The comparisons of one segment (or all), or [] with the reason recorded when an arm cannot be estimated.
  private func estimates(
    _ compare: (Int?) throws(StatsError) -> [AdjustedComparer.Comparison], metric: Int, segment: Int?
  ) throws -> (found: [AdjustedComparer.Comparison], failure: String?) {
    let result = Result { () throws(StatsError) in try compare(segment) }
    let error: StatsError
    switch result {
    case .success(let found): return (found, nil)
    case .failure(let failure): error = failure
    }
    let field = Self.inputField(of: error)
    guard field == "value columns" || field == "cross-product" else { return ([], "\(error)") }
    let place = segment.map { "segment \"\(plan.segments[$0])\"" } ?? "the data"
    if plan.metrics[metric].regression != nil {
      throw StatsError.invalidInput(
        field: "metrics[\(metric)] (\(plan.metrics[metric].name))",
        message:
          "in \(place): \(error); the regression needs every covariate on each unit with a value: declare missing: zero on the covariates (covariates: {columns: [...], missing: zero}), or drop those units"
      )
    }
    throw StatsError.invalidInput(
      field: "metrics[\(metric)] (\(plan.metrics[metric].name))",
      message:
        "in \(place): \(error); the metric's columns and its covariate's must have a value on the same units: declare missing: zero on the metric or on its covariate (covariate: {column: ..., missing: zero}), or drop those units"
    )
  }

  /// The field of an input error, nil for a numerical one (a switch: binding a `catch` pattern crashed the
  /// compiler, FIELD-NOTES).
  private static func inputField(of error: StatsError) -> String? {
    switch error {
    case .invalidInput(let field, _): return field
    case .numerical: return nil
    }
  }

  /// The comparisons of one segment as `Comparison` values; when the segment could not be estimated, one
  /// comparison per treatment with the reason as a note (none when nobody is in the segment).
  private func comparisonsOrNotes(
    _ estimates: (found: [AdjustedComparer.Comparison], failure: String?), metric: Int,
    statistics: SufficientStatistics, segment: Int?, planned: Int?, testName: String
  ) -> [Comparison] {
    let first = plan.columnIndices(metric: metric)[0]
    func values(_ variant: Int) -> ColumnMoments {
      segment.map { statistics.metric(first, variant: variant, segment: $0) }
        ?? statistics.metric(first, variant: variant)
    }
    let metricValue = plan.metrics[metric]
    func summary(_ variant: Int, _ estimate: ArmEstimate?) -> ArmSummary {
      let column = values(variant)
      return ArmSummary(
        variant: plan.variants[variant], count: estimate?.count ?? column.count, missing: column.missing,
        mean: estimate?.estimate ?? .nan,
        standardDeviation: estimate.map { ($0.variance * $0.count).squareRoot() } ?? .nan,
        successes: nil,  // the estimate is adjusted: its variance is not p(1 − p)/n
        zeroFilled: column.zeroFilled)
    }
    var out: [Comparison] = []
    for treatment in plan.treatmentIndices {
      let name = plan.variants[treatment]
      let control = values(plan.controlIndex), arm = values(treatment)
      guard let found = estimates.found.first(where: { $0.treatmentIndex == treatment }) else {
        if control.count == 0 && arm.count == 0 && control.missing == 0 && arm.missing == 0 { continue }
        var comparison = Comparison(
          treatment: name, segment: segment.map { plan.segments[$0] }, control: summary(plan.controlIndex, nil),
          treatmentArm: summary(treatment, nil), test: nil, statistic: nil, degreesOfFreedom: nil, pValue: nil,
          adjustedPValue: nil, inFamily: false, absoluteLift: .nan, absoluteInterval: nil, relativeLift: nil,
          relativeInterval: nil, significant: false, underpowered: false, notes: [])
        comparison.notes.append("No test: \(estimates.failure ?? "no estimate").")
        if let planned { comparison.underpowered = min(control.count, arm.count) < Double(planned) }
        out.append(comparison)
        continue
      }
      let lead = found.adjusted
      var comparison = Comparison(
        treatment: name, segment: segment.map { plan.segments[$0] },
        control: summary(plan.controlIndex, found.control), treatmentArm: summary(treatment, found.treatmentArm),
        test: testName, statistic: lead.test.statistic, degreesOfFreedom: lead.degreesOfFreedom,
        pValue: lead.test.pValue, adjustedPValue: nil, inFamily: false, absoluteLift: lead.difference,
        absoluteInterval: lead.interval, relativeLift: lead.relative?.estimate,
        relativeInterval: lead.relative?.interval, significant: false, underpowered: false, notes: [])
      if lead.relative == nil {
        comparison.notes.append("The relative lift is undefined because the control's estimate is 0.")
      }
      if let planned { comparison.underpowered = min(found.control.count, found.treatmentArm.count) < Double(planned) }
      comparison.adjustment = AdjustedEstimate(
        covariate: metricValue.covariate != nil || metricValue.regression != nil,
        theta: metricValue.covariate != nil ? found.theta : nil,
        control: found.control, treatment: found.treatmentArm, adjusted: lead, unadjusted: found.unadjusted)
      out.append(comparison)
    }
    return out
  }

  /// Fixed-effect inverse-variance pooling of the per-segment (adjusted) differences, per treatment.
  private func inverseVariancePooled(_ perSegment: [AdjustedComparer.Comparison]) -> [PooledComparison] {
    var out: [PooledComparison] = []
    // Each treatment's usable segment comparisons, in `perSegment`'s order, found by position in one pass.
    var partsOf = [[AdjustedComparer.Comparison]](repeating: [], count: plan.variants.count)
    for c in perSegment where c.control.variance + c.treatmentArm.variance > 0 { partsOf[c.treatmentIndex].append(c) }
    for treatment in plan.treatmentIndices {
      let name = plan.variants[treatment]
      let parts = partsOf[treatment]
      let used = parts.compactMap(\.segment)
      var isUsed = [Bool](repeating: false, count: plan.segments.count)
      for part in parts { if let segment = part.segmentIndex { isUsed[segment] = true } }
      let notes = plan.segments.indices.filter { !isUsed[$0] }.map {
        "Segment \(plan.segments[$0]) is left out of the pooled estimate (no estimate in one of the arms, or no variation)."
      }
      guard
        let result = try? InverseVariancePooling(
          estimates: parts.map { $0.treatmentArm.estimate - $0.control.estimate },
          variances: parts.map { $0.control.variance + $0.treatmentArm.variance }, alternative: plan.alternative,
          confidenceLevel: plan.confidenceLevel
        ).result()
      else { continue }
      out.append(
        PooledComparison(
          treatment: name, method: "inverse-variance", estimate: result.estimate, standardError: result.standardError,
          interval: result.interval, statistic: result.test.statistic, pValue: result.test.pValue,
          cochranMantelHaenszel: nil, oddsRatio: nil, oddsRatioInterval: nil, heterogeneity: result.heterogeneity,
          breslowDay: nil, segmentsUsed: used, notes: notes))
    }
    return out
  }

  /// Post-stratified estimates per treatment from per-segment comparisons (weights: each used segment's units
  /// in all arms over the used segments' units).
  func postStratified(_ perSegment: [AdjustedComparer.Comparison], statistics: SufficientStatistics)
    -> [PostStratifiedComparison]
  {
    let table = AdjustedComparer.Table(perSegment, plan: plan)
    return postStratified(statistics: statistics) { segment, treatment in
      table.comparison(segment: segment, treatment: treatment).map { ($0.control, $0.treatmentArm) }
    }
  }

  /// Post-stratified estimates per treatment from each segment's control and treatment arm (`arms`, nil for a
  /// segment left out).
  private func postStratified(
    statistics: SufficientStatistics,
    arms: (_ segment: Int, _ treatment: Int) -> (control: ArmEstimate, treatment: ArmEstimate)?
  ) -> [PostStratifiedComparison] {
    var out: [PostStratifiedComparison] = []
    for treatment in plan.treatmentIndices {
      let name = plan.variants[treatment]
      var strata: [PostStratification.Stratum] = []
      var used: [String] = []
      var left: [String] = []
      for (segment, segmentName) in plan.segments.enumerated() {
        guard let pair = arms(segment, treatment) else {
          left.append(segmentName)
          continue
        }
        let units = plan.variants.indices.reduce(0) { $0 + statistics.units(variant: $1, segment: segment) }
        strata.append(.init(units: Double(units), control: pair.control, treatment: pair.treatment))
        used.append(segmentName)
      }
      guard !strata.isEmpty,
        let result = try? PostStratification(
          strata: strata, alternative: plan.alternative, confidenceLevel: plan.confidenceLevel
        ).result()
      else { continue }
      out.append(
        PostStratifiedComparison(
          treatment: name, estimate: result.estimate, standardError: result.standardError, interval: result.interval,
          statistic: result.test.statistic, pValue: result.test.pValue, weights: result.weights, segmentsUsed: used,
          notes: left.isEmpty
            ? []
            : [
              left.count == 1
                ? "Segment \(left[0]) has no estimate and is left out; the weights are shares of the other segments' units."
                : "Segments \(NumberText.names(left)) have no estimate and are left out; the weights are shares of the other segments' units."
            ]))
    }
    return out
  }

  /// Post-stratified estimates of a binomial or continuous metric without a covariate: each segment's mean
  /// difference (s²/n variances).
  ///
  /// A segment counts when `AdjustedComparer` compares every treatment there (as for a ratio metric); only each
  /// comparison's two arms are kept, by segment and treatment position, with no dictionary of comparisons by name
  /// (at 20,000 segments that dictionary cost more than the comparisons).
  func postStratified(plainMetric index: Int, statistics: SufficientStatistics) -> [PostStratifiedComparison] {
    let comparer = AdjustedComparer(
      plan: plan, target: .init(metric: .mean, columns: [plan.valueColumn(metric: index)]))
    let treatments = plan.treatmentIndices
    var position = [Int?](repeating: nil, count: plan.variants.count)
    for (offset, treatment) in treatments.enumerated() { position[treatment] = offset }
    var arms: [(control: ArmEstimate, treatment: ArmEstimate)?] = []
    arms.reserveCapacity(plan.segments.count * treatments.count)
    for segment in plan.segments.indices {
      // `arms(_:segment:)` gives the arms of one comparison per treatment, in `treatmentIndices` order, or nil
      // when `comparisons(_:segment:)` would throw (without running their tests, which nothing here reads).
      guard let found = comparer.arms(statistics, segment: segment), found.count == treatments.count else {
        arms += repeatElement(nil, count: treatments.count)
        continue
      }
      for pair in found { arms.append(pair) }
    }
    return postStratified(statistics: statistics) { segment, treatment in
      position[treatment].flatMap { arms[segment * treatments.count + $0] }
    }
  }
}
