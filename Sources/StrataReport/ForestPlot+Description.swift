import StrataStats

extension ForestPlot {
  /// What the chart shows, for its `<desc>` (read out by a screen reader): every row when there are few
  /// (`ChartSummary.describedInFull` or fewer), else a summary in short sentences that points at the results table
  /// below the chart, which lists every row.
  ///
  /// The summary: how many segment results and how many significant, their range, the two highest and the
  /// lowest (with the shrunken estimate where there is one), and the pooled rows (their range beyond three
  /// variants). At 40 segments × 2 variants with 73-character names the description read out every row,
  /// 7,945 characters; the summary is under 700 (`ReadableSentenceTests`).
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
    // One row of the summary: "lille free_delivery +7.9 pp [+4.2, +11.5] (significant; shrunken +5.4 pp)".
    let line = { (row: Row, name: String) -> String in
      let notes =
        (row.significant ? ["significant"] : []) + (row.shrunken.map { ["shrunken \(effect($0.estimate))"] } ?? [])
      return
        "\(name) \(effect(row.estimate)) \(interval(row.lower, row.upper))\(notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))")"
    }
    let segments = rows.filter { !$0.pooled }
    let pooled = rows.filter(\.pooled)
    var sentences: [String] = []
    if let low = segments.min(by: { $0.estimate < $1.estimate }),
      let high = segments.max(by: { $0.estimate < $1.estimate })
    {
      let significant = segments.filter(\.significant).count
      sentences.append(
        "\(NumberText.count(segments.count)) segment results, \(NumberText.count(significant)) significant, from \(effect(low.estimate)) to \(effect(high.estimate))"
      )
      sentences += ChartSummary.highestAndLowest(segments.map(\.estimate)) {
        line(segments[$0], "\(segments[$0].label) \(segments[$0].sublabel)")
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
        sentences.append("\(first.label): " + pooled.map { line($0, $0.sublabel) }.joined(separator: "; "))
      }
    }
    return sentences.joined(separator: ". ") + ". The results table below lists every row."
  }
}
