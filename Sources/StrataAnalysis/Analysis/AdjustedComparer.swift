import StrataStats

/// Ratio and CUPED-adjusted comparisons from cell statistics, per segment and over all segments.
///
/// One `Target` names the value columns (metric indices of the plan) that make up the metric: [value] or
/// [numerator, denominator], followed by the covariate's columns when there is one. Per segment θ is pooled
/// within all arms of that segment (`CovariateAdjustment.pooledWithinArms`), so every treatment is compared
/// with the same adjusted control; each comparison reports the adjusted and unadjusted lifts side by side
/// and the variance reduction achieved. The overall estimate is post-stratified over the segments (weights:
/// each segment's share of units; Miratrix, Sekhon & Yu 2013), beside the inverse-variance pooled one.
/// Sources are irrelevant here: unit-level CSV, aggregated CSV and SQL fill the same cells and pairs.
public struct AdjustedComparer: Sendable {
  public struct Target: Sendable, Hashable {
    public var metric: DeltaMetric
    /// [value] / [numerator, denominator], then the covariate's columns when `hasCovariate`.
    public var columns: [Int]

    public init(metric: DeltaMetric, columns: [Int]) {
      precondition(
        columns.count == metric.valueColumns || columns.count == 2 * metric.valueColumns,
        "columns do not fit the metric")
      self.metric = metric
      self.columns = columns
    }

    public var hasCovariate: Bool { columns.count == 2 * metric.valueColumns }
  }

  /// One treatment against control in one segment.
  public struct Comparison: Sendable, Hashable {
    /// nil for all segments together.
    public var segment: String?
    public var treatment: String
    /// θ of the segment (0 without a covariate).
    public var theta: Double
    public var control: ArmEstimate
    public var treatmentArm: ArmEstimate
    /// The adjusted comparison (the plain one without a covariate).
    public var adjusted: LiftResult
    public var unadjusted: LiftResult
    /// `segment`'s and `treatment`'s indices in the plan, so that callers find a comparison by position.
    var segmentIndex: Int?
    var treatmentIndex: Int
  }

  /// One treatment against control over all segments.
  public struct Overall: Sendable, Hashable {
    public var treatment: String
    public var postStratified: PostStratifiedResult
    public var inverseVariance: PooledResult?
  }

  public let plan: AnalysisPlan
  public let target: Target
  /// `pairIndices()`, found once: every segment's comparisons read it (20,000 segments asked for it 20,000 times).
  private let pairs: Result<[[Int?]], StatsError>
  /// `plan.treatmentIndices`, found once (the plan filters its variants on every call).
  private let treatments: [Int]

  public init(plan: AnalysisPlan, target: Target) {
    precondition(target.columns.allSatisfy { plan.columns.indices.contains($0) }, "column out of range")
    self.plan = plan
    self.target = target
    pairs = Result { () throws(StatsError) in try Self.pairIndices(plan: plan, columns: target.columns) }
    treatments = plan.treatmentIndices
  }

  /// The declared pair of every two target columns (either order), or an error naming the missing one.
  func pairIndices() throws(StatsError) -> [[Int?]] { try pairs.get() }

  private static func pairIndices(plan: AnalysisPlan, columns: [Int]) throws(StatsError) -> [[Int?]] {
    var out = [[Int?]](repeating: [Int?](repeating: nil, count: columns.count), count: columns.count)
    for i in columns.indices {
      for j in columns.indices where j > i {
        let index = plan.crossProducts.firstIndex {
          ($0.first == columns[i] && $0.second == columns[j]) || ($0.first == columns[j] && $0.second == columns[i])
        }
        guard let index else {
          throw .invalidInput(
            field: "cross-products",
            message:
              "the cells carry no cross-product of \"\(plan.columns[columns[i]].column)\" and \"\(plan.columns[columns[j]].column)\""
          )
        }
        // The pair's co-moment is symmetric, so its declared order does not matter.
        out[i][j] = index
      }
    }
    return out
  }

  /// Per segment (report order), each treatment against control.
  public func comparisons(_ statistics: SufficientStatistics) throws(StatsError) -> [Comparison] {
    var out: [Comparison] = []
    for segment in plan.segments.indices { out += try comparisons(statistics, segment: segment) }
    return out
  }

  /// Each treatment against control in one segment, or over all segments together when `segment` is nil (the
  /// cells merged, θ pooled within the arms over all units).
  public func comparisons(_ statistics: SufficientStatistics, segment: Int?) throws(StatsError) -> [Comparison] {
    let (estimates, theta) = try armEstimates(statistics, segment: segment)
    let control = estimates[plan.controlIndex]
    var out: [Comparison] = []
    for treatment in treatments {
      let arm = estimates[treatment]
      let adjusted = try LiftComparison(
        control: control, treatment: arm, alternative: plan.alternative, confidenceLevel: plan.confidenceLevel
      ).result()
      // Without a covariate the unadjusted arms are the adjusted ones (`DeltaMetric.estimate` sets both), so
      // the same comparison is not computed twice.
      let unadjusted =
        target.hasCovariate
        ? try LiftComparison(
          control: control.unadjusted, treatment: arm.unadjusted, alternative: plan.alternative,
          confidenceLevel: plan.confidenceLevel
        ).result() : adjusted
      out.append(
        Comparison(
          segment: segment.map { plan.segments[$0] }, treatment: plan.variants[treatment], theta: theta,
          control: control, treatmentArm: arm, adjusted: adjusted, unadjusted: unadjusted, segmentIndex: segment,
          treatmentIndex: treatment))
    }
    return out
  }

  /// The arms of `comparisons(_:segment:)`, without its tests.
  ///
  /// The control's and each treatment's arm, in `treatmentIndices` order; nil exactly when `comparisons` would
  /// throw, but no p-value, quantile or interval is computed (`LiftComparison.requireResult`), nor the error's
  /// sentence for a count too small. The post-stratified estimate of a plain metric needs only the arms, and at
  /// 20,000 segments the tests it threw away were most of its cost.
  func arms(_ statistics: SufficientStatistics, segment: Int?) -> [(control: ArmEstimate, treatment: ArmEstimate)]? {
    guard let (estimates, _) = try? armEstimates(statistics, segment: segment, quiet: true) else { return nil }
    let control = estimates[plan.controlIndex]
    var out: [(control: ArmEstimate, treatment: ArmEstimate)] = []
    out.reserveCapacity(treatments.count)
    for treatment in treatments {
      let arm = estimates[treatment]
      guard
        (try? LiftComparison(
          control: control, treatment: arm, alternative: plan.alternative, confidenceLevel: plan.confidenceLevel
        ).requireResult()) != nil
      else { return nil }
      if target.hasCovariate {
        guard
          (try? LiftComparison(
            control: control.unadjusted, treatment: arm.unadjusted, alternative: plan.alternative,
            confidenceLevel: plan.confidenceLevel
          ).requireResult()) != nil
        else { return nil }
      }
      out.append((control, arm))
    }
    return out
  }

  /// Thrown by `armEstimates(_:segment:quiet:)` in place of `DeltaMetric.meanEstimate`'s own error; never shown.
  private static let noEstimate = StatsError.invalidInput(field: "n", message: "no estimate")

  /// Every arm's estimate in one segment (or all), adjusted when the target has a covariate, and θ (0 without).
  ///
  /// `quiet` when the caller only asks whether there is an error: an arm `DeltaMetric.meanEstimate` refuses (fewer
  /// than two units, most often) then throws `noEstimate`, not an error with its sentence (35,549 of them, 75 M
  /// instructions, at 100,000 rows of 20,000 segments × 3 variants, where most segments have an arm of one unit or
  /// none).
  private func armEstimates(_ statistics: SufficientStatistics, segment: Int?, quiet: Bool = false)
    throws(StatsError) -> ([ArmEstimate], Double)
  {
    if target.metric == .mean && target.columns.count == 1 {
      // One column, no covariate: each arm's estimate from its merged moments, as `momentMatrix` and
      // `DeltaMetric.estimate` would give it, without the matrix and gradient arrays of every arm.
      let column = target.columns[0]
      var estimates: [ArmEstimate] = []
      estimates.reserveCapacity(plan.variants.count)
      for variant in plan.variants.indices {
        let moments =
          segment.map { statistics.metric(column, variant: variant, segment: $0) }
          ?? statistics.metric(column, variant: variant)
        // As below: a spread beyond the double range is refused (the comparison's `Comparer` says why).
        if ValueRange.isTooSmall(moments.moments) || ValueRange.isTooLarge(moments.moments) {
          if quiet { throw Self.noEstimate }
          try ValueRange.require(moments.moments, field: "values")
        }
        if quiet {
          guard
            let estimate = DeltaMetric.meanEstimateIfValid(count: moments.count, mean: moments.mean, m2: moments.m2)
          else { throw Self.noEstimate }
          estimates.append(estimate)
        } else {
          estimates.append(try DeltaMetric.meanEstimate(count: moments.count, mean: moments.mean, m2: moments.m2))
        }
      }
      return (estimates, 0)
    }
    let pairs = try pairIndices()
    // Each column's spread must be what its values give: beyond the double range the cells' sums of squares lost
    // their digits or are ∞ (`ValueRange`), and the estimate would be tested on what is left.
    for column in target.columns {
      for variant in plan.variants.indices {
        let moments =
          (segment.map { statistics.metric(column, variant: variant, segment: $0) }
          ?? statistics.metric(column, variant: variant)).moments
        if ValueRange.isTooSmall(moments) || ValueRange.isTooLarge(moments) {
          if quiet { throw Self.noEstimate }
          try ValueRange.require(moments, field: "values of \(plan.columns[column].column)")
        }
      }
    }
    let arms = try plan.variants.indices.map { (variant) throws(StatsError) in
      try statistics.momentMatrix(columns: target.columns, pairIndices: pairs, variant: variant, segment: segment)
    }
    let estimates: [ArmEstimate]
    var theta = 0.0
    if target.hasCovariate {
      let adjusted = try CovariateAdjustment(arms: arms, metric: target.metric).result()
      estimates = adjusted.arms
      theta = adjusted.theta
    } else {
      estimates = try arms.map { (arm) throws(StatsError) in try target.metric.estimate(arm) }
    }
    return (estimates, theta)
  }

  /// Each treatment over all segments: post-stratified, and inverse-variance pooled when every segment
  /// has a positive variance.
  public func overall(_ comparisons: [Comparison], statistics: SufficientStatistics) throws(StatsError) -> [Overall] {
    var out: [Overall] = []
    let table = Table(comparisons, plan: plan)
    for treatment in plan.treatmentIndices {
      let name = plan.variants[treatment]
      var strata: [PostStratification.Stratum] = []
      for segment in plan.segments.indices {
        guard let c = table.comparison(segment: segment, treatment: treatment) else { continue }
        let units = plan.variants.indices.reduce(0) { $0 + statistics.units(variant: $1, segment: segment) }
        strata.append(.init(units: Double(units), control: c.control, treatment: c.treatmentArm))
      }
      let postStratified = try PostStratification(
        strata: strata, alternative: plan.alternative, confidenceLevel: plan.confidenceLevel
      ).result()
      let variances = strata.map { $0.control.variance + $0.treatment.variance }
      let inverseVariance =
        variances.allSatisfy({ $0 > 0 })
        ? try InverseVariancePooling(
          estimates: strata.map { $0.treatment.estimate - $0.control.estimate }, variances: variances,
          alternative: plan.alternative, confidenceLevel: plan.confidenceLevel
        ).result() : nil
      out.append(Overall(treatment: name, postStratified: postStratified, inverseVariance: inverseVariance))
    }
    return out
  }
}
