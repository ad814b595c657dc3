import StrataAnalysis

extension ReportTables {
  /// The glossary of one report: the general terms, then only the terms this report uses (sequential,
  /// pooling, factorial, multiple testing), in the order a reader meets them.
  public static func glossary(for analysis: Analysis) -> [(String, String)] {
    var terms = generalGlossary.filter { term, _ in
      switch term {
      case "Adjusted p": analysis.family.size > 1
      case "Pooled estimate", "Heterogeneity": analysis.metrics.contains { !$0.pooled.isEmpty }
      case "Underpowered": analysis.metrics.contains { $0.comparisons.contains(where: \.underpowered) }
      case "Guardrail": !analysis.metrics(role: .guardrail).isEmpty
      default: true
      }
    }
    let d = analysis.decision
    if analysis.plan.minimumDetectableEffect != nil {
      terms.append(
        (
          "Minimum detectable effect (MDE)",
          "The smallest effect the plan was sized to detect with its power; \"so far the data detect\" is the same number for the data collected up to now."
        ))
    }
    if d.treatments.contains(where: { ($0.effect?.adjustedFor ?? 1) > 1 }) {
      // 392 characters with Holm's sentence before 2026-12-07.
      let holm =
        d.treatments.contains { $0.effect?.intervalKind == .confidence }
        ? " Credible means passing Holm's test, less strict after its first step: rarely, a credible variant's interval touches 0."
        : ""
      terms.append(
        (
          "Adjusted interval",
          "Each interval is at α/K for the K variants compared (Bonferroni), so wider: together they hold at the plan's level, the best one's included.\(holm)"
        ))
    }
    if analysis.metrics.contains(where: { $0.pooled.contains { $0.method == "mantel-haenszel" } }) {
      terms.append(
        (
          "Mantel–Haenszel (MH), CMH",
          "Mantel–Haenszel combines the rate differences of the segments into one, weighting each segment by its size; the Cochran–Mantel–Haenszel (CMH) test asks whether that common effect is zero."
        ))
    }
    if analysis.metrics.contains(where: { !$0.pooled.isEmpty }) {
      terms.append(
        (
          "\"All segments\" row vs pooled estimate",
          "The \"All segments\" row lumps every unit together without regard to segment; the pooled estimate compares like with like inside each segment first. Quote the pooled estimate."
        ))
    }
    if analysis.metrics.contains(where: { !$0.partialPooling.isEmpty }) {
      terms.append(
        (
          "Partial pooling, shrunken estimate",
          "A random-effects model estimates how much the segments' true effects differ (τ) and pulls each segment's estimate toward the mean, more where its data say less: the shrunken estimate, what to expect after rollout. The largest raw lift is partly luck."
        ))
      if analysis.plan.segments.count >= 3 {
        terms.append(
          (
            "Calibrated interval",
            "From three segments, intervals and chances to beat control allow for τ being itself estimated: Morris's interval, or hierarchical Bayes with three segments. The intervals centre on that model's estimate, not always on the shrunken one."
          ))
      }
      if analysis.plan.pooling.knappHartung {
        terms.append(
          (
            "Knapp–Hartung adjustment",
            "The plan's choice for the mean over segments: its interval and p-value use a t distribution with K − 1 degrees of freedom (K segments pooled) instead of the normal."
          ))
      }
    }
    if d.bestSegment != nil {
      terms.append(
        (
          "Interval of the best segment",
          "Widened for the number of segments (times variants) the best was picked from (Bonferroni: each at α/K): an interval at the plan's level alone covers the segment that looks best less often than that level."
        ))
    }
    if analysis.metrics.contains(where: { $0.comparisons.contains { $0.bayesian != nil } }) {
      terms.append(
        (
          "Chance to win, risk",
          "The Bayesian reading of a comparison. Chance to win (to beat control): the probability that the variant is better than control. Risk of shipping the variant, or of keeping control (expected loss): how much that choice loses on average if it is the wrong one. A small risk of shipping means little to lose even if the variant is not truly better."
        ))
    }
    terms += adjustmentGlossary(for: analysis)
    if let s = analysis.look.sequential {
      terms.append(
        (
          "Look, boundary",
          "Each analysis of data still coming in is a look. A group-sequential plan sets a boundary per look: a z beyond it stops the test; inside it, keep collecting."
        ))
      terms.append(
        (
          "Information fraction",
          "How much of the planned data a comparison has: its units so far divided by the planned maximum. Above 100% means more units than planned; the comparison is at its final look."
        ))
      if let spending = s.spending {
        terms.append(
          (
            "Spending (\(spending))",
            "How the plan's α is spent over the looks: O'Brien–Fleming (obf) spends almost nothing early and keeps the final look close to a fixed test; Pocock spends evenly; HSD(γ) lies between."
          ))
      }
      terms.append(
        (
          "Always-valid p-value and interval",
          "Results from a mixture sequential probability ratio test that stay valid however often and whenever the data are looked at, including looks the plan did not foresee."
        ))
      if d.effect?.intervalKind == .repeatedConfidence {
        terms.append(
          (
            "Repeated confidence interval",
            "The estimate ± this look's boundary × its standard error: wider than a fixed-horizon interval, and valid at every planned look."
          ))
      }
    }
    if let factorial = analysis.factorial {
      terms.append(
        (
          "Factor, level, cell",
          "A factorial test varies several factors (subject, image, …) at once; each variant is a cell, one level of every factor."
        ))
      terms.append(
        (
          "Main effect, interaction",
          "A main effect is one factor's effect averaged over the other factors' levels; an interaction means one factor's effect depends on another's level."
        ))
      terms.append(
        (
          "ANOVA (Type III), HC1",
          "The table that tests each factor and interaction; Type III tests each term after all the others, and HC1 standard errors stay valid when the spread differs between cells."
        ))
      terms.append(
        (
          "Šidák simultaneous interval",
          "Intervals widened so that all cells' intervals hold together at the stated level, for an honest best cell."
        ))
      if !factorial.aliasingCaveats.isEmpty {
        terms.append(
          (
            "Aliasing",
            "In a fractional design some effects cannot be told apart from others (their aliases); each estimate is their sum."
          ))
      }
    }
    return terms
  }
}
