import StrataAssignment

/// Writes an experiment as YAML in the loader's format (used by `strata new`); the output loads back
/// to an equal definition.
public enum ExperimentYAMLWriter {
  public static func yaml(for definition: ExperimentDefinition, comment: String? = nil) -> String {
    let experiment = definition.experiment
    var lines: [String] = []
    if let comment {
      lines += comment.split(separator: "\n", omittingEmptySubsequences: false).map {
        "# " + DisplayText.escaped(String($0))
      }
    }
    lines.append("id: \(quote(experiment.id))")
    lines.append("name: \(quote(experiment.name))")
    if let hypothesis = experiment.hypothesis { lines.append("hypothesis: \(quote(hypothesis))") }
    lines.append("unit: \(quote(experiment.unit))")
    lines.append("salt: \(quote(experiment.salt))")
    lines.append("variants:")
    for variant in experiment.variants {
      lines.append("  - key: \(quote(variant.key))")
      lines.append("    weight: \(variant.weight)")
      if let description = variant.description { lines.append("    description: \(quote(description))") }
    }
    if experiment.controlIndex != 0 { lines.append("control: \(quote(experiment.control.key))") }
    if experiment.traffic != 1 { lines.append("traffic: \(experiment.traffic)") }
    if let layer = experiment.layer {
      lines.append(
        "layer: {name: \(quote(layer.name)), salt: \(quote(layer.salt)), buckets: [\(layer.buckets.lowerBound), \(layer.buckets.upperBound)]}"
      )
    }
    if let holdout = experiment.holdout {
      lines.append("holdout: {salt: \(quote(holdout.salt)), share: \(holdout.share)}")
    }
    if let eligibility = experiment.eligibility { lines.append("eligibility: \(quote(eligibility.source))") }
    if let consent = experiment.consent { lines.append("consent: \(quote(consent))") }
    if let segmentation = experiment.segmentation {
      lines.append("segmentation:")
      lines.append("  method: nearest_centroid")
      lines.append("  features:")
      for feature in segmentation.features {
        switch feature {
        case .numeric(let name, let center, let scale):
          lines.append("    - {name: \(quote(name)), center: \(center), scale: \(scale)}")
        case .categorical(let name, let weight):
          lines.append("    - {name: \(quote(name)), categorical: true, weight: \(weight)}")
        }
      }
    }
    lines.append("segments:")
    for segment in experiment.segments {
      lines.append("  - name: \(quote(segment.name))")
      if let centroid = segment.centroid, let features = experiment.segmentation?.features {
        let pairs = zip(features, centroid).map { feature, coordinate in
          switch coordinate {
          case .number(let value): return "\(quote(feature.name)): \(value)"
          case .level(let level): return "\(quote(feature.name)): \(quote(level))"
          }
        }
        lines.append("    centroid: {\(pairs.joined(separator: ", "))}")
      }
      if let rule = segment.rule { lines.append("    rule: \(quote(rule.source))") }
      if let traffic = segment.traffic { lines.append("    traffic: \(traffic)") }
      if !segment.weights.isEmpty {
        let pairs = segment.weights.sorted { $0.key < $1.key }.map { "\(quote($0.key)): \($0.value)" }
        lines.append("    weights: {\(pairs.joined(separator: ", "))}")
      }
    }
    if !definition.metrics.isEmpty {
      lines.append("metrics:")
      for metric in definition.metrics {
        lines.append("  - name: \(quote(metric.name))")
        lines.append("    kind: \(metric.kind.name)")
        switch metric.kind {
        case .binomial, .continuous:
          if metric.column != metric.name { lines.append("    column: \(quote(metric.column))") }
        case .ratio(let numerator, let denominator):
          lines.append("    numerator: \(quote(numerator))")
          lines.append("    denominator: \(quote(denominator))")
        }
        lines.append("    role: \(metric.role.rawValue)")
        lines.append("    missing: \(metric.missing.rawValue)")
        if metric.direction != .increase { lines.append("    direction: \(metric.direction.rawValue)") }
        if let description = metric.description { lines.append("    description: \(quote(description))") }
        if let window = metric.window { lines.append("    window: \(window)") }
        if let covariate = metric.covariate {
          let columns =
            covariate.isRatio
            ? "numerator: \(quote(covariate.columns[0])), denominator: \(quote(covariate.columns[1]))"
            : "column: \(quote(covariate.columns[0]))"
          lines.append("    covariate: {\(columns), missing: \(covariate.missing.rawValue)}")
        }
        if let regression = metric.regression {
          let columns = regression.columns.map(quote).joined(separator: ", ")
          lines.append(
            "    covariates: {columns: [\(columns)], errors: \(regression.errors.rawValue), missing: \(regression.missing.rawValue)}"
          )
        }
      }
    }
    let plan = definition.plan
    lines.append("plan:")
    lines.append("  alpha: \(plan.alpha)")
    lines.append("  power: \(plan.power)")
    if let baseline = plan.baseline { lines.append("  baseline: \(baseline)") }
    if let sd = plan.standardDeviation { lines.append("  sd: \(sd)") }
    if let mde = plan.minimumDetectableEffect { lines.append("  mde: \(mde)") }
    lines.append("  relative: \(plan.relative)")
    lines.append("  sides: \(plan.sides)")
    lines.append("  looks: \(plan.looks)")
    if let fractions = plan.fractions {
      lines.append("  fractions: [\(fractions.map { "\($0)" }.joined(separator: ", "))]")
    }
    lines.append("  spending: \(quote(plan.spending.description))")
    if plan.method != .groupSequential { lines.append("  method: \(plan.method.rawValue)") }
    if let tau = plan.tau { lines.append("  tau: \(tau)") }
    if let prior = plan.prior { lines.append("  prior: \(prior)") }
    if plan.bayesianScale != .relative { lines.append("  bayesian_scale: \(plan.bayesianScale.rawValue)") }
    if !plan.pooling.isDefault {
      lines.append(
        "  pooling: {method: \(plan.pooling.method.rawValue), knapp_hartung: \(plan.pooling.knappHartung)}")
    }
    if let daily = plan.dailyUnits { lines.append("  daily_units: \(daily)") }
    if let n = plan.sampleSizePerVariant { lines.append("  n_per_variant: \(n)") }
    return lines.joined(separator: "\n") + "\n"
  }

  /// A YAML double-quoted scalar (always quoted, so rules and numbers-as-text keep their exact text).
  static func quote(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      // Other controls, DEL, C1 and the bidi overrides: YAML forbids most of them raw, and none should
      // reach an editor or terminal unseen; \uXXXX reads back to the same character.
      case _ where DisplayText.isUnsafe(scalar) || scalar.value == 0xFEFF:
        let hex = String(scalar.value, radix: 16, uppercase: true)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }
}
