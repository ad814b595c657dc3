import Foundation
import StrataAssignment
import StrataDesign
import Yams

/// Reads experiment definitions (`experiments/*.yaml`, one experiment per file) into validated
/// ``ExperimentDefinition`` values, without the statistics (no GSL).
///
/// Every problem is an ``ExperimentFileError`` naming the file, the line and the field (`experiments/gym.yaml:14:
/// segments[1].rule: column 9: ...`).
///
/// The format is documented in docs/assignment.md; keys are snake_case, weights and traffic are exact
/// decimals (never rounded through floating point), unknown keys are errors. `ExperimentLoader` in
/// StrataAnalysis reads through here and also checks that the plan's numbers give a usable design.
public enum DefinitionLoader {
  /// Loads and validates the definition in `url`.
  public static func load(contentsOf url: URL) throws(ExperimentFileError) -> ExperimentDefinition {
    try load(yaml: try text(contentsOf: url), file: url.path)
  }

  /// Loads and validates a definition from YAML text; `file` names it in errors.
  public static func load(yaml: String, file: String) throws(ExperimentFileError) -> ExperimentDefinition {
    try read(yaml: yaml, file: file).definition
  }

  /// The definition in YAML text and the line of its `plan` (for errors about the plan found later).
  package static func read(yaml: String, file: String) throws(ExperimentFileError) -> (
    definition: ExperimentDefinition, planLine: Int
  ) {
    try read(yaml: yaml, file: file, segmentsApart: true)
  }

  /// `read(yaml:file:)`, with or without the plain segments read apart (the tests compare the two).
  ///
  /// With `segmentsApart`, a definition whose `segments:` are plain (`BlockYAML.PlainSegment`: a name and a rule)
  /// is read without a node per segment, and any such definition that has something to report (an error, or a
  /// problem for online assignment) is read again the usual way, so that every error and every line is the one
  /// the nodes give. Without, always the usual way.
  package static func read(yaml: String, file: String, segmentsApart: Bool) throws(ExperimentFileError) -> (
    definition: ExperimentDefinition, planLine: Int
  ) {
    let apart = segmentsApart ? BlockYAML.compose(yaml, .basic, segmentsApart: true) : nil
    if let apart, let segments = apart.segments {
      var fields = YAMLFields(file: file, root: apart.root)
      if let definition = try? build(apart.root, &fields, plainSegments: segments),
        definition.onlineAssignmentProblem == nil
      {
        return (definition, fields.line(of: "plan"))
      }
    }
    // The tree `BlockYAML.compose` gives (nil when it declines the text), `apart`'s own when that is the same.
    func blockTree() -> Node? {
      guard segmentsApart else { return BlockYAML.compose(yaml, .basic) }
      guard let apart else { return nil }
      return apart.segments == nil ? apart.root : BlockYAML.compose(yaml, .basic)
    }
    let root: Node?
    do {
      // No tag resolution while composing: every scalar is read as text here (`YAMLFields`), and Yams' default
      // resolver matched regular expressions against every mapping key for its duplicate-key check (about a
      // third of the time to load 20,000 segments). A variant's `value:`, the one place YAML's types matter,
      // resolves its tags itself (`YAMLFields.variantValue`). Plain block YAML gets the same tree without libyaml
      // (`BlockYAML`); anything else, errors included, is Yams' to compose.
      root = try blockTree() ?? Yams.compose(yaml: yaml, .basic)
    } catch let error as YamlError {
      // Two equal keys that are not text (Yams names them '<uncovertable>'), or an alias repeating a key.
      if case .duplicatedKeysInMapping(let duplicates, _) = error,
        let key = YAMLKeyShape.repeated(duplicates, in: yaml)
      {
        throw key.error(file: file)
      }
      throw syntaxError(error, yaml: yaml, file: file)
    } catch {
      throw ExperimentFileError(file: file, line: 1, field: "", message: "not valid YAML (\(error))")
    }
    guard let root else { throw ExperimentFileError(file: file, line: 1, field: "", message: "the file is empty") }
    var fields = YAMLFields(file: file, root: root)
    do {
      let definition = try build(root, &fields)
      return (definition, fields.line(of: "plan"))
    } catch {
      // An alias as a key reads as the node it names, at that node's line: an error about such a key is given at
      // the alias's own place. A file that loads is never read again for this.
      if yaml.utf8.contains(UInt8(ascii: "*")), let key = YAMLKeyShape.alias(behind: error, in: yaml) {
        throw key.error(file: file)
      }
      throw error
    }
  }

  static let topKeys: Set<String> = [
    "id", "name", "hypothesis", "unit", "salt", "variants", "control", "traffic", "layer", "holdout", "eligibility",
    "consent", "segments", "metrics", "plan", "factors", "fraction", "generators", "segmentation",
  ]

  /// The definition in the tree `root`; `plainSegments` are its segments when the tree holds an empty list in
  /// their place (`BlockYAML.compose(_:_:segmentsApart:)`).
  private static func build(
    _ root: Node, _ fields: inout YAMLFields, plainSegments: [BlockYAML.PlainSegment]? = nil
  ) throws(ExperimentFileError) -> ExperimentDefinition {
    let top = try fields.mapping(root, "", allowed: topKeys)
    guard let idNode = top["id"] else { throw fields.error("id", root, "every experiment needs an id") }
    let factorial = try factorialDesign(top, root, &fields)
    guard let variantsNode = top["variants"] ?? factorial.map({ _ in Node.sequence(Node.Sequence([])) }) else {
      throw fields.error("variants", root, "every experiment needs variants (or factors, for a factorial experiment)")
    }
    var variants: [Variant] = factorial.map(ExperimentFactors.variants(of:)) ?? []
    for (index, node) in try fields.sequence(variantsNode, "variants").enumerated() {
      let path = "variants[\(index)]"
      if case .scalar = node {
        variants.append(Variant(key: try fields.string(node, path)))
        continue
      }
      let map = try fields.mapping(node, path, allowed: ["key", "weight", "description", "value"])
      guard let key = map["key"] else { throw fields.error("\(path).key", node, "each variant needs a key") }
      variants.append(
        Variant(
          key: try fields.string(key, "\(path).key"),
          weight: try map["weight"].map { node throws(ExperimentFileError) in try fields.exact(node, "\(path).weight") }
            ?? 1,
          description: try map["description"].map { node throws(ExperimentFileError) in
            try fields.string(node, "\(path).description")
          },
          value: try map["value"].map { node throws(ExperimentFileError) in
            try fields.variantValue(node, "\(path).value")
          }))
    }
    var layer: Layer?
    if let node = top["layer"] {
      let map = try fields.mapping(node, "layer", allowed: ["name", "salt", "buckets"])
      guard let name = map["name"], let bucketsNode = map["buckets"] else {
        throw fields.error("layer", node, "a layer needs a name and buckets: [start, end]")
      }
      let bounds = try fields.sequence(bucketsNode, "layer.buckets")
      guard bounds.count == 2 else {
        throw fields.error("layer.buckets", bucketsNode, "expected [start, end], two bucket numbers")
      }
      let start = try fields.integer(bounds[0], "layer.buckets[0]")
      let end = try fields.integer(bounds[1], "layer.buckets[1]")
      guard start < end else {
        throw fields.error("layer.buckets", bucketsNode, "start \(start) must be below end \(end)")
      }
      layer = Layer(
        name: try fields.string(name, "layer.name"),
        salt: try map["salt"].map { node throws(ExperimentFileError) in try fields.string(node, "layer.salt") },
        buckets: start..<end)
    }
    var holdout: Holdout?
    if let node = top["holdout"] {
      let map = try fields.mapping(node, "holdout", allowed: ["salt", "share"])
      guard let salt = map["salt"], let share = map["share"] else {
        throw fields.error("holdout", node, "a holdout needs a salt and a share")
      }
      holdout = Holdout(salt: try fields.string(salt, "holdout.salt"), share: try fields.exact(share, "holdout.share"))
    }
    var segmentation: NearestCentroid?
    if let node = top["segmentation"] { segmentation = try readSegmentation(node, &fields) }
    var segments: [Segment] = []
    if let plainSegments {
      segments = try Self.segments(plainSegments, file: fields.file)
    } else if let node = top["segments"] {
      for (index, item) in try fields.sequence(node, "segments").enumerated() {
        segments.append(try segment(item, index: index, segmentation, &fields))
      }
    }
    var metrics: [Metric] = []
    if let node = top["metrics"] {
      for (index, item) in try fields.sequence(node, "metrics").enumerated() {
        metrics.append(try metric(item, "metrics[\(index)]", &fields))
      }
    }
    let plan =
      try top["plan"].map { node throws(ExperimentFileError) in try StatisticalPlanReader.read(node, &fields) }
      ?? StatisticalPlan()
    func optionalString(_ key: String) throws(ExperimentFileError) -> String? {
      try top[key].map { node throws(ExperimentFileError) in try fields.string(node, key) }
    }
    do {
      let experiment = try Experiment(
        id: try fields.string(idNode, "id"), name: try optionalString("name"),
        hypothesis: try optionalString("hypothesis"),
        unit: try optionalString("unit") ?? "unit_id", salt: try optionalString("salt"), variants: variants,
        control: try optionalString("control") ?? factorial.map(ExperimentFactors.defaultControl(of:)),
        traffic: try top["traffic"].map { node throws(ExperimentFileError) in try fields.exact(node, "traffic") } ?? 1,
        layer: layer, holdout: holdout,
        eligibility: try top["eligibility"].map { node throws(ExperimentFileError) in
          try fields.rule(node, "eligibility")
        },
        consent: try optionalString("consent"), segments: segments, segmentation: segmentation)
      var definition = try ExperimentDefinition(
        experiment: experiment, metrics: metrics, plan: plan, factorialDesign: factorial)
      definition.onlineAssignmentProblem = experiment.variantWithoutBuckets().map { error in
        ExperimentFileError(
          file: fields.file, line: fields.line(of: error.field), field: error.field, message: error.message)
      }
      return definition
    } catch let error as DefinitionError {
      throw ExperimentFileError(
        file: fields.file, line: fields.line(of: error.field), field: error.field, message: error.message)
    } catch let error as ExperimentFileError {
      throw error
    } catch {
      throw ExperimentFileError(file: fields.file, line: 1, field: "", message: "\(error)")
    }
  }

  /// The design of a file with `factors` (which then replaces `variants`); nil otherwise.
  private static func factorialDesign(_ top: [String: Node], _ root: Node, _ fields: inout YAMLFields)
    throws(ExperimentFileError) -> FactorialDesign?
  {
    guard let factors = top["factors"] else {
      for key in ["fraction", "generators"] where top[key] != nil {
        throw fields.error(key, top[key], "\(key) needs factors (a factorial experiment)")
      }
      return nil
    }
    if let variants = top["variants"] {
      throw fields.error(
        "variants", variants, "give variants or factors, not both (factors make the cells the variants)")
    }
    return try ExperimentFactors.design(
      factors: factors, fraction: top["fraction"], generators: top["generators"], &fields)
  }

  /// A segment's keys, in the order `segment` reads them.
  private static let segmentKeys = ["name", "rule", "traffic", "weights", "centroid"]

  /// The segment at `index` of `segments:`; its field paths are spelt only for an error.
  private static func segment(
    _ node: Node, index: Int, _ segmentation: NearestCentroid?, _ fields: inout YAMLFields
  ) throws(ExperimentFileError) -> Segment {
    func path() -> String { "segments[\(index)]" }
    var members: (name: Node?, rule: Node?, traffic: Node?, weights: Node?, centroid: Node?) = (nil, nil, nil, nil, nil)
    try fields.members(node, path(), keys: segmentKeys) { place, value in
      switch place {
      case 0: members.name = value
      case 1: members.rule = value
      case 2: members.traffic = value
      case 3: members.weights = value
      default: members.centroid = value
      }
    }
    guard let name = members.name else {
      throw fields.error("\(path()).name", node, "each segment needs a name")
    }
    var weights: [String: ExactDecimal] = [:]
    if let weightsNode = members.weights {
      guard case .mapping(let pairs) = weightsNode else {
        throw fields.error("\(path()).weights", weightsNode, "expected variant: weight pairs")
      }
      for (key, value) in pairs {
        let variant = try fields.string(key, "\(path()).weights")
        weights[variant] = try fields.exact(value, "\(path()).weights.\(variant)")
      }
    }
    return Segment(
      name: try fields.string(name, "\(path()).name"),
      rule: try members.rule.map { node throws(ExperimentFileError) in try fields.rule(node, "\(path()).rule") },
      traffic: try members.traffic.map { node throws(ExperimentFileError) in
        try fields.exact(node, "\(path()).traffic")
      },
      weights: weights,
      centroid: try members.centroid.map { node throws(ExperimentFileError) in
        try centroid(node, "\(path()).centroid", segmentation, &fields)
      })
  }

  /// libyaml's limit on mappings and lists inside one another (`MAX_NESTING_LEVEL`, not exported by its header).
  ///
  /// A mapping or list that would be the 1000th level is refused (the file's own mapping is the first).
  /// `YAMLNestingTests` checks that 999 levels load and 1000 do not, in block and in flow style.
  static let maximumNesting = 1000

  private static func syntaxError(_ error: YamlError, yaml: String, file: String) -> ExperimentFileError {
    switch error {
    case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
      .composer(_, let problem, let mark, _):
      if problem.hasPrefix("Maximum nesting level reached") {
        // libyaml's words name its C setter. It counts the block indents and flow levels its scanner has open, so
        // the refused file is `maximumNesting` levels deep or more: exactly that many in block style and in flow
        // style with spaces, while `[[[...` written without spaces loads up to 1012 lists inside one another (its
        // scanner has read ahead). The column it gives in flow style is not where the limit was met.
        return ExperimentFileError(
          file: file, line: mark.line, field: "",
          message:
            "nested \(maximumNesting) levels deep or more (mappings and lists inside one another); a definition needs a few"
        )
      }
      return ExperimentFileError(
        file: file, line: mark.line, field: "", message: "not valid YAML: \(problem) (column \(mark.column))")
    case .duplicatedKeysInMapping(let duplicates, let context) where !duplicates.isEmpty && context.mark.line > 0:
      // Yams names the first of the repeated keys (sorted) with the mark of its first occurrence; its own
      // description holds the whole file.
      let key = duplicates[0]
      let others = duplicates.dropFirst().map { "'\($0)'" }
      let also = others.isEmpty ? "" : "; also repeated in this mapping: \(others.joined(separator: ", "))"
      let found = DuplicateYAMLKey(key: key, first: context.mark, in: yaml)
      guard let line = found.line, let column = found.column else {
        return ExperimentFileError(
          file: file, line: found.firstLine, field: found.field,
          message:
            "the key '\(key)' at column \(found.firstColumn) is repeated in its mapping (keys must be unique)\(also)")
      }
      let already =
        line == found.firstLine ? "line \(line), column \(found.firstColumn)" : "line \(found.firstLine)"
      return ExperimentFileError(
        file: file, line: line, field: found.field,
        message: "duplicate key '\(key)' at column \(column) (already at \(already))\(also)")
    case .duplicatedKeysInMapping(let duplicates, _):
      let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
      return ExperimentFileError(file: file, line: 1, field: "", message: "not valid YAML: duplicate key \(keys)")
    case .reader(let problem, let offset, _, let text):
      // Its description quotes the line with a caret under it: one sentence here.
      let line = offset.map { text.prefix($0).reduce(1) { $1.isNewline ? $0 + 1 : $0 } } ?? 1
      return ExperimentFileError(file: file, line: line, field: "", message: "not valid YAML: \(problem)")
    default:
      return ExperimentFileError(file: file, line: 1, field: "", message: "not valid YAML: \(error)")
    }
  }
}
