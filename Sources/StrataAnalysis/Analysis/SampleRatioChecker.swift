import StrataStats

/// The sample-ratio-mismatch check: Pearson's χ² goodness of fit of units per variant against the planned
/// weights, for all segments together and for each segment, with Holm's adjustment across segments.
///
/// The overall expected split is the sum of each segment's planned split (segments may override weights).
/// Variants planned at weight 0 are left out of the test; any unit observed in one is itself a mismatch.
struct SampleRatioChecker {
  let plan: AnalysisPlan
  var threshold: Double { plan.srmThreshold }

  func check(_ statistics: SufficientStatistics) throws -> SampleRatioCheck {
    var segmentRows: [SampleRatioCheck.Row] = []
    var overallExpected = [Double](repeating: 0, count: plan.variants.count)
    for segment in plan.segments.indices {
      let observed = plan.variants.indices.map { statistics.units(variant: $0, segment: segment) }
      let weights = plan.segmentWeights[segment]
      let total = Double(observed.reduce(0, +))
      let weightSum = weights.reduce(0, +)
      let expected = weights.map { total * $0 / weightSum }
      for index in expected.indices { overallExpected[index] += expected[index] }
      guard total > 0 else { continue }
      segmentRows.append(try row(segment: plan.segments[segment], observed: observed, expected: expected))
    }
    let observed = plan.variants.indices.map { statistics.units(variant: $0) }
    let overall = try row(segment: nil, observed: observed, expected: overallExpected)
    let adjusted = try MultipleTestingCorrection.holm.adjust(segmentRows.map(\.pValue))
    for index in segmentRows.indices {
      segmentRows[index].adjustedPValue = adjusted[index]
      segmentRows[index].mismatch = segmentRows[index].mismatch || adjusted[index] < threshold
    }
    return SampleRatioCheck(overall: overall, segments: segmentRows, threshold: threshold)
  }

  private func row(segment: String?, observed: [Int], expected: [Double]) throws -> SampleRatioCheck.Row {
    if let row = try plainRow(segment: segment, observed: observed, expected: expected) { return row }
    let planned = expected.indices.filter { expected[$0] > 0 }
    let strays = expected.indices.filter { expected[$0] == 0 && observed[$0] > 0 }
    var note: String? =
      strays.isEmpty
      ? nil : "Units in variants planned at weight 0: \(strays.map { plan.variants[$0] }.joined(separator: ", "))."
    // Units only in variants planned at weight 0 leave nothing to test among the planned ones: the strays alone
    // are the mismatch (before, the test refused the empty counts and the whole analysis stopped).
    guard planned.count >= 2, planned.contains(where: { observed[$0] > 0 }) else {
      let noUnits = observed.reduce(0, +) == 0
      note =
        note
        ?? (noUnits ? "No units here; nothing to check." : "Fewer than two variants planned here; nothing to check.")
      return SampleRatioCheck.Row(
        segment: segment, observed: observed, expected: expected, statistic: 0, degreesOfFreedom: 0, pValue: 1,
        adjustedPValue: nil, mismatch: !strays.isEmpty, note: note)
    }
    let test = try ChiSquaredGoodnessOfFitTest(
      observed: planned.map { Double(observed[$0]) }, weights: planned.map { expected[$0] })
    let result = try test.result()
    return SampleRatioCheck.Row(
      segment: segment, observed: observed, expected: expected, statistic: result.test.statistic,
      degreesOfFreedom: result.degreesOfFreedom, pValue: result.test.pValue, adjustedPValue: nil,
      mismatch: segment == nil ? (result.test.pValue < threshold || !strays.isEmpty) : !strays.isEmpty, note: note)
  }

  /// `row`'s result for the usual row, computed in place: every variant planned (expected count above 0) or empty,
  /// at least two planned, units in them, and finite counts and χ²; nil for any other row, which `row` works out
  /// through `ChiSquaredGoodnessOfFitTest` as before.
  ///
  /// The same sums in the same order as the test's (its totals from 0, left to right; each term `d × d / e`), so
  /// the same bits; where the test made seven arrays a row (planned and stray variants, its observed counts and
  /// weights, the expected counts twice), about 2,500 of the 4,500 instructions of a segment's row at 20,000
  /// segments.
  private func plainRow(segment: String?, observed: [Int], expected: [Double]) throws -> SampleRatioCheck.Row? {
    var planned = 0
    var units = 0.0
    var weightTotal = 0.0
    for index in expected.indices {
      guard expected[index] > 0 else {
        // A stray (units in a variant planned at weight 0) or an expected count that is not a number: `row`.
        guard observed[index] == 0, expected[index] == 0 else { return nil }
        continue
      }
      let count = Double(observed[index])
      guard count >= 0, count <= StatsError.largestCount, expected[index].isFinite else { return nil }
      planned += 1
      units += count
      weightTotal += expected[index]
    }
    guard planned >= 2, units > 0, weightTotal.isFinite else { return nil }
    var statistic = 0.0
    for index in expected.indices where expected[index] > 0 {
      let expectedUnits = units * expected[index] / weightTotal
      let deviation = Double(observed[index]) - expectedUnits
      statistic += deviation * deviation / expectedUnits
    }
    guard statistic.isFinite else { return nil }
    let degreesOfFreedom = Double(planned - 1)
    let pValue = try ChiSquared(degreesOfFreedom: degreesOfFreedom).survival(statistic)
    return SampleRatioCheck.Row(
      segment: segment, observed: observed, expected: expected, statistic: statistic,
      degreesOfFreedom: degreesOfFreedom, pValue: pValue, adjustedPValue: nil,
      mismatch: segment == nil ? pValue < threshold : false, note: nil)
  }
}
