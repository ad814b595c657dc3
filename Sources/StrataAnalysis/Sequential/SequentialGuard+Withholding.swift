import StrataStats

extension SequentialGuard {
  /// Applies the look's decision to the rest of the analysis: at an unplanned look the primary metric's
  /// naive p-values (per comparison and pooled) are withheld and replaced by a note with the always-valid
  /// p-value and interval. (The decision itself is `DecisionMaker`'s, run again after the guard.)
  static func withhold(_ sequential: SequentialAnalysis, in analysis: inout Analysis) {
    let binomial = analysis.plan.primaryMetricIndex.map { analysis.plan.metrics[$0].kind == .binomial } ?? true
    let single = analysis.plan.segments.count == 1
    let label = sequential.interim ? "Interim view (not a look)" : "Unplanned look \(sequential.look)"
    if sequential.unplanned, let primary = analysis.plan.primaryMetricIndex {
      for index in analysis.metrics[primary].comparisons.indices {
        var comparison = analysis.metrics[primary].comparisons[index]
        let row = sequential.rows.first {
          $0.treatment == comparison.treatment && ($0.segment == comparison.segment || single)
        }
        comparison.pValue = nil
        comparison.adjustedPValue = nil
        if let row, let result = row.decision.alwaysValid {
          comparison.significant = row.decision.action.rejects
          comparison.notes.append(
            "\(label): naive p-value withheld; always-valid p = \(NumberText.pValue(result.runningPValue)), interval \(NumberText.interval(result.runningInterval.lower, result.runningInterval.upper, binomial: binomial))."
          )
        } else {
          comparison.significant = false
          comparison.notes.append("\(label): naive p-value withheld.")
        }
        analysis.metrics[primary].comparisons[index] = comparison
      }
      for index in analysis.metrics[primary].pooled.indices {
        analysis.metrics[primary].pooled[index].pValue = .nan
        analysis.metrics[primary].pooled[index].cochranMantelHaenszel = nil
        analysis.metrics[primary].pooled[index].notes.append(
          "\(label): naive p-value withheld (see the sequential decision).")
      }
    }
  }
}
