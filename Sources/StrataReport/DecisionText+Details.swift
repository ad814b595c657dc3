import Foundation
import StrataAnalysis
import StrataAssignment
import StrataStats

extension DecisionText {
  /// At most three bullets under the headline: the other variants, guardrails that moved, segments that
  /// differ.
  public static func bullets(_ analysis: Analysis) -> [String] {
    Array(allDetails(analysis).key.prefix(3))
  }

  /// Everything else, for the folded part of the verdict (and the JSON's `verdict.details`, after the
  /// bullets).
  public static func moreDetails(_ analysis: Analysis) -> [String] {
    let all = allDetails(analysis)
    return Array(all.key.dropFirst(3)) + all.more
  }

  /// Bullets then folded details, the JSON's `verdict.details`.
  public static func details(_ analysis: Analysis) -> [String] { bullets(analysis) + moreDetails(analysis) }

  /// The key details (the first three are the bullets) and the folded rest, worked out once.
  static func allDetails(_ analysis: Analysis) -> (key: [String], more: [String]) {
    let d = analysis.decision
    let plan = analysis.plan
    let binomial = binomial(analysis)
    var key: [String] = []
    var more: [String] = []
    if analysis.sampleRatio.mismatch {
      let segments = analysis.sampleRatio.segments.filter(\.mismatch).compactMap(\.segment)
      let place = segments.isEmpty ? "overall" : "in " + ReportSegments.list(segments)
      key.append(
        "Sample ratio mismatch \(place) (SRM p = \(NumberText.pValue(analysis.sampleRatio.overall.pValue)) overall): find the cause (assignment bug, tracking loss, bot filtering) before acting on any result."
      )
    }
    if let factorial = analysis.factorial, let line = factorialSummary(factorial, alpha: plan.alpha) {
      key.append(line)
    }
    let others = d.treatments.filter { $0.treatment != d.variant }.compactMap(\.effect)
    let credibleOthers = others.filter(\.credible)
    let rest = others.filter { !$0.credible }
    if !others.isEmpty {
      // The interval's kind said once when the credible variants share it (seven variants of a factorial repeated
      // "(99.3% repeated CI [...] pp at this look's boundary, adjusted for 7 variants compared)" on each: 470
      // characters), and the variants that are not credible in a sentence of their own.
      let place = others.first.map(scope) ?? ""
      var sentences: [String] = []
      let kinds = Set(credibleOthers.map(intervalName))
      if credibleOthers.count > 1, kinds.count == 1, let kind = kinds.first {
        let list = credibleOthers.map {
          "\($0.treatment) \(NumberText.effect($0.estimate, binomial: binomial)) \(NumberText.interval($0.lower, $0.upper, binomial: binomial))"
        }
        sentences.append("Also credible\(place) (each \(kind)): \(list.joined(separator: "; ")).")
      } else if !credibleOthers.isEmpty {
        let list = credibleOthers.map { "\($0.treatment) \(effect($0, binomial: binomial))" }
        sentences.append("Also credible\(place): \(list.joined(separator: "; ")).")
      }
      if !rest.isEmpty {
        let list = rest.map { "\($0.treatment) \(NumberText.effect($0.estimate, binomial: binomial))" }
        let lead =
          credibleOthers.isEmpty ? "Other variants\(place), not distinguishable" : "Not distinguishable"
        sentences.append("\(lead) from no effect: \(list.joined(separator: ", ")).")
      }
      key.append(sentences.joined(separator: " "))
    }
    if let best = d.bestSegment {
      key.append(bestSegment(best, binomial: binomial, interim: d.action == .keepRunning))
    } else if let none = d.noSegmentStandsOut {
      key.append(noSegmentStandsOut(none, binomial: binomial))
    }
    // The decision's variant's guardrails first, each sentence saying which variant it is about: a guardrail
    // of another variant beside the one to ship reads as if it were the shipped variant's.
    let decided = d.variant
    let role = d.action == .ship ? "the variant to ship" : "the variant named above"
    for guardrail in analysis.metrics(role: .guardrail) {
      let higherIsBetter = guardrail.metric.higherIsBetter
      let isBinomial = guardrail.metric.kind == .binomial
      let moved = guardrail.comparisons(segment: nil).filter(\.significant)
      for c in moved.filter({ $0.treatment == decided }) + moved.filter({ $0.treatment != decided }) {
        let rose = c.absoluteLift > 0
        let verdict =
          rose == higherIsBetter ? "good for this guardrail" : "bad for this guardrail: weigh it against the gain"
        let which = decided.map { c.treatment == $0 ? ", \(role)" : " (not \(role))" } ?? ""
        key.append(
          "Guardrail \(guardrail.metric.name) \(rose ? "rose" : "fell") under \(c.treatment)\(which): \(NumberText.effect(c.absoluteLift, binomial: isBinomial)) (p = \(NumberText.pValue(c.pValue)), \(verdict))."
        )
      }
    }
    if let primary = plan.primaryMetricIndex.map({ analysis.metrics[$0] }) {
      for pooled in primary.pooled {
        if let p = pooled.heterogeneity.pValue, p < 0.05 {
          let i2 = pooled.heterogeneity.iSquared.map { ", I² = \(NumberText.percent($0, digits: 0))" } ?? ""
          key.append(
            "The effect of \(pooled.treatment) differs between segments (Cochran's Q p = \(NumberText.pValue(p))\(i2)): read the per-segment results, not only the pooled number."
          )
        }
      }
      let significant = primary.comparisons.filter { $0.segment != nil && $0.significant }
      // Thousands of segments: the first ones, then how many more (a handful of segments lists every one).
      let listed = plan.segments.count > ReportSegments.limit ? ReportSegments.limit : significant.count
      // Only when a segment is listed: a table of every treatment's segments by name cost 41 M instructions at
      // 20,000 segments × 3 variants, where none was significant.
      let shrunkenBy = listed > 0 && !significant.isEmpty ? primary.shrunkenSegments() : [:]
      for c in significant.prefix(listed) {
        let shrunken =
          c.segment.flatMap { shrunkenBy[c.treatment]?[$0] }
          .map { "; partially pooled \(NumberText.effect($0.estimate.estimate, binomial: binomial))" } ?? ""
        more.append(
          "In segment \(c.segment ?? ""), \(c.treatment) is \(NumberText.effect(c.absoluteLift, binomial: binomial)) (\(segmentP(c, family: analysis.family))\(shrunken))."
        )
      }
      if significant.count > listed {
        more.append(
          "And \(NumberText.count(significant.count - listed)) more significant segment results (every segment's results are in the results CSV and the JSON)."
        )
      }
      // The names only, without a copy of every underpowered comparison.
      if let underpowered = primary.underpoweredSegments(of: plan.segments) {
        more.append(underpoweredSegments(underpowered, of: plan.segments.count))
      }
    }
    if let effect = d.effect { more.append(ruleSentence(effect, analysis: analysis)) }
    if let factorial = analysis.factorial {
      more += FactorialText.findings(factorial, alpha: plan.alpha)
    }
    return (key, more)
  }

  /// The primary metric's underpowered segments, in one sentence.
  ///
  /// By name when the names fit ("Underpowered segments (fewer units than planned): north, south."), else how many,
  /// where each is flagged and the first few: "…: all 20 segments, each flagged in the per-segment results (north
  /// and 19 more)." Beyond `ReportSegments.limit` segments the tables show only that many, so the sentence points
  /// at the JSON and the results CSV, which flag every one: "…: all 40 segments, each flagged in the JSON and the
  /// results CSV (north and 39 more)."
  static func underpoweredSegments(_ names: [String], of total: Int) -> String {
    let lead = "Underpowered segments (fewer units than planned)"
    let list = ReportSegments.list(names)
    guard !ReportSegments.listsAll(names) else { return "\(lead): \(list)." }
    let how =
      names.count == total
      ? "all \(NumberText.count(total))" : "\(NumberText.count(names.count)) of the \(NumberText.count(total))"
    let flagged = total > ReportSegments.limit ? "the JSON and the results CSV" : "the per-segment results"
    return "\(lead): \(how) segments, each flagged in \(flagged) (\(list))."
  }

  /// Where the decision's variant works best, by its shrunken estimate, with how many segments were
  /// compared and why the raw estimate is not the one to quote.
  ///
  /// A lead sentence a reader can quote from (the segment, the shrunken estimate, the interval adjusted for
  /// the segments compared, each at 1 − α/K, and the chance to beat control), then one short sentence of
  /// qualifications: the raw estimate is partly luck, and where the interval is centred when that is not the
  /// shrunken estimate printed (the calibrated estimate; with two segments, the raw one, since no interval
  /// around the shrunken estimate holds its level there). Why the interval is adjusted is the glossary's.
  /// Under 250 characters for the lead and 160 for the rest with names of a few words
  /// (`ReadableSentenceTests`). Segments left out without a test, if any, follow in a sentence of their own
  /// (``leftOutSentence(_:)``): they are neither compared nor counted in the adjustment.
  ///
  /// At an interim look (the decision is to keep running) the same facts are labelled as interim, so that
  /// nobody acts on a segment the plan has not finished testing.
  static func bestSegment(_ best: Decision.BestSegment, binomial: Bool, interim: Bool = false) -> String {
    let unit = binomial ? " pp" : ""
    let bounds = "\(NumberText.interval(best.lower, best.upper, binomial: binomial))\(unit)"
    let leftOut = leftOutSentence(best.segmentsLeftOut)
    let shrunken = NumberText.effect(best.estimate, binomial: binomial)
    let raw = NumberText.effect(best.raw, binomial: binomial)
    let lead =
      interim
      ? "Interim, not to act on before the next decision point: so far \(best.treatment) leads in \(best.segment) with \(shrunken)"
      : "Works best in \(best.segment) for \(best.treatment): \(shrunken)"
    let pairs =
      variantSegmentPairs(segments: best.segmentsCompared, variants: best.variantsCompared)
      ?? "\(NumberText.count(best.segmentsCompared)) segments"
    let finding =
      "\(lead) (shrunken estimate), \(level(best.level)) interval \(bounds) adjusted for the \(pairs) compared (Bonferroni, \(eachLevel(best.adjustedLevel)) each), chance to beat control \(NumberText.chance(best.chanceToWin))."
    guard best.intervalKind == .rawAdjusted else {
      // The calibrated interval is centred on the calibrated posterior's mean, which usually shrinks less than
      // the BLUP printed: say where its middle is when the two differ as printed.
      let centred = best.intervalCentre.map { NumberText.effect($0, binomial: binomial) }.flatMap {
        $0 == shrunken ? nil : "; the interval is centred on the calibrated estimate, \($0)"
      }
      return "\(finding) The raw \(raw) is partly luck, not the one to quote\(centred ?? "").\(leftOut)"
    }
    // Two segments: no interval around the shrunken estimate holds its level (the BLUP one covers 77–80% once
    // the segments differ), so the interval quoted is the raw one, adjusted for the segments compared.
    return
      "\(finding) The interval is centred on the raw \(raw), which is partly luck: with so few segments the shrunken estimate has no interval that holds its level.\(leftOut)"
  }

  /// " 2 segments left out without a test: north, south." (with its leading space), or "" when none was: a
  /// sentence of its own after the finding, since those segments are neither compared nor in the adjustment.
  static func leftOutSentence(_ names: [String]) -> String {
    guard !names.isEmpty else { return "" }
    let segments = names.count == 1 ? "segment" : "segments"
    return " \(NumberText.count(names.count)) \(segments) left out without a test: \(ReportSegments.list(names))."
  }

  /// Why no segment is named as where the variant works best although several were pooled: the pooled
  /// model estimates the same effect in all of them (τ̂² = 0), or the top few tie.
  static func noSegmentStandsOut(_ none: Decision.NoSegmentStandsOut, binomial: Bool) -> String {
    return
      "No segment stands out for \(none.treatment): \(tieClause(none, binomial: binomial)), so none is named as where it works best.\(leftOutSentence(none.segmentsLeftOut))"
  }

  /// "the pooled model estimates the same effect in all 4 segments (both segments with two) (τ̂² = 0: +4.3 pp)", or "the top 2 of
  /// the 5 segments compared tie on the shrunken estimate (+4.3 pp)".
  static func tieClause(_ none: Decision.NoSegmentStandsOut, binomial: Bool) -> String {
    let estimate = NumberText.effect(none.estimate, binomial: binomial)
    return none.tied == none.segmentsCompared && none.tauSquared == 0
      ? "the pooled model estimates the same effect in \(allOf(none.segmentsCompared)) segments (τ̂² = 0: \(estimate))"
      : "the top \(NumberText.count(none.tied)) of the \(NumberText.count(none.segmentsCompared)) segments compared tie on the shrunken estimate (\(estimate))"
  }

  /// "both" for two, "all K" for more.
  static func allOf(_ count: Int) -> String { count == 2 ? "both" : "all \(NumberText.count(count))" }

  /// "2 segments × 7 variants" when the segment was chosen within a variant that was itself the best of
  /// several (the pairs an interval for a chosen segment is adjusted for); nil with one variant, where the
  /// caller names the segments alone (the verdict "the 3 segments", the pooling table "the 3").
  static func variantSegmentPairs(segments: Int, variants: Int) -> String? {
    variants > 1 ? "\(NumberText.count(segments)) segments × \(variants) variants" : nil
  }

  /// A level 1 − α/K near 100%, with as many decimals as it takes to show how far below 100% it is
  /// ("97.5%", "99.6%", "99.99%"; never "100%").
  public static func eachLevel(_ x: Double) -> String {
    let miss = (1 - x) * 100
    let digits = miss > 0 ? max(1, Int((-log10(miss)).rounded(.up))) : 1
    var text = NumberText.number(x * 100, digits: min(digits, 8))
    // "95.0%" (a 90% plan, two segments) reads as 95%.
    if text.contains(".") {
      while text.hasSuffix("0") { text.removeLast() }
      if text.hasSuffix(".") { text.removeLast() }
    }
    return text + "%"
  }

  /// Which factors and interactions matter for the primary metric, in one bullet (nil without a fit).
  static func factorialSummary(_ factorial: FactorialAnalysis, alpha: Double) -> String? {
    guard let metric = factorial.metrics.first(where: { $0.metric.role == .primary }),
      let result = metric.overall?.result
    else { return nil }
    let design = factorial.design
    let terms = result.anova.filter { $0.test.pValue < alpha }
    let mains = terms.filter { $0.term.length == 1 }.map { design.factors[$0.term.factors[0]].name }
    let interactions = terms.filter { $0.term.length >= 2 }.map { row in
      "\(row.term.factors.map { design.factors[$0].name }.joined(separator: " × ")) (p = \(NumberText.pValue(row.test.pValue)))"
    }
    guard !mains.isEmpty || !interactions.isEmpty else {
      return "Factorial: no factor or interaction changes \(metric.metric.name) detectably (each term at α = \(alpha))."
    }
    var parts: [String] = []
    if !mains.isEmpty {
      parts.append("\(mains.joined(separator: ", ")) \(mains.count == 1 ? "changes" : "change") \(metric.metric.name)")
    }
    if !interactions.isEmpty { parts.append("interactions: \(interactions.joined(separator: ", "))") }
    return
      "Factorial: \(parts.joined(separator: "; ")) (per-term p at α = \(alpha), unadjusted; see the factorial section)."
  }

  /// A segment comparison's p with the family it was adjusted in.
  ///
  /// "p = 0.0009, holm-adjusted over the 4 segment × variant comparisons". The headline's adjusted p belongs
  /// to another family (Holm over the variants compared), so the words say which; without an adjustment,
  /// "unadjusted".
  static func segmentP(_ c: Comparison, family: ComparisonFamily) -> String {
    guard let adjusted = c.adjustedPValue, family.correction != .none else {
      return "p = \(NumberText.pValue(c.pValue)), unadjusted"
    }
    return
      "p = \(NumberText.pValue(adjusted)), \(family.correction.rawValue)-adjusted over the \(NumberText.count(family.size)) segment × variant \(family.size == 1 ? "comparison" : "comparisons")\(family.metrics.count > 1 ? " of \(family.metrics.count) metrics" : "")"
  }

  /// How the headline interval was computed, in one sentence.
  static func ruleSentence(_ effect: Decision.Effect, analysis: Analysis) -> String {
    let scope =
      effect.scope == .pooled
      ? "pooled across segments (\(binomial(analysis) ? "Mantel–Haenszel risk difference" : "inverse-variance weighted"))"
      : "over all units"
    switch effect.intervalKind {
    case .confidence:
      let alpha = analysis.plan.alpha
      guard effect.adjustedFor > 1 else {
        return
          "The headline estimate is \(scope). Its interval is at the plan's level, so it excludes 0 exactly when p is below α = \(alpha)."
      }
      let reachesZero = effect.credible && effect.lower <= 0 && effect.upper >= 0
      let caveat =
        reachesZero
        ? " Here Holm calls it credible (adjusted p = \(effect.pValue.map(NumberText.pValue) ?? "n/a")) although its interval reaches 0: Holm's later steps test at α/(K − r + 1), less strictly than the simultaneous interval."
        : ""
      return
        "The headline estimate is \(scope). Its interval is simultaneous over the \(effect.adjustedFor) variants compared (Bonferroni, each at α/\(effect.adjustedFor) with α = \(alpha)). It covers the named variant's effect at the plan's level however that variant was picked. Credibility is Holm's step-down test (adjusted p below α).\(caveat)"
    case .repeatedConfidence:
      return
        "The headline estimate is \(scope). Its interval is the repeated confidence interval at this look's planned boundary (α split over \(effect.adjustedFor == 1 ? "1 variant" : "\(effect.adjustedFor) variants")), which keeps its coverage however many planned looks are taken."
    case .alwaysValid:
      return
        "The headline estimate is \(scope). Its interval is the always-valid (mixture SPRT) interval at α/\(effect.adjustedFor), valid at any look."
    }
  }

  /// "Next step: …" in numbers, and how small an effect the data can detect so far.
  public static func nextStep(_ analysis: Analysis) -> String {
    let d = analysis.decision
    let plan = analysis.plan
    let binomial = binomial(analysis)
    let step = d.nextStep
    var text: String
    switch d.action {
    case .ship:
      text = "Roll out \(d.variant.map { variant($0, plan: plan) } ?? "the variant") and keep watching the guardrails."
    case .doNotShip:
      text = "Keep \(control(plan)); do not roll out \(d.variant ?? "the variant")."
    case .doNotTrust:
      text = "Find the cause of the sample ratio mismatch, fix it and collect the data again."
    case .keepRunning:
      let units = step.moreUnitsPerArm.map { "about \(NumberText.count($0)) more units per arm" } ?? "more units"
      let days =
        step.days.map { " (≈ \($0) day\($0 == 1 ? "" : "s") at \(NumberText.count(step.dailyUnits ?? 0)) units a day)" }
        ?? ""
      let goal = step.nextLook.map { " to reach look \($0) of \(plan.looks)" } ?? " to reach the planned sample"
      text = "Collect \(units)\(days)\(goal); do not act on interim numbers."
    case .stopForFutility:
      text = "Stop the experiment: the effect, if any, is below the minimum effect worth detecting."
    case .inconclusive:
      text = "Decide whether an effect this small matters; if it does, run a larger test."
    }
    if let achieved = step.achievedMinimumEffect {
      let planned =
        step.plannedMinimumEffect.map { " (the plan: \(NumberText.effect($0, binomial: binomial).dropFirst()))" } ?? ""
      text +=
        " So far the data detect an effect of \(NumberText.effect(achieved, binomial: binomial).dropFirst()) or more with \(NumberText.percent(plan.power, digits: 0)) power\(planned)."
    }
    return text
  }
}
