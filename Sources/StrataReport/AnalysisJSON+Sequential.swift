import StrataAnalysis
import StrataStats

extension AnalysisJSON {
  /// `look.sequential`: the guard's decision at this look (docs/analyze.md lists the keys).
  static func sequential(_ s: SequentialAnalysis) -> JSONValue {
    let results: [JSONValue] = s.rows.map { row in
      let d = row.decision
      return .object([
        ("metric", .string(row.metric)), ("variant", .string(row.treatment)),
        ("segment", row.segment.map(JSONValue.string) ?? .null),
        ("information_fraction", .finite(row.informationFraction)), ("z", .finite(d.z)),
        ("method", .string(d.method == .groupSequential ? "group-sequential" : "always-valid")),
        ("boundary_z", .finite(d.boundary?.z)), ("boundary_fraction", .finite(d.boundary?.fraction)),
        ("nominal_p", .finite(d.boundary?.nominalPValue)), ("alpha_spent", .finite(d.boundary?.alphaSpent)),
        ("always_valid_p", .finite(d.alwaysValid?.runningPValue)),
        ("always_valid_ci_low", .finite(d.alwaysValid?.runningInterval.lower)),
        ("always_valid_ci_high", .finite(d.alwaysValid?.runningInterval.upper)),
        ("action", .string(d.action.rawValue)), ("reason", .string(d.reason)),
      ])
    }
    let boundaries: [JSONValue] = s.boundaries.map { b in
      .object([
        ("look", .integer(b.look)), ("fraction", .finite(b.fraction)), ("z", .finite(b.z)),
        ("nominal_p", .finite(b.nominalPValue)), ("alpha_spent", .finite(b.alphaSpent)),
      ])
    }
    let log: [JSONValue] = s.log.map { record in
      .object([
        ("look", .integer(record.look)), ("timestamp", .string(record.timestamp)),
        ("fingerprint", .string(record.fingerprint)), ("rows_used", .integer(record.rowsUsed)),
        ("units", .object(record.unitsPerVariant.sorted { $0.key < $1.key }.map { ($0.key, .integer($0.value)) })),
        ("information_fraction", .finite(record.informationFraction)), ("action", .string(record.action)),
        (
          "z",
          .array(
            record.comparisons.map {
              .object([
                ("variant", .string($0.treatment)), ("segment", $0.segment.map(JSONValue.string) ?? .null),
                ("z", .finite($0.z)),
              ])
            })
        ),
      ])
    }
    return .object([
      ("look", .integer(s.look)), ("planned_looks", s.plannedLooks.map(JSONValue.integer) ?? .null),
      ("method", .string(s.method)), ("spending", s.spending.map(JSONValue.string) ?? .null),
      ("action", .string(s.action.rawValue)), ("unplanned", .bool(s.unplanned)),
      ("interim", .bool(s.interim)), ("reason", .string(s.reason)),
      ("alpha_per_comparison", .finite(s.alphaPerComparison)), ("family_size", .integer(s.comparisons)),
      ("tau", .finite(s.tau)), ("information_fraction", .finite(s.informationFraction)),
      ("planned_max_n_per_variant", s.plannedMaximumUnitsPerVariant.map(JSONValue.integer) ?? .null),
      ("results", .array(results)), ("boundaries", .array(boundaries)), ("looks", .array(log)),
      ("log_file", s.logFile.map(JSONValue.string) ?? .null), ("reused_look", .bool(s.reusedLook)),
      ("look_note", .string(s.lookNote)),
    ])
  }
}
