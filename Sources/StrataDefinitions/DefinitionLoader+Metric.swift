import StrataAssignment
import Yams

extension DefinitionLoader {
  static let metricKeys: Set<String> = [
    "name", "kind", "role", "column", "missing", "description", "direction", "window", "numerator", "denominator",
    "covariate", "covariates",
  ]

  /// One entry of `metrics:`: a binomial or continuous metric on one column, or a ratio with `numerator:` and
  /// `denominator:`; each may declare a `covariate:` (a column, or `{numerator:, denominator:}` for a ratio,
  /// optionally with its own `missing:`).
  static func metric(_ node: Node, _ path: String, _ fields: inout YAMLFields) throws(ExperimentFileError) -> Metric {
    let map = try fields.mapping(node, path, allowed: metricKeys)
    guard let name = map["name"], let kindNode = map["kind"] else {
      throw fields.error(
        path, node, "each metric needs a name and a kind (\(Metric.Kind.names.joined(separator: ", ")))")
    }
    let kindText = try fields.string(kindNode, "\(path).kind")
    let kind: Metric.Kind
    if kindText == "ratio" {
      guard let numerator = map["numerator"], let denominator = map["denominator"] else {
        throw fields.error(
          "\(path).kind", kindNode,
          "a ratio metric needs numerator: and denominator: (the columns summed per arm, as in revenue per order)")
      }
      if let column = map["column"] {
        throw fields.error(
          "\(path).column", column, "a ratio metric reads numerator: and denominator:, not column:")
      }
      let top = try fields.string(numerator, "\(path).numerator")
      let bottom = try fields.string(denominator, "\(path).denominator")
      guard top != bottom else {
        throw fields.error(
          "\(path).denominator", denominator, "is the numerator's column \"\(top)\" too; a ratio needs two columns")
      }
      kind = .ratio(numerator: top, denominator: bottom)
    } else {
      guard let parsed = Metric.Kind(name: kindText) else {
        throw fields.error(
          "\(path).kind", kindNode, "\"\(kindText)\" is not one of \(Metric.Kind.names.joined(separator: ", "))")
      }
      for key in ["numerator", "denominator"] {
        if let extra = map[key] {
          throw fields.error("\(path).\(key)", extra, "\(key): belongs to ratio metrics (kind: ratio), not \(kindText)")
        }
      }
      kind = parsed
    }
    var window: AttributionWindow?
    if let node = map["window"] {
      let text = try fields.string(node, "\(path).window")
      guard let parsed = AttributionWindow(text) else {
        throw fields.error(
          "\(path).window", node,
          "\"\(text)\" is not an attribution window: write a whole number of days, hours or minutes (30d, 36h, 90m), at most 3650d"
        )
      }
      window = parsed
    }
    let metricName = try fields.string(name, "\(path).name")
    let column = try map["column"].map { node throws(ExperimentFileError) in try fields.string(node, "\(path).column") }
    let own = kind.isRatio ? Metric(name: metricName, kind: kind).valueColumns : [column ?? metricName]
    return Metric(
      name: metricName, kind: kind, role: try choice(map, "role", path, Metric.Role.self, &fields) ?? .primary,
      column: column, missing: try choice(map, "missing", path, Metric.MissingValuePolicy.self, &fields) ?? .exclude,
      description: try map["description"].map { node throws(ExperimentFileError) in
        try fields.string(node, "\(path).description")
      },
      direction: try choice(map, "direction", path, Metric.Direction.self, &fields) ?? .increase, window: window,
      covariate: try map["covariate"].map { node throws(ExperimentFileError) in
        try covariate(node, "\(path).covariate", ratio: kind.isRatio, own: own, &fields)
      },
      regression: try map["covariates"].map { node throws(ExperimentFileError) in
        if kind.isRatio {
          throw fields.error(
            "\(path).covariates", node,
            "regression adjustment with several covariates is for binomial and continuous metrics; a ratio metric takes one covariate: {numerator: COLUMN, denominator: COLUMN}"
          )
        }
        if map["covariate"] != nil {
          throw fields.error(
            "\(path).covariates", node,
            "declare either covariate: (CUPED, one column) or covariates: (Lin's regression adjustment), not both")
        }
        return try regression(node, "\(path).covariates", own: own, &fields)
      })
  }

  /// `covariates: [A, B]` or `covariates: {columns: [A, B], errors: hc2|hc3, missing: exclude|zero}`.
  private static func regression(
    _ node: Node, _ path: String, own: [String], _ fields: inout YAMLFields
  ) throws(ExperimentFileError) -> Metric.Regression {
    var listNode = node
    var missing = Metric.MissingValuePolicy.exclude
    var errors = Metric.Regression.Errors.hc2
    var listPath = path
    if case .mapping = node {
      let map = try fields.mapping(node, path, allowed: ["columns", "errors", "missing"])
      guard let columns = map["columns"] else {
        throw fields.error(
          path, node, "needs columns: (a list of pre-period columns, e.g. columns: [visits_before, revenue_before])")
      }
      listNode = columns
      listPath = "\(path).columns"
      missing = try choice(map, "missing", path, Metric.MissingValuePolicy.self, &fields) ?? .exclude
      errors = try choice(map, "errors", path, Metric.Regression.Errors.self, &fields) ?? .hc2
    }
    guard case .sequence = listNode else {
      throw fields.error(
        listPath, listNode,
        "must be a list of columns, e.g. [visits_before, revenue_before] (one column alone: covariate:)")
    }
    let items = try fields.sequence(listNode, listPath)
    guard !items.isEmpty else { throw fields.error(listPath, listNode, "lists no column") }
    var columns: [String] = []
    for (index, item) in items.enumerated() {
      let column = try fields.string(item, "\(listPath)[\(index)]")
      if own.contains(column) {
        throw fields.error(
          "\(listPath)[\(index)]", item,
          "\"\(column)\" is the metric's own column; a covariate is measured before the experiment (a pre-period column)"
        )
      }
      if columns.contains(column) {
        throw fields.error("\(listPath)[\(index)]", item, "\"\(column)\" is listed twice")
      }
      columns.append(column)
    }
    return Metric.Regression(columns: columns, missing: missing, errors: errors)
  }

  /// `covariate: COLUMN`, `covariate: {column: C, missing: zero}` or, on a ratio metric,
  /// `covariate: {numerator: A, denominator: B[, missing: zero]}`.
  private static func covariate(
    _ node: Node, _ path: String, ratio: Bool, own: [String], _ fields: inout YAMLFields
  ) throws(ExperimentFileError) -> Metric.Covariate {
    let result: Metric.Covariate
    var columnNodes: [Node] = [node]
    if case .scalar = node {
      guard !ratio else {
        throw fields.error(
          path, node,
          "a ratio metric's covariate needs a numerator and a denominator: covariate: {numerator: COLUMN, denominator: COLUMN}"
        )
      }
      result = Metric.Covariate(column: try fields.string(node, path))
    } else {
      let map = try fields.mapping(node, path, allowed: ["column", "numerator", "denominator", "missing"])
      let missing = try choice(map, "missing", path, Metric.MissingValuePolicy.self, &fields) ?? .exclude
      if ratio {
        if let column = map["column"] {
          throw fields.error(
            "\(path).column", column, "a ratio metric's covariate has a numerator: and a denominator:, not column:")
        }
        guard let numerator = map["numerator"], let denominator = map["denominator"] else {
          throw fields.error(path, node, "a ratio metric's covariate needs numerator: and denominator:")
        }
        let top = try fields.string(numerator, "\(path).numerator")
        let bottom = try fields.string(denominator, "\(path).denominator")
        guard top != bottom else {
          throw fields.error("\(path).denominator", denominator, "is the numerator's column \"\(top)\" too")
        }
        result = Metric.Covariate(numerator: top, denominator: bottom, missing: missing)
        columnNodes = [numerator, denominator]
      } else {
        for key in ["numerator", "denominator"] {
          if let extra = map[key] {
            throw fields.error(
              "\(path).\(key)", extra, "only a ratio metric's covariate has a \(key): (this metric's is column:)")
          }
        }
        guard let column = map["column"] else { throw fields.error(path, node, "the covariate needs a column:") }
        result = Metric.Covariate(column: try fields.string(column, "\(path).column"), missing: missing)
        columnNodes = [column]
      }
    }
    for (index, column) in result.columns.enumerated() where own.contains(column) {
      throw fields.error(
        path, columnNodes[min(index, columnNodes.count - 1)],
        "\"\(column)\" is the metric's own column; the covariate is the same quantity measured before the experiment (a pre-period column)"
      )
    }
    return result
  }

  private static func choice<T: RawRepresentable & CaseIterable>(
    _ map: [String: Node], _ key: String, _ path: String, _ type: T.Type, _ fields: inout YAMLFields
  ) throws(ExperimentFileError) -> T? where T.RawValue == String {
    guard let node = map[key] else { return nil }
    let text = try fields.string(node, "\(path).\(key)")
    guard let value = T(rawValue: text) else {
      throw fields.error(
        "\(path).\(key)", node, "\"\(text)\" is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return value
  }
}
