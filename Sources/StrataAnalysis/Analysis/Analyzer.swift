import StrataAssignment
import StrataStats

/// Turns sufficient statistics into an `Analysis`: SRM first, then per-segment and overall comparisons for
/// every metric, the multiple-testing family, pooled estimates with heterogeneity, and the verdict.
public struct Analyzer: Sendable {
  public var plan: AnalysisPlan
  /// The look number given by the user (`--look K`), recorded for the sequential guard.
  public var look: Int?

  public init(plan: AnalysisPlan, look: Int? = nil) {
    self.plan = plan
    self.look = look
  }

  public func analyze(_ data: DataSummary) throws -> Analysis {
    try data.requireUnits()
    var warnings: [String] = []
    let statistics = data.statistics
    let sampleRatio = try SampleRatioChecker(plan: plan).check(statistics)
    if sampleRatio.mismatch {
      warnings.append(
        "Sample ratio mismatch: the observed split of units does not match the plan (p < \(sampleRatio.threshold)). The assignment or the data pipeline is likely broken; treat every result below as suspect."
      )
    }
    if data.issues.total > 0 {
      warnings.append(
        "\(NumberText.count(data.issues.total)) of \(NumberText.count(data.rowsRead)) rows were dropped as invalid; the data account lists why and where."
      )
    }
    if let column = data.missingUnitColumn, data.format == .unitLevel {
      warnings.append(
        "Duplicate units were not checked: the data has no unit id column \"\(column)\" (the definition's unit:; its columns are \(DataSummary.columnList(data.header))). Name the id column \(column), or set unit: to the data's id column."
      )
    } else if data.format != .aggregated && !data.duplicatesChecked {
      warnings.append("Duplicate units were not checked (the duplicate check was switched off).")
    }

    var metrics: [MetricAnalysis] = []
    // Lin's pass 1 from the cells' regression moments (a query's result, or a unit-level CSV's two passes).
    let fits = data.regressionCells.map { RegressionFits(plan: plan, cells: $0) }
    // Once: the plan filters its variants on every call, and the loop below would ask once per segment.
    let treatments = plan.treatmentIndices
    for (index, metric) in plan.metrics.enumerated() {
      // Values near the bottom of the double range keep fewer digits: said once per metric (`ValueRange`).
      if let warning = ValueRange.precisionWarning(plan: plan, metric: index, statistics: statistics) {
        warnings.append(warning)
      }
      if metric.needsJointMoments {
        metrics.append(
          try adjustedMetric(
            index, statistics: statistics, fits: fits, sums: data.regressionSums))
        continue
      }
      let planned = PlannedSampleSize(plan: plan).unitsPerVariant(metric: index, statistics: statistics)
      let comparer = Comparer(plan: plan, metric: index, plannedUnitsPerVariant: planned)
      var comparisons: [Comparison] = []
      comparisons.reserveCapacity((plan.segments.count + 1) * treatments.count)
      // One control arm per segment, shared by the segment's comparisons of every treatment.
      for segment in plan.segments.indices {
        let control = comparer.controlArm(statistics, segment: segment)
        for treatment in treatments {
          if let comparison = try comparer.compare(
            statistics, treatment: treatment, segment: segment, sharedControl: control)
          {
            comparisons.append(comparison)
          }
        }
      }
      let control = comparer.controlArm(statistics, segment: nil)
      for treatment in treatments {
        if let comparison = try comparer.compare(statistics, treatment: treatment, segment: nil, sharedControl: control)
        {
          comparisons.append(comparison)
        }
      }
      var pooled: [PooledComparison] = []
      if plan.segments.count > 1 {
        for treatment in plan.treatmentIndices {
          do {
            pooled.append(try Pooler(plan: plan, metric: index).pool(statistics, treatment: treatment))
          } catch let error as StatsError {
            warnings.append("No pooled estimate of \(metric.name) for \(plan.variants[treatment]): \(error).")
          }
        }
      }
      var analysis = MetricAnalysis(
        metric: metric, comparisons: comparisons, pooled: pooled, plannedUnitsPerVariant: planned)
      if plan.segments.count > 1 {
        analysis.postStratified = postStratified(plainMetric: index, statistics: statistics)
      }
      metrics.append(analysis)
    }

    let family = try applyFamily(to: &metrics)
    // The credible interval's normal quantile depends on the level alone: once, not once per comparison (nil when
    // the level is invalid; each summary then finds that itself).
    let bayesianCritical = try? BayesianSummary.critical(credibleLevel: plan.confidenceLevel)
    for index in metrics.indices {
      // Chance to win and risks count in the metric's good direction (gbstats' `inverse` for decrease).
      let lowerIsBetter = metrics[index].metric.direction == .decrease
      for position in metrics[index].comparisons.indices {
        metrics[index].comparisons[position].summarizeBayesian(
          prior: plan.prior, scale: plan.bayesianScale, lowerIsBetter: lowerIsBetter,
          credibleLevel: plan.confidenceLevel, critical: bayesianCritical)
      }
      let (pooling, poolingWarnings) = SegmentPooler(plan: plan).pool(metrics[index], lowerIsBetter: lowerIsBetter)
      metrics[index].partialPooling = pooling
      metrics[index].segmentContrasts = SegmentContrast.contrasts(metrics[index].comparisons, segments: plan.segments)
      warnings += poolingWarnings
    }
    for metric in metrics where metric.metric.role == .primary {
      // The names only: filtering the comparisons copied every underpowered one whole (40,000 of 80,004 at 20,000
      // segments × 3 variants in the benchmark files).
      if let underpowered = metric.underpoweredSegments(of: plan.segments), let planned = metric.plannedUnitsPerVariant
      {
        let names = NumberText.names(underpowered)
        warnings.append(
          "Underpowered for \(metric.metric.name): \(names) (fewer than the planned \(NumberText.count(planned)) units per arm); a non-significant result there is not evidence of no effect."
        )
      }
    }
    let lookInfo = LookInfo(number: look, plannedLooks: plan.looks, sequential: nil)
    if plan.looks > 1 {
      warnings.append(
        "The plan has \(plan.looks) looks; these p-values are fixed-horizon and do not account for peeking.")
    }
    var analysis = Analysis(
      plan: plan, data: data, sampleRatio: sampleRatio, metrics: metrics, family: family, look: lookInfo,
      warnings: warnings)
    analysis.factorial = plan.factorialDesign.map { FactorialAnalyzer(plan: plan, design: $0).analyze(statistics) }
    analysis.decision = DecisionMaker(analysis: analysis).decide()
    return analysis
  }

  /// The family (by default every segment × treatment comparison of the primary metric; with `FamilyScope.allMetrics`
  /// those of every primary and secondary metric) is corrected as one set, and decides significance.
  ///
  /// Comparisons outside the family are judged on their raw p-value.
  private func applyFamily(to metrics: inout [MetricAnalysis]) throws -> ComparisonFamily {
    let primary = plan.primaryMetricIndex
    let familyMetrics: [Int] =
      switch plan.family {
      case .primary: primary.map { [$0] } ?? []
      case .allMetrics: metrics.indices.filter { metrics[$0].metric.role != .guardrail }
      }
    var members: [(metric: Int, comparison: Int)] = []
    // By position, reading fields in place: enumerating the comparisons copied each one whole.
    for metricIndex in familyMetrics {
      let comparisons = metrics[metricIndex].comparisons
      for index in comparisons.indices
      // With one segment its comparison and the overall one are the same test: count it once (the overall row).
      where (plan.segments.count == 1 ? comparisons[index].segment == nil : comparisons[index].segment != nil)
        && comparisons[index].pValue != nil
      {
        members.append((metricIndex, index))
      }
    }
    let raw = members.map { metrics[$0.metric].comparisons[$0.comparison].pValue ?? 1 }
    let adjusted: [Double]
    switch plan.correction {
    case .holm: adjusted = try MultipleTestingCorrection.holm.adjust(raw)
    case .benjaminiHochberg: adjusted = try MultipleTestingCorrection.benjaminiHochberg.adjust(raw)
    case .bonferroni: adjusted = try MultipleTestingCorrection.bonferroni.adjust(raw)
    case .none: adjusted = raw
    }
    for (position, member) in members.enumerated() {
      metrics[member.metric].comparisons[member.comparison].inFamily = true
      metrics[member.metric].comparisons[member.comparison].adjustedPValue = adjusted[position]
    }
    for metricIndex in metrics.indices {
      for index in metrics[metricIndex].comparisons.indices {
        let deciding = metrics[metricIndex].comparisons[index].decidingPValue
        metrics[metricIndex].comparisons[index].significant = (deciding ?? 1) < plan.alpha
      }
    }
    let names = familyMetrics.map { plan.metrics[$0].name }
    let scope = plan.segments.count == 1 ? "treatment-vs-control comparison" : "segment × treatment comparison"
    let description =
      names.isEmpty
      ? "no primary metric"
      : plan.family == .primary
        ? "every \(scope) of the primary metric \(names[0])"
        : "every \(scope) of the metrics \(names.joined(separator: ", "))"
    return ComparisonFamily(
      description: description, metrics: names, correction: plan.correction, size: members.count, alpha: plan.alpha)
  }
}
