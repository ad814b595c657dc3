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
    let planned = expected.indices.filter { expected[$0] > 0 }
    let strays = expected.indices.filter { expected[$0] == 0 && observed[$0] > 0 }
    var note: String? =
      strays.isEmpty
      ? nil : "Units in variants planned at weight 0: \(strays.map { plan.variants[$0] }.joined(separator: ", "))."
    guard planned.count >= 2, observed.reduce(0, +) > 0 else {
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
}
