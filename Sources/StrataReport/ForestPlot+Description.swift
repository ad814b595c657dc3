import StrataStats

extension ForestPlot {
  /// What the chart shows, for its `<desc>` (read out by a screen reader): every row when there are few
  /// (`ChartSummary.describedInFull` or fewer), else a summary in short sentences that points at the results table
  /// below the chart, which lists every row.
  ///
  /// The summary: how many segment results and how many significant, the two highest and the lowest, and the
  /// pooled rows (their range beyond three variants), each with its estimate and whether it is significant; the
  /// intervals and shrunken estimates are in the table. At 40 segments × 2 variants with 73-character names the
  /// description read out every row, 7,945 characters; gym-renewal's summary was 446 characters with the intervals,
  /// the range and the shrunken estimates, 281 without (99 of them names; `ReadableSentenceTests`).
  static func description(_ rows: [Row], binomial: Bool) -> String {
    let effect = { (x: Double) in NumberText.effect(x, binomial: binomial) }
    let interval = { (lower: Double, upper: Double) in NumberText.interval(lower, upper, binomial: binomial) }
    guard rows.count > ChartSummary.describedInFull else {
      return rows.map { row in
        let shrunken = row.shrunken.map { ", shrunken \(effect($0.estimate)) \(interval($0.lower, $0.upper))" }
        return
          "\(row.label) \(row.sublabel): \(effect(row.estimate)) \(interval(row.lower, row.upper))\(row.significant ? " significant" : "")\(shrunken ?? "")"
      }.joined(separator: "; ")
    }
    // One row of the summary: "lille free_delivery +7.9 pp".
    let line = { (row: Row) in "\(row.pooled ? "" : "\(row.label) ")\(row.sublabel) \(effect(row.estimate))" }
    let segments = rows.filter { !$0.pooled }
    let pooled = rows.filter(\.pooled)
    var sentences: [String] = []
    if !segments.isEmpty {
      let significant = segments.filter(\.significant).count
      sentences.append(
        "\(NumberText.count(segments.count)) segment results, \(NumberText.count(significant)) significant")
      sentences += ChartSummary.highestAndLowest(segments.map(\.estimate), significant: { segments[$0].significant }) {
        line(segments[$0])
      }
    }
    if let first = pooled.first {
      if pooled.count > 3, let low = pooled.min(by: { $0.estimate < $1.estimate }),
        let high = pooled.max(by: { $0.estimate < $1.estimate })
      {
        sentences.append(
          "\(first.label), \(NumberText.count(pooled.count)) variants: from \(effect(low.estimate)) (\(low.sublabel)) to \(effect(high.estimate)) (\(high.sublabel))"
        )
      } else {
        sentences.append(
          ChartSummary.list(first.label, Array(pooled.indices), significant: { pooled[$0].significant }) {
            line(pooled[$0])
          })
      }
    }
    return sentences.joined(separator: ". ") + ". The results table below lists every row."
  }
}
