import StrataAnalysis
import StrataStats

/// The `--json` object of `strata analyze`.
///
/// Snake_case keys, numbers as JSON numbers, `null` for values JSON cannot hold (with the reason in `notes`). See
/// docs/analyze.md for every key.
public enum AnalysisJSON {
  /// The whole object as a tree (the service adds to it); `write` prints the same bytes without building it.
  public static func value(_ analysis: Analysis) -> JSONValue {
    .object(members(analysis).map { key, member in (key, member.value) })
  }

  /// Writes the object as `JSONValue.write(pretty:chunkSize:to:)` would write `value(analysis)`, byte for byte,
  /// without holding the tree: the entries of `results` and `segment_vs_rest` (one per comparison and per
  /// segment, 600,000 at 20,000 segments × 16 variants) are built, written and freed one at a time.
  public static func write(
    _ analysis: Analysis, pretty: Bool = true, chunkSize: Int = 1 << 16, to emit: ([UInt8]) -> Void
  ) {
    withoutActuallyEscaping(emit) { emit in
      var out = JSONByteWriter(chunkSize: chunkSize, emit: emit)
      JSONValue.writeObject(members(analysis), to: &out, pretty: pretty, indent: 0) { member, out, indent in
        member.write(to: &out, pretty: pretty, indent: indent)
      }
      out.finish()
    }
  }

  /// A member of the top-level object: a value, or an array whose entries are made one at a time.
  enum Member {
    case value(JSONValue)
    /// Calls its argument with each entry in order.
    case entries((_ each: (JSONValue) -> Void) -> Void)

    var value: JSONValue {
      switch self {
      case .value(let value): return value
      case .entries(let forEach):
        var items: [JSONValue] = []
        forEach { items.append($0) }
        return .array(items)
      }
    }

    func write(to out: inout JSONByteWriter, pretty: Bool, indent: Int) {
      switch self {
      case .value(let value): value.write(to: &out, pretty: pretty, indent: indent)
      case .entries(let forEach): JSONValue.writeArray(of: forEach, to: &out, pretty: pretty, indent: indent)
      }
    }
  }

  /// The top-level members in order.
  static func members(_ analysis: Analysis) -> [(String, Member)] {
    let plan = analysis.plan
    let results: Member = .entries { each in
      for metric in analysis.metrics {
        for c in metric.comparisons {
          each(comparison(metric, c, plan, zeroFillsKnown: analysis.data.zeroFillsCounted))
        }
      }
    }
    let pooledRows: [JSONValue] = analysis.metrics.flatMap { metric in metric.pooled.map { pooled(metric, $0) } }
    let postStratifiedRows: [JSONValue] = analysis.metrics.flatMap { metric in
      metric.postStratified.map { postStratified(metric, $0) }
    }
    let heterogeneityRows: [JSONValue] = analysis.metrics.flatMap { metric in
      metric.pooled.map { heterogeneity(metric, $0) }
    }
    let partialPoolingRows: [JSONValue] = analysis.metrics.flatMap { metric in
      metric.partialPooling.map { partialPooling(metric, $0) }
    }
    let contrastRows: Member = .entries { each in
      for metric in analysis.metrics {
        for c in metric.segmentContrasts {
          each(
            .object([
              ("metric", .string(metric.metric.name)), ("treatment", .string(c.treatment)),
              ("segment", .string(c.segment)), ("difference", .finite(c.difference)),
              ("standard_error", .finite(c.standardError)), ("df", .finite(c.degreesOfFreedom)),
              ("statistic", .finite(c.statistic)), ("p_value", .finite(c.pValue)),
              ("adjusted_p_value", .finite(c.adjustedPValue)),
            ]))
        }
      }
    }
    let corrections: JSONValue = .object([
      ("family", .string(analysis.family.description)),
      ("metric", analysis.family.metric.map(JSONValue.string) ?? .null),
      ("metrics", .array(analysis.family.metrics.map(JSONValue.string))),
      ("scope", .string(analysis.plan.family.rawValue)),
      ("method", .string(analysis.family.correction.rawValue)),
      ("size", .integer(analysis.family.size)),
      ("alpha", .number(analysis.family.alpha)),
    ])
    let planned: [(String, JSONValue)] = analysis.metrics.compactMap { m in
      m.plannedUnitsPerVariant.map { (m.metric.name, JSONValue.integer($0)) }
    }
    let sequential = analysis.look.sequential.map(Self.sequential) ?? .null
    let look: JSONValue = .object([
      ("number", analysis.look.number.map(JSONValue.integer) ?? .null),
      ("planned_looks", .integer(analysis.look.plannedLooks)),
      ("sequential", sequential),
    ])
    let verdict = Self.verdict(analysis)
    let values: [(String, JSONValue)] = [
      ("experiment", experiment(plan)),
      ("data", data(analysis)),
      ("srm", srm(analysis.sampleRatio, plan)),
    ]
    let rest: [(String, JSONValue)] = [
      ("pooled", .array(pooledRows)),
      ("post_stratified", .array(postStratifiedRows)),
      ("heterogeneity", .array(heterogeneityRows)),
      ("partial_pooling", .array(partialPoolingRows)),
    ]
    let tail: [(String, JSONValue)] = [
      ("corrections", corrections),
      ("planned_units_per_variant", .object(planned)),
      ("look", look),
      ("verdict", verdict),
      ("decision", decision(analysis)),
      ("warnings", .array(analysis.warnings.map(JSONValue.string))),
      ("factorial", analysis.factorial.map(FactorialJSON.value) ?? .null),
      ("provenance", analysis.provenance.map(provenance) ?? .null),
    ]
    return values.map { ($0, .value($1)) } + [("results", results)] + rest.map { ($0, .value($1)) }
      + [("segment_vs_rest", contrastRows)] + tail.map { ($0, .value($1)) }
  }

  /// Set when reports were written: version, generation time, and the SHA-256 of every input file.
  private static func provenance(_ p: ReportProvenance) -> JSONValue {
    let file = { (f: ReportProvenance.FileDigest) -> JSONValue in
      .object([("path", .string(f.path)), ("sha256", f.sha256.isEmpty ? .null : .string(f.sha256))])
    }
    return .object([
      ("strata_version", .string(p.version)), ("generated_at", .string(p.generatedAt)),
      ("definition", file(p.definition)), ("data", .array(p.data.map(file))),
    ])
  }

  private static func experiment(_ plan: AnalysisPlan) -> JSONValue {
    .object([
      ("id", .string(plan.id)),
      ("name", .string(plan.name)),
      ("hypothesis", plan.hypothesis.map(JSONValue.string) ?? .null),
      ("control", .string(plan.control)),
      ("variants", .array(plan.variants.map { .string($0) })),
      ("segments", .array(plan.segments.map { .string($0) })),
      ("segments_discovered", .bool(plan.segmentsDiscovered)),
      (
        "metrics",
        .array(
          plan.metrics.map(metricDefinition))
      ),
      ("alpha", .number(plan.alpha)),
      ("power", .number(plan.power)),
      ("sides", .integer(plan.alternative.sides)),
      ("mde", .finite(plan.minimumDetectableEffect)),
    ])
  }

  private static func data(_ analysis: Analysis) -> JSONValue {
    let data = analysis.data
    let plan = analysis.plan
    var units: [JSONValue] = []
    for segment in plan.segments.indices {
      for variant in plan.variants.indices {
        units.append(
          .object([
            ("segment", .string(plan.segments[segment])), ("variant", .string(plan.variants[variant])),
            ("units", .integer(data.statistics.units(variant: variant, segment: segment))),
          ]))
      }
    }
    return .object([
      ("file", .string(data.file)),
      ("format", .string(data.format.rawValue)),
      ("bytes", .integer(data.bytes)),
      ("rows_read", .integer(data.rowsRead)),
      ("rows_used", .integer(data.rowsUsed)),
      ("rows_dropped", .integer(data.issues.total)),
      ("units_total", .integer(data.units)),
      ("duplicates_checked", .bool(data.duplicatesChecked)),
      (
        "issues",
        .array(
          data.issues.kinds.map { kind in
            let entry = data.issues.entries[kind] ?? DataIssues.Entry()
            return .object([
              ("kind", .string(kind.rawValue)), ("count", .integer(entry.count)),
              ("first_lines", .array(entry.firstLines.map(JSONValue.integer))),
              ("first_example", .string(entry.firstExample)),
            ])
          })
      ),
      ("units", .array(units)),
      ("files", .array(data.files.map(JSONValue.string))),
      (
        "missing_values",
        .array(
          data.missingValues(plan: plan).map { entry in
            .object([
              ("column", .string(entry.column)), ("used_by", .string(entry.purpose)),
              ("policy", .string(entry.policy.rawValue)), ("units", entry.units.map(JSONValue.integer) ?? .null),
              (
                "by_variant",
                entry.byVariant.map { counts in .object(zip(plan.variants, counts).map { ($0, .integer($1)) }) }
                  ?? .null
              ),
            ])
          })
      ),
    ])
  }

  private static func srm(_ check: SampleRatioCheck, _ plan: AnalysisPlan) -> JSONValue {
    func row(_ r: SampleRatioCheck.Row) -> JSONValue {
      .object([
        ("segment", r.segment.map(JSONValue.string) ?? .null),
        ("observed", .object(zip(plan.variants, r.observed).map { ($0, .integer($1)) })),
        ("expected", .object(zip(plan.variants, r.expected).map { ($0, .finite($1)) })),
        ("statistic", .finite(r.statistic)),
        ("df", .finite(r.degreesOfFreedom)),
        ("p_value", .finite(r.pValue)),
        ("p_value_holm", .finite(r.adjustedPValue)),
        ("mismatch", .bool(r.mismatch)),
        ("note", r.note.map(JSONValue.string) ?? .null),
      ])
    }
    return .object([
      ("mismatch", .bool(check.mismatch)),
      ("threshold", .number(check.threshold)),
      ("overall", row(check.overall)),
      ("segments", .array(check.segments.map(row))),
    ])
  }

  /// One `results[]` entry; `zeroFillsKnown`: the input tells how many values were counted as 0 (unit-level data,
  /// or cells with `<c>_zero_filled`), else `zero_filled_*` are null for a metric with `missing: zero`.
  static func comparison(
    _ metric: MetricAnalysis, _ c: Comparison, _ plan: AnalysisPlan, zeroFillsKnown: Bool = true
  ) -> JSONValue {
    let known = zeroFillsKnown || metric.metric.missing == .exclude
    var members: [(String, JSONValue)] = [
      ("metric", .string(metric.metric.name)),
      ("kind", .string(metric.metric.kind.name)),
      ("role", .string(metric.metric.role.rawValue)),
      ("variant", .string(c.treatment)),
      ("control", .string(c.control.variant)),
      ("scope", .string(c.segment == nil ? "overall" : "segment")),
      ("segment", c.segment.map(JSONValue.string) ?? .null),
      ("n_control", .finite(c.control.count)),
      ("n_treatment", .finite(c.treatmentArm.count)),
      ("missing_control", .integer(c.control.missing)),
      ("missing_treatment", .integer(c.treatmentArm.missing)),
      ("zero_filled_control", known ? .integer(c.control.zeroFilled) : .null),
      ("zero_filled_treatment", known ? .integer(c.treatmentArm.zeroFilled) : .null),
    ]
    if metric.metric.kind == .binomial {
      members += [
        ("conversions_control", .finite(c.control.successes)),
        ("conversions_treatment", .finite(c.treatmentArm.successes)),
        ("rate_control", .finite(c.control.mean)), ("rate_treatment", .finite(c.treatmentArm.mean)),
      ]
    } else {
      members += [
        ("mean_control", .finite(c.control.mean)), ("mean_treatment", .finite(c.treatmentArm.mean)),
        ("sd_control", .finite(c.control.standardDeviation)),
        ("sd_treatment", .finite(c.treatmentArm.standardDeviation)),
      ]
    }
    members += [
      ("test", c.test.map(JSONValue.string) ?? .null),
      ("statistic", .finite(c.statistic)),
      ("df", .finite(c.degreesOfFreedom)),
      ("p_value", .finite(c.pValue)),
      ("p_value_adjusted", .finite(c.adjustedPValue)),
      ("in_family", .bool(c.inFamily)),
      ("lift_abs", .finite(c.absoluteLift)),
      ("ci_abs_low", .finite(c.absoluteInterval?.lower)),
      ("ci_abs_high", .finite(c.absoluteInterval?.upper)),
      ("lift_rel", .finite(c.relativeLift)),
      ("ci_rel_low", .finite(c.relativeInterval?.lower)),
      ("ci_rel_high", .finite(c.relativeInterval?.upper)),
      ("significant", .bool(c.significant)),
      ("underpowered", .bool(c.underpowered)),
      ("bayesian", bayesian(c.bayesian, prior: plan.prior)),
      ("adjustment", adjustment(c)),
      ("notes", .array(c.notes.map(JSONValue.string))),
    ]
    return .object(members)
  }

  private static func pooled(_ metric: MetricAnalysis, _ p: PooledComparison) -> JSONValue {
    .object([
      ("metric", .string(metric.metric.name)),
      ("variant", .string(p.treatment)),
      ("method", .string(p.method)),
      ("estimand", .string(p.method == "mantel-haenszel" ? "risk difference" : estimand(metric.metric))),
      ("estimate", .finite(p.estimate)),
      ("se", .finite(p.standardError)),
      ("ci_low", .finite(p.interval.lower)),
      ("ci_high", .finite(p.interval.upper)),
      ("z", .finite(p.statistic)),
      ("p_value", .finite(p.pValue)),
      ("cmh_statistic", .finite(p.cochranMantelHaenszel?.statistic)),
      ("cmh_p_value", .finite(p.cochranMantelHaenszel?.pValue)),
      ("odds_ratio", .finite(p.oddsRatio)),
      ("odds_ratio_ci_low", .finite(p.oddsRatioInterval?.lower)),
      ("odds_ratio_ci_high", .finite(p.oddsRatioInterval?.upper)),
      ("segments", .array(p.segmentsUsed.map(JSONValue.string))),
      ("notes", .array(p.notes.map(JSONValue.string))),
    ])
  }

  private static func heterogeneity(_ metric: MetricAnalysis, _ p: PooledComparison) -> JSONValue {
    let h = p.heterogeneity
    return .object([
      ("metric", .string(metric.metric.name)),
      ("variant", .string(p.treatment)),
      ("method", .string(h.method)),
      ("q", .finite(h.statistic)),
      ("df", .finite(h.degreesOfFreedom)),
      ("p_value", .finite(h.pValue)),
      ("i_squared", .finite(h.iSquared)),
      (
        "breslow_day",
        p.breslowDay.map { bd in
          .object([
            ("statistic", .finite(bd.statistic)), ("df", .finite(bd.degreesOfFreedom)), ("p_value", .finite(bd.pValue)),
          ])
        } ?? .null
      ),
    ])
  }
}
