import StrataAnalysis
import StrataStats

/// The `--json` object of `strata analyze`.
///
/// Snake_case keys, numbers as JSON numbers, `null` for values JSON cannot hold (with the reason in `notes`). See
/// docs/analyze.md for every key.
public enum AnalysisJSON {
  /// The whole object as a tree (the service adds to it); `write` prints the same bytes without building it.
  public static func value(_ analysis: Analysis) -> JSONValue {
    JSONMemberList.object { add(analysis, to: &$0) }
  }

  /// Writes the object as `JSONValue.write(pretty:chunkSize:to:)` would write `value(analysis)`, byte for byte,
  /// without building the tree: every member goes straight into the bytes (`JSONMemberWriter`), so the entries of
  /// `results` and `segment_vs_rest` (one per comparison and per segment, 600,000 at 20,000 segments × 16
  /// variants) are never held as values.
  public static func write(
    _ analysis: Analysis, pretty: Bool = true, chunkSize: Int = 1 << 16,
    to emit: (UnsafeBufferPointer<UInt8>) -> Void
  ) {
    withoutActuallyEscaping(emit) { emit in
      var out = JSONByteWriter(chunkSize: chunkSize, emit: emit)
      JSONMemberWriter.writeObject(to: &out, pretty: pretty, indent: 0) { add(analysis, to: &$0) }
      out.finish()
    }
  }

  /// The top-level members in order.
  static func add<Members: JSONMembers>(_ analysis: Analysis, to members: inout Members) {
    let plan = analysis.plan
    members.addObject("experiment") { experiment(plan, to: &$0) }
    members.addObject("data") { data(analysis, to: &$0) }
    members.addObject("srm") { srm(analysis.sampleRatio, plan, to: &$0) }
    let zeroFillsKnown = analysis.data.zeroFillsCounted
    // By position, each comparison read in place: a sequence of (metric, comparison) pairs copied both for every
    // entry (600,000 at 20,000 segments × 16 variants).
    // The metric and the comparison go to the entry as pointers into their arrays: passed as values they were copied
    // whole for each entry and destroyed after it (about 780 instructions an entry, 62 M at 20,000 segments × 3
    // variants), also when read through a buffer pointer's subscript.
    let definitions = analysis.metrics.map(\.metric)
    definitions.withUnsafeBufferPointer { definitions in
      members.addArray(
        "results",
        objects: analysis.metrics.indices.lazy.flatMap { m in
          analysis.metrics[m].comparisons.indices.lazy.map { (m, $0) }
        }
      ) { item, entry in
        analysis.metrics[item.0].comparisons.withUnsafeBufferPointer { comparisons in
          guard let definition = definitions.baseAddress, let comparison = comparisons.baseAddress else { return }
          Self.comparison(
            definition: definition + item.0, comparison + item.1, plan, zeroFillsKnown: zeroFillsKnown, to: &entry)
        }
      }
    }
    members.addArray(
      "pooled", objects: analysis.metrics.lazy.flatMap { metric in metric.pooled.lazy.map { (metric, $0) } }
    ) { item, entry in
      pooled(item.0, item.1, to: &entry)
    }
    members.addArray(
      "post_stratified",
      objects: analysis.metrics.lazy.flatMap { metric in metric.postStratified.lazy.map { (metric, $0) } }
    ) { item, entry in
      postStratified(item.0, item.1, to: &entry)
    }
    members.addArray(
      "heterogeneity", objects: analysis.metrics.lazy.flatMap { metric in metric.pooled.lazy.map { (metric, $0) } }
    ) { item, entry in
      heterogeneity(item.0, item.1, to: &entry)
    }
    members.addArray(
      "partial_pooling",
      objects: analysis.metrics.lazy.flatMap { metric in metric.partialPooling.lazy.map { (metric, $0) } }
    ) { item, entry in
      partialPooling(item.0, item.1, level: plan.confidenceLevel, to: &entry)
    }
    members.addArray(
      "segment_vs_rest",
      objects: analysis.metrics.lazy.flatMap { metric in metric.segmentContrasts.lazy.map { (metric.metric.name, $0) } }
    ) { item, entry in
      let (metric, c) = item
      entry.add("metric", string: metric)
      entry.add("treatment", string: c.treatment)
      entry.add("segment", string: c.segment)
      entry.add("difference", finite: c.difference)
      entry.add("standard_error", finite: c.standardError)
      entry.add("df", finite: c.degreesOfFreedom)
      entry.add("statistic", finite: c.statistic)
      entry.add("p_value", finite: c.pValue)
      entry.add("adjusted_p_value", finite: c.adjustedPValue)
    }
    members.addObject("corrections") { corrections in
      corrections.add("family", string: analysis.family.description)
      corrections.add("metric", string: analysis.family.metric)
      corrections.add("metrics", strings: analysis.family.metrics)
      corrections.add("scope", string: analysis.plan.family.rawValue)
      corrections.add("method", string: analysis.family.correction.rawValue)
      corrections.add("size", integer: analysis.family.size)
      corrections.add("alpha", .number(analysis.family.alpha))
    }
    let planned: [(String, JSONValue)] = analysis.metrics.compactMap { m in
      m.plannedUnitsPerVariant.map { (m.metric.name, JSONValue.integer($0)) }
    }
    members.add("planned_units_per_variant", .object(planned))
    members.addObject("look") { look in
      look.add("number", analysis.look.number.map(JSONValue.integer) ?? .null)
      look.add("planned_looks", integer: analysis.look.plannedLooks)
      look.add("sequential", analysis.look.sequential.map(Self.sequential) ?? .null)
    }
    members.add("verdict", verdict(analysis))
    members.add("decision", decision(analysis))
    members.add("warnings", strings: analysis.warnings)
    members.add("factorial", analysis.factorial.map(FactorialJSON.value) ?? .null)
    members.add("provenance", analysis.provenance.map(provenance) ?? .null)
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

  private static func experiment<Members: JSONMembers>(_ plan: AnalysisPlan, to members: inout Members) {
    members.add("id", string: plan.id)
    members.add("name", string: plan.name)
    members.add("hypothesis", string: plan.hypothesis)
    members.add("control", string: plan.control)
    members.add("variants", strings: plan.variants)
    members.add("segments", strings: plan.segments)
    members.add("segments_discovered", bool: plan.segmentsDiscovered)
    members.add("metrics", .array(plan.metrics.map(metricDefinition)))
    members.add("alpha", .number(plan.alpha))
    members.add("power", .number(plan.power))
    members.add("sides", integer: plan.alternative.sides)
    members.add("mde", finite: plan.minimumDetectableEffect)
  }

  private static func data<Members: JSONMembers>(_ analysis: Analysis, to members: inout Members) {
    let data = analysis.data
    let plan = analysis.plan
    members.add("file", string: data.file)
    members.add("format", string: data.format.rawValue)
    members.add("bytes", integer: data.bytes)
    members.add("rows_read", integer: data.rowsRead)
    members.add("rows_used", integer: data.rowsUsed)
    members.add("rows_dropped", integer: data.issues.total)
    members.add("units_total", integer: data.units)
    members.add("duplicates_checked", bool: data.duplicatesChecked)
    members.add(
      "issues",
      .array(
        data.issues.kinds.map { kind in
          let entry = data.issues.entries[kind] ?? DataIssues.Entry()
          return .object([
            ("kind", .string(kind.rawValue)), ("count", .integer(entry.count)),
            ("first_lines", .array(entry.firstLines.map(JSONValue.integer))),
            ("first_example", .string(entry.firstExample)),
          ])
        }))
    let cells = plan.segments.indices.lazy.flatMap { segment in plan.variants.indices.lazy.map { (segment, $0) } }
    members.addArray("units", objects: cells) { cell, entry in
      let (segment, variant) = cell
      entry.add("segment", string: plan.segments[segment])
      entry.add("variant", string: plan.variants[variant])
      entry.add("units", integer: data.statistics.units(variant: variant, segment: segment))
    }
    members.add("files", strings: data.files)
    members.add(
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
        }))
  }

  private static func srm<Members: JSONMembers>(
    _ check: SampleRatioCheck, _ plan: AnalysisPlan, to members: inout Members
  ) {
    func row(_ r: SampleRatioCheck.Row, _ members: inout Members) {
      members.add("segment", string: r.segment)
      members.addObject("observed") { observed in
        for (variant, count) in zip(plan.variants, r.observed) { observed.add(name: variant, integer: count) }
      }
      members.addObject("expected") { expected in
        for (variant, count) in zip(plan.variants, r.expected) { expected.add(name: variant, finite: count) }
      }
      members.add("statistic", finite: r.statistic)
      members.add("df", finite: r.degreesOfFreedom)
      members.add("p_value", finite: r.pValue)
      members.add("p_value_holm", finite: r.adjustedPValue)
      members.add("mismatch", bool: r.mismatch)
      members.add("note", string: r.note)
    }
    members.add("mismatch", bool: check.mismatch)
    members.add("threshold", .number(check.threshold))
    members.addObject("overall") { row(check.overall, &$0) }
    members.addArray("segments", objects: check.segments) { r, entry in row(r, &entry) }
  }

  /// One `results[]` entry; `zeroFillsKnown`: the input tells how many values were counted as 0 (unit-level data,
  /// or cells with `<c>_zero_filled`), else `zero_filled_*` are null for a metric with `missing: zero`.
  static func comparison(
    _ metric: MetricAnalysis, _ c: Comparison, _ plan: AnalysisPlan, zeroFillsKnown: Bool = true
  ) -> JSONValue {
    JSONMemberList.object { comparison(metric, c, plan, zeroFillsKnown: zeroFillsKnown, to: &$0) }
  }

  static func comparison<Members: JSONMembers>(
    _ metric: MetricAnalysis, _ c: Comparison, _ plan: AnalysisPlan, zeroFillsKnown: Bool, to members: inout Members
  ) {
    comparison(definition: metric.metric, c, plan, zeroFillsKnown: zeroFillsKnown, to: &members)
  }

  /// One `results[]` entry of a comparison of the metric `definition`.
  static func comparison<Members: JSONMembers>(
    definition metric: AnalysisPlan.Metric, _ c: Comparison, _ plan: AnalysisPlan, zeroFillsKnown: Bool,
    to members: inout Members
  ) {
    withUnsafePointer(to: metric) { metric in
      withUnsafePointer(to: c) { c in
        comparison(definition: metric, c, plan, zeroFillsKnown: zeroFillsKnown, to: &members)
      }
    }
  }

  /// One `results[]` entry, its metric and comparison read in place.
  private static func comparison<Members: JSONMembers>(
    definition metric: UnsafePointer<AnalysisPlan.Metric>, _ c: UnsafePointer<Comparison>, _ plan: AnalysisPlan,
    zeroFillsKnown: Bool, to members: inout Members
  ) {
    let known = zeroFillsKnown || metric.pointee.missing == .exclude
    // Read once: the control arm is held by reference, shared by the segment's comparisons (`Comparison.control`).
    let control = c.pointee.control
    members.add("metric", string: metric.pointee.name)
    members.add("kind", string: metric.pointee.kind.name)
    members.add("role", string: metric.pointee.role.rawValue)
    members.add("variant", string: c.pointee.treatment)
    members.add("control", string: control.variant)
    members.add("scope", string: c.pointee.segment == nil ? "overall" : "segment")
    members.add("segment", string: c.pointee.segment)
    members.add("n_control", finite: control.count)
    members.add("n_treatment", finite: c.pointee.treatmentArm.count)
    members.add("missing_control", integer: control.missing)
    members.add("missing_treatment", integer: c.pointee.treatmentArm.missing)
    if known {
      members.add("zero_filled_control", integer: control.zeroFilled)
      members.add("zero_filled_treatment", integer: c.pointee.treatmentArm.zeroFilled)
    } else {
      members.add("zero_filled_control", .null)
      members.add("zero_filled_treatment", .null)
    }
    if metric.pointee.kind == .binomial {
      members.add("conversions_control", finite: control.successes)
      members.add("conversions_treatment", finite: c.pointee.treatmentArm.successes)
      members.add("rate_control", finite: control.mean)
      members.add("rate_treatment", finite: c.pointee.treatmentArm.mean)
    } else {
      members.add("mean_control", finite: control.mean)
      members.add("mean_treatment", finite: c.pointee.treatmentArm.mean)
      members.add("sd_control", finite: control.standardDeviation)
      members.add("sd_treatment", finite: c.pointee.treatmentArm.standardDeviation)
    }
    members.add("test", string: c.pointee.test)
    members.add("statistic", finite: c.pointee.statistic)
    members.add("df", finite: c.pointee.degreesOfFreedom)
    members.add("p_value", finite: c.pointee.pValue)
    members.add("p_value_adjusted", finite: c.pointee.adjustedPValue)
    members.add("in_family", bool: c.pointee.inFamily)
    members.add("lift_abs", finite: c.pointee.absoluteLift)
    members.add("ci_abs_low", finite: c.pointee.absoluteInterval?.lower)
    members.add("ci_abs_high", finite: c.pointee.absoluteInterval?.upper)
    members.add("lift_rel", finite: c.pointee.relativeLift)
    members.add("ci_rel_low", finite: c.pointee.relativeInterval?.lower)
    members.add("ci_rel_high", finite: c.pointee.relativeInterval?.upper)
    members.add("significant", bool: c.pointee.significant)
    members.add("underpowered", bool: c.pointee.underpowered)
    if let bayesian = c.pointee.bayesian {
      members.addObject("bayesian") {
        Self.bayesian(bayesian, scale: c.pointee.bayesianScale.rawValue, prior: c.pointee.bayesianPrior, to: &$0)
      }
    } else {
      members.add("bayesian", .null)
    }
    adjustment(c.pointee.adjustment, test: c.pointee.test, to: &members)
    members.add("notes", strings: c.pointee.notes)
  }

  /// `pooled[]`: one metric × treatment stratified over the segments (its `segments`, 20,000 names at 20,000
  /// segments, written as they are, not as a tree of values).
  private static func pooled<Members: JSONMembers>(
    _ metric: MetricAnalysis, _ p: PooledComparison, to members: inout Members
  ) {
    members.add("metric", string: metric.metric.name)
    members.add("variant", string: p.treatment)
    members.add("method", string: p.method)
    members.add("estimand", string: p.method == "mantel-haenszel" ? "risk difference" : estimand(metric.metric))
    members.add("estimate", finite: p.estimate)
    members.add("se", finite: p.standardError)
    members.add("ci_low", finite: p.interval.lower)
    members.add("ci_high", finite: p.interval.upper)
    members.add("z", finite: p.statistic)
    members.add("p_value", finite: p.pValue)
    members.add("cmh_statistic", finite: p.cochranMantelHaenszel?.statistic)
    members.add("cmh_p_value", finite: p.cochranMantelHaenszel?.pValue)
    members.add("odds_ratio", finite: p.oddsRatio)
    members.add("odds_ratio_ci_low", finite: p.oddsRatioInterval?.lower)
    members.add("odds_ratio_ci_high", finite: p.oddsRatioInterval?.upper)
    members.add("segments", strings: p.segmentsUsed)
    members.add("notes", strings: p.notes)
  }

  /// `heterogeneity[]`: whether the segments' effects of one metric × treatment differ.
  private static func heterogeneity<Members: JSONMembers>(
    _ metric: MetricAnalysis, _ p: PooledComparison, to members: inout Members
  ) {
    let h = p.heterogeneity
    members.add("metric", string: metric.metric.name)
    members.add("variant", string: p.treatment)
    members.add("method", string: h.method)
    members.add("q", finite: h.statistic)
    members.add("df", finite: h.degreesOfFreedom)
    members.add("p_value", finite: h.pValue)
    members.add("i_squared", finite: h.iSquared)
    if let bd = p.breslowDay {
      members.addObject("breslow_day") { breslowDay in
        breslowDay.add("statistic", finite: bd.statistic)
        breslowDay.add("df", finite: bd.degreesOfFreedom)
        breslowDay.add("p_value", finite: bd.pValue)
      }
    } else {
      members.add("breslow_day", .null)
    }
  }
}
