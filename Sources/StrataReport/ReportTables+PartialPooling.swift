import StrataAnalysis
import StrataStats

extension ReportTables {
  /// The sentence above the partial-pooling tables for the default model (REML without Knapp–Hartung) and two
  /// segments.
  public static let partialPoolingNote = partialPoolingNote(model: "REML")
  /// The sentences above the partial-pooling tables for the plan's model (`plan.pooling`): what the shrunken estimate
  /// is and when to quote it, and with three segments or more that its interval need not be centred on it.
  ///
  /// What Knapp–Hartung does and why the interval is centred elsewhere are in the glossary ("Knapp–Hartung
  /// adjustment", "Calibrated interval"), as is how far a segment is pulled ("Partial pooling, shrunken estimate"):
  /// the note was 499 characters with three segments before 2026-12-07, 259 after.
  public static func partialPoolingNote(plan: AnalysisPlan) -> String {
    let model =
      (plan.pooling.method == .dl ? "DerSimonian–Laird" : "REML") + (plan.pooling.knappHartung ? ", Knapp–Hartung" : "")
    let calibrated =
      plan.segments.count >= 3
      ? " The intervals allow for the spread τ being estimated, so need not centre on the shrunken estimate." : ""
    return partialPoolingNote(model: model) + calibrated
  }
  private static func partialPoolingNote(model: String) -> String {
    "Each segment's likely effect given the others (random effects, \(model)). Quote this shrunken estimate when choosing a segment: the largest raw lift is partly luck."
  }

  /// The caption under a forest plot: what its marks mean, in short sentences (under 250 characters for a
  /// plot with shrunken estimates; 437 before 2026-12-07).
  static func forestCaption(_ metric: MetricAnalysis, plan: AnalysisPlan) -> String {
    let shrunken =
      metric.partialPooling.isEmpty
      ? "" : " Blue squares: shrunken estimates, the ones to quote."
    return
      "Dots: segments (hollow = underpowered); diamonds: pooled; bars: \(level(plan)) intervals.\(shrunken) Green ▲/▼: significant, good direction; red: bad direction (corrected for the primary metric); grey: not significant."
  }
  /// Each segment's raw estimate beside its shrunken (partially pooled) one, per treatment, with the
  /// interval to quote and the chance to beat control (under the calibrated posterior from three segments).
  ///
  /// The interval accounts for the uncertainty of the between-segment spread when three segments or more are
  /// pooled (`calibratedInterval`: Morris's from four, hierarchical Bayes with three), else it is the
  /// empirical-Bayes (BLUP) one; the header says which. The best segment's note gives the interval
  /// `decision.best_segment` quotes for it, adjusted for the segments compared (the calibrated one, or
  /// without one, two segments, the raw one), since an interval at the plan's level alone does not hold it
  /// for a segment chosen as the best.
  ///
  /// Only the segments `segments` shows are listed (all by default); "best of" still counts every segment pooled.
  ///
  /// With `sharedNotesApart` (the HTML and Markdown reports), a note that every segment pooled for a variant shares
  /// (no segment stands out: all of them tie, `sharedNotes`) is left off its rows, said once above the table
  /// instead, and the Note column is left out when no row has a note: on each of the forty segments' rows of two
  /// variants, the same 95-character note made every row two lines at 1,280 px and three on a phone.
  public static func partialPooling(
    _ metric: MetricAnalysis, plan: AnalysisPlan, segments: ReportSegments? = nil, sharedNotesApart: Bool = false
  ) -> Table {
    let shown = segments ?? .all(of: plan)
    let binomial = metric.metric.kind == .binomial
    let calibrated = metric.partialPooling.allSatisfy {
      $0.segments.allSatisfy { $0.estimate.calibratedInterval != nil }
    }
    let header = [
      "Segment", "Variant", binomial ? "Raw lift (pp)" : "Raw difference",
      binomial ? "Shrunken lift (pp)" : "Shrunken difference",
      "\(level(plan)) \(calibrated ? "interval (shrunken)" : "CI (shrunken, empirical Bayes)")",
      "Pulled toward the mean", "Chance to beat control", "Note",
    ]
    var rows: [[String]] = []
    var classes: [String] = []
    for pooling in metric.partialPooling {
      let best = pooling.best(lowerIsBetter: !metric.metric.higherIsBetter)
      let tie = tieNote(pooling, lowerIsBetter: !metric.metric.higherIsBetter)
        .flatMap { sharedNotesApart && $0.everySegment ? nil : $0 }
      for s in pooling.segments where shown.contains(s.segment) {
        let interval = s.estimate.calibratedInterval ?? s.estimate.interval
        rows.append([
          s.segment, pooling.treatment, NumberText.effect(s.estimate.raw, binomial: binomial),
          NumberText.effect(s.estimate.estimate, binomial: binomial),
          NumberText.interval(interval.lower, interval.upper, binomial: binomial),
          NumberText.percent(s.estimate.shrinkage, digits: 0), NumberText.chance(s.bayesian.chanceToWin),
          s.segment == best?.segment
            ? bestNote(
              pooling.quotedInterval(for: s), of: pooling.segments.count, variants: pooling.model.variantsCompared,
              binomial: binomial) : tie.map { s.estimate.estimate == $0.estimate ? $0.note : "" } ?? "",
        ])
        classes.append("")
      }
      for segment in pooling.segmentsLeftOut where shown.contains(segment) {
        rows.append([segment, pooling.treatment, "n/a", "n/a", "n/a", "n/a", "n/a", "left out: no test"])
        classes.append("")
      }
    }
    if sharedNotesApart && rows.allSatisfy({ ($0.last ?? "").isEmpty }) {
      return Table(header: Array(header.dropLast()), rows: rows.map { Array($0.dropLast()) }, classes: classes)
    }
    return Table(header: header, rows: rows, classes: classes, highlightColumn: nil)
  }

  /// The notes that every segment pooled for a variant shares, one sentence for the variants that share one
  /// ("No segment stands out for v1 or v2: each has the same shrunken estimate in all 40 segments (τ̂² = 0)."), for
  /// the HTML and Markdown reports to say once above the partial-pooling table (`partialPooling`'s
  /// `sharedNotesApart`).
  public static func sharedNotes(_ metric: MetricAnalysis) -> [String] {
    var variants: [String: [String]] = [:]
    var order: [String] = []
    for pooling in metric.partialPooling {
      guard let tie = tieNote(pooling, lowerIsBetter: !metric.metric.higherIsBetter), tie.everySegment else {
        continue
      }
      if variants[tie.reason] == nil { order.append(tie.reason) }
      variants[tie.reason, default: []].append(pooling.treatment)
    }
    return order.map { reason in
      let names = variants[reason] ?? []
      let listed = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
      return "No segment stands out for \(listed): \(names.count == 1 ? "" : "each has ")\(reason)."
    }
  }

  /// The note on the segments tied at the top when no segment stands out (`BestChoice.segmentChoice`), with
  /// the shared shrunken estimate, whether every segment pooled ties (`everySegment`) and then what they share
  /// (`reason`: "the same shrunken estimate in all 4 segments (τ̂² = 0)"); nil when one does or fewer than two were
  /// pooled.
  static func tieNote(
    _ pooling: SegmentPooling, lowerIsBetter: Bool
  ) -> (estimate: Double, note: String, reason: String, everySegment: Bool)? {
    guard case .tied(let tied) = pooling.choice(lowerIsBetter: lowerIsBetter) else { return nil }
    let estimates = pooling.segments.map(\.estimate.estimate)
    guard let top = lowerIsBetter ? estimates.min() : estimates.max() else { return nil }
    let count = pooling.segments.count
    // "this variant", "segments": the note reads alone under a segment's name, its row beside the other variants'
    // rather than the variant's other segments, as the grouped table (`HTML.groupedTable`) lays it out.
    let zero = pooling.model.tauSquared == 0
    let note =
      tied == count && zero
      ? "the same shrunken estimate in \(DecisionText.allOf(count)) segments (τ̂² = 0)"
      : "the top \(tied) of \(count) segments tie (shrunken)"
    // Said once for every segment (`sharedNotes`), after "each has" with several variants: what every segment shares.
    let reason = "the same shrunken estimate in \(DecisionText.allOf(count)) segments\(zero ? " (τ̂² = 0)" : "")"
    return (top, "no segment stands out for this variant: \(note)", reason, tied == count)
  }

  /// "best of K segments (shrunken)" and the interval to quote for it (`decision.best_segment`'s): adjusted
  /// for the K segments compared (times the V variants, with several), the calibrated one (around the
  /// shrunken centre), or with none (two segments) the raw one.
  static func bestNote(
    _ quoted: SegmentPooling.QuotedInterval?, of count: Int, variants: Int, binomial: Bool
  ) -> String {
    let note = "best of \(count) segments (shrunken)"
    guard let quoted else { return note }
    let interval = quoted.interval
    let pairs = DecisionText.variantSegmentPairs(segments: count, variants: variants) ?? "\(count)"
    return
      "\(note); quote \(NumberText.interval(interval.lower, interval.upper, binomial: binomial))\(binomial ? " pp" : "") (\(quoted.calibrated ? "shrunken" : "raw"), adjusted for the \(pairs) compared)"
  }

  /// The random-effects model per treatment: the mean effect over segments like these, the spread τ of the
  /// true segment effects, and where a new segment's effect would fall.
  public static func randomEffects(_ metric: MetricAnalysis, plan: AnalysisPlan) -> Table {
    let binomial = metric.metric.kind == .binomial
    let unit = binomial ? " pp" : ""
    let header = [
      "Variant", binomial ? "Mean lift over segments (pp)" : "Mean difference over segments",
      "\(level(plan)) CI", "p", "Spread τ of true segment effects [\(level(plan)) CI]",
      "\(level(plan)) prediction interval, a new segment",
      "Segments pooled",
    ]
    let rows = metric.partialPooling.map { pooling -> [String] in
      let model = pooling.model
      let tau =
        magnitude(model.tau, binomial) + unit
        + (model.tauSquaredInterval.map {
          " [\(magnitude($0.lower.squareRoot(), binomial)), \(magnitude($0.upper.squareRoot(), binomial))]"
        } ?? "")
      return [
        pooling.treatment, NumberText.effect(model.mean, binomial: binomial),
        NumberText.interval(model.interval.lower, model.interval.upper, binomial: binomial),
        NumberText.pValue(model.test.pValue), tau,
        NumberText.interval(model.prediction.lower, model.prediction.upper, binomial: binomial),
        "\(model.segments) (\(model.method.rawValue)\(model.knappHartung ? ", Knapp–Hartung" : ""))",
      ]
    }
    return Table(header: header, rows: rows, classes: rows.map { _ in "" }, highlightColumn: nil)
  }

  /// A non-negative size in the metric's unit, unsigned ("1.2" pp for rates).
  private static func magnitude(_ x: Double, _ binomial: Bool) -> String {
    NumberText.number(binomial ? x * 100 : x, digits: binomial ? 1 : 2)
  }
}
