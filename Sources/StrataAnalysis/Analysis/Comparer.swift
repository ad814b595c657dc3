import StrataAssignment
import StrataStats

/// One treatment vs the control for one metric in one segment (or all segments together).
///
/// Binomial metrics: the pooled two-proportion z test with Wald and delta-method intervals; when any
/// expected cell count of the 2×2 table is below 5 the z approximation is unreliable and the p-value comes
/// from Fisher's exact test instead (the intervals stay Wald, with a note). Continuous metrics: Welch's t.
struct Comparer {
  /// Expected cell counts below this switch the binomial test to Fisher's exact test (Cochran's rule).
  static let smallExpectedCount = 5.0

  let plan: AnalysisPlan
  let metric: Int
  let plannedUnitsPerVariant: Int?
  /// The metric's value column, found once: `AnalysisPlan.valueColumn(metric:)` lays out every column on each
  /// call, which thousands of segments would repeat for every comparison.
  private let column: Int
  /// The normal critical value of the two-proportion test and of Welch's relative-lift interval, computed once.
  ///
  /// It depends only on the plan's alternative and confidence level; thousands of segments would ask GSL for it
  /// again in every comparison. nil when the confidence level is invalid (each test then reports that itself).
  private let normalCritical: Double?
  /// The notes of comparisons decided by Fisher's exact test, made once per expected count to two decimals.
  private let fisherNotes = FisherNotes()

  init(plan: AnalysisPlan, metric: Int, plannedUnitsPerVariant: Int?) {
    self.plan = plan
    self.metric = metric
    self.plannedUnitsPerVariant = plannedUnitsPerVariant
    column = plan.valueColumn(metric: metric)
    normalCritical = try? TwoProportionZTest.criticalValue(
      alternative: plan.alternative, confidenceLevel: plan.confidenceLevel)
  }

  var alternative: Alternative { plan.alternative }

  /// The control arm of `segment` (nil: all segments), to be shared by its comparisons of every treatment.
  func controlArm(_ statistics: SufficientStatistics, segment: Int?) -> ArmSummary.Shared {
    let values = controlColumn(statistics, segment: segment)
    return ArmSummary.Shared(
      summary(values, variant: plan.controlIndex, binomial: plan.metrics[metric].kind == .binomial))
  }

  private func controlColumn(_ statistics: SufficientStatistics, segment: Int?) -> ColumnMoments {
    segment.map { statistics.metric(column, variant: plan.controlIndex, segment: $0) }
      ?? statistics.metric(column, variant: plan.controlIndex)
  }

  /// `treatment` against the control in `segment` (nil: all segments); `sharedControl` is `controlArm` of the same
  /// segment, held by the comparison (nil: a summary of its own).
  func compare(
    _ statistics: SufficientStatistics, treatment: Int, segment: Int?, sharedControl: ArmSummary.Shared? = nil
  ) throws -> Comparison? {
    let control = plan.controlIndex
    let controlValues = controlColumn(statistics, segment: segment)
    let treatmentValues =
      segment.map { statistics.metric(column, variant: treatment, segment: $0) }
      ?? statistics.metric(column, variant: treatment)
    if controlValues.count == 0 && treatmentValues.count == 0 && controlValues.missing == 0
      && treatmentValues.missing == 0
    {
      return nil  // nobody in this segment in either arm: nothing to report
    }
    let binomial = plan.metrics[metric].kind == .binomial
    var comparison = Comparison(
      treatment: plan.variants[treatment], segment: segment.map { plan.segments[$0] },
      sharedControl: sharedControl ?? ArmSummary.Shared(summary(controlValues, variant: control, binomial: binomial)),
      treatmentArm: summary(treatmentValues, variant: treatment, binomial: binomial),
      test: nil, statistic: nil, degreesOfFreedom: nil, pValue: nil, adjustedPValue: nil, inFamily: false,
      absoluteLift: binomial
        || ValueRange.meanKeepsDigits(controlValues.moments) && ValueRange.meanKeepsDigits(treatmentValues.moments)
        ? treatmentValues.moments.mean - controlValues.moments.mean : .nan, absoluteInterval: nil,
      relativeLift: nil, relativeInterval: nil, significant: false, underpowered: false, notes: [])
    if let planned = plannedUnitsPerVariant, segment != nil {
      comparison.underpowered = min(controlValues.count, treatmentValues.count) < Double(planned)
    }
    guard controlValues.count > 0, treatmentValues.count > 0 else {
      comparison.notes.append(
        "No units with a value in \(controlValues.count == 0 ? "the control" : "the treatment"); nothing to compare.")
      return comparison
    }
    do {
      if binomial {
        try compareProportions(controlValues, treatmentValues, into: &comparison)
      } else {
        try compareMeans(controlValues, treatmentValues, into: &comparison)
      }
    } catch let error as StatsError {
      comparison.notes.append("No test: \(error).")
    }
    return comparison
  }

  private func summary(_ values: ColumnMoments, variant: Int, binomial: Bool) -> ArmSummary {
    ArmSummary(
      variant: plan.variants[variant], count: values.count, missing: values.missing,
      // A mean whose digits were lost to the subnormals is unknown too (null, with the comparison's note).
      mean: values.count > 0 && (binomial || ValueRange.meanKeepsDigits(values.moments)) ? values.moments.mean : .nan,
      // A spread lost in double precision is unknown (null, with the comparison's note), not 0 or a few digits.
      standardDeviation: binomial || Self.hasMeasurableSpread(values) ? values.moments.standardDeviation : .nan,
      successes: binomial ? values.sum : nil,
      zeroFilled: values.zeroFilled)
  }

  private func compareProportions(
    _ controlValues: ColumnMoments, _ treatmentValues: ColumnMoments, into comparison: inout Comparison
  ) throws {
    let control = try BinomialSummary(successes: controlValues.sum, trials: controlValues.count)
    let treatment = try BinomialSummary(successes: treatmentValues.sum, trials: treatmentValues.count)
    comparison.absoluteLift = treatment.rate - control.rate
    let test = try TwoProportionZTest(
      control: control, treatment: treatment, alternative: alternative, confidenceLevel: plan.confidenceLevel)
    let result =
      try normalCritical.map { (critical) throws(StatsError) in try test.result(critical: critical) }
      ?? test.result()
    comparison.test = "z"
    comparison.statistic = result.test.statistic
    comparison.pValue = result.test.pValue
    comparison.absoluteInterval = result.absoluteInterval
    comparison.relativeLift = result.relativeLift
    comparison.relativeInterval = result.relativeInterval
    if !result.notes.isEmpty { comparison.notes += result.notes }
    // The 2×2 table's smallest expected count, without arrays (a comparison per segment and treatment).
    let total = control.trials + treatment.trials
    let columns = (
      control.successes + treatment.successes,
      (control.trials - control.successes) + (treatment.trials - treatment.successes)
    )
    let smallestExpected = min(
      control.trials * columns.0 / total, control.trials * columns.1 / total, treatment.trials * columns.0 / total,
      treatment.trials * columns.1 / total)
    if smallestExpected < Self.smallExpectedCount && total <= FisherExactTest.maximumTotal {
      // The table [[control successes, failures], [treatment successes, failures]] as four counts: no arrays.
      let pValue = try FisherExactTest.pValue(
        control.successes, control.trials - control.successes, treatment.successes,
        treatment.trials - treatment.successes, alternative: alternative)
      comparison.test = "fisher"
      comparison.statistic = nil
      comparison.pValue = pValue
      comparison.notes.append(fisherNotes.note(smallestExpected: smallestExpected))
    }
  }

  /// Refuses arms whose spread cannot be measured in double precision, with the reason.
  ///
  /// `ValueRange` says which: squared deviations with fewer than ten digits (a variance below 8.7e-314) or vanished altogether (where "no variation"
  /// would be the wrong reason), or summing beyond the largest double (M2 ∞, or NaN after a merge, whose variance
  /// reads as 0). Means and standard deviations beyond 1e150 with a finite M2 are refused by `SampleSummary`.
  static func requireMeasurableSpread(_ arms: ColumnMoments...) throws(StatsError) {
    for arm in arms { try ValueRange.require(arm.moments, field: "values") }
  }

  /// Whether an arm's standard deviation is what its values give (or a true 0): neither too small nor too large.
  static func hasMeasurableSpread(_ arm: ColumnMoments) -> Bool {
    !ValueRange.isTooSmall(arm.moments) && !ValueRange.isTooLarge(arm.moments)
  }

  private func compareMeans(
    _ controlValues: ColumnMoments, _ treatmentValues: ColumnMoments, into comparison: inout Comparison
  ) throws {
    try Self.requireMeasurableSpread(controlValues, treatmentValues)
    let control = try SampleSummary(
      count: controlValues.count, mean: controlValues.moments.mean,
      standardDeviation: controlValues.moments.standardDeviation)
    let treatment = try SampleSummary(
      count: treatmentValues.count, mean: treatmentValues.moments.mean,
      standardDeviation: treatmentValues.moments.standardDeviation)
    let result = try WelchTTest(
      control: control, treatment: treatment, alternative: alternative, confidenceLevel: plan.confidenceLevel
    ).result(normalCritical: normalCritical)
    comparison.test = "welch"
    comparison.statistic = result.test.statistic
    comparison.degreesOfFreedom = result.degreesOfFreedom
    comparison.pValue = result.test.pValue
    comparison.absoluteLift = result.difference
    comparison.absoluteInterval = result.interval
    comparison.relativeLift = result.relativeLift
    comparison.relativeInterval = result.relativeInterval
    if result.relativeLift == nil {
      comparison.notes.append("The relative lift is undefined because the control mean is 0.")
    }
  }
}

/// The note of a comparison whose p-value is Fisher's: the same text for every expected count with the same two
/// decimals, so each one is made once per metric (its value printed by `description` cost about 1,000 instructions,
/// the text 3,000 with its allocations, for 34,527 of 40,002 binary comparisons at 20,000 segments × 3 variants) and
/// the comparisons hold the one string.
final class FisherNotes {
  /// Entry k: the note for an expected count of k/100; the count is below 5 (Cochran's rule), so k ≤ 500.
  private var notes = [String?](repeating: nil, count: 501)

  /// `text(smallestExpected:)`, from the table when made before.
  func note(smallestExpected: Double) -> String {
    // `formatted2` prints (x × 100).rounded() / 100: the note depends on that whole number alone.
    let hundredths = (smallestExpected * 100).rounded()
    guard hundredths >= 0, hundredths < Double(notes.count) else {
      return Self.text(smallestExpected: smallestExpected)
    }
    let index = Int(hundredths)
    if let note = notes[index] { return note }
    let note = Self.text(smallestExpected: smallestExpected)
    notes[index] = note
    return note
  }

  static func text(smallestExpected: Double) -> String {
    "Fisher's exact test was used because an expected cell count is \(smallestExpected.formatted2) (< 5); the intervals are still normal-approximation ones and may be too narrow."
  }
}

extension Double {
  /// Two decimals, for messages.
  var formatted2: String {
    let scaled = (self * 100).rounded() / 100
    return "\(scaled)"
  }
}
