import StrataAssignment
import StrataDesign
import Yams

/// Reads the `factors` block of an experiment definition (with optional `fraction` or `generators`) into a
/// ``StrataDesign/FactorialDesign`` and turns its runs into ordinary variants.
///
/// ```yaml
/// factors:
///   subject: [short, question]
///   image: [photo, none]
///   cta: [buy, learn]
/// fraction: 1/2            # or generators: "D=ABC"; two-level factors only
/// ```
/// Cells are variants in run order (standard order, the first factor changing fastest). A cell's key is its
/// level labels joined by "." in factor order (`question.photo.buy`); its description is the design's
/// cell name (`subject=question,image=photo,cta=buy`); weights are equal. Factor names and level labels
/// use letters, digits, "_" and "-" (so keys are unambiguous and valid variant keys).
enum ExperimentFactors {
  static func design(
    factors node: Node, fraction: Node?, generators: Node?, _ fields: inout YAMLFields
  ) throws(ExperimentFileError) -> FactorialDesign {
    guard case .mapping(let pairs) = node else {
      throw fields.error(
        "factors", node, "expected factor names mapped to lists of levels, e.g. subject: [short, question]")
    }
    var factors: [Factor] = []
    for (keyNode, value) in pairs {
      let name = try fields.string(keyNode, "factors")
      let path = "factors.\(name)"
      try checkLabel(name, path, keyNode, fields, what: "factor name")
      guard !factors.contains(where: { $0.name == name }) else {
        throw fields.error(path, keyNode, "factor \"\(name)\" appears twice")
      }
      var levels: [String] = []
      for (index, item) in try fields.sequence(value, path).enumerated() {
        let level = try fields.string(item, "\(path)[\(index)]")
        try checkLabel(level, "\(path)[\(index)]", item, fields, what: "level label")
        levels.append(level)
      }
      do {
        factors.append(try Factor(name: name, levels: levels))
      } catch {
        throw fields.error(path, value, "\(error)")
      }
    }
    guard factors.count >= 2 else {
      throw fields.error("factors", node, "a factorial experiment needs at least 2 factors, got \(factors.count)")
    }
    do {
      switch (fraction, generators) {
      case (.some, .some(let generatorsNode)):
        throw fields.error("generators", generatorsNode, "give fraction or generators, not both")
      case (.some(let fractionNode), nil):
        let exponent = try fractionExponent(try fields.string(fractionNode, "fraction"), fractionNode, fields)
        return try FactorialDesign(factors: factors, fractionExponent: exponent)
      case (nil, .some(let generatorsNode)):
        let text: String
        if case .sequence = generatorsNode {
          var entries: [String] = []
          for (index, item) in try fields.sequence(generatorsNode, "generators").enumerated() {
            entries.append(try fields.string(item, "generators[\(index)]"))
          }
          text = entries.joined(separator: ",")
        } else {
          text = try fields.string(generatorsNode, "generators")
        }
        let parsed = try FractionGenerator.parseList(text, factorCount: factors.count)
        return try FactorialDesign(factors: factors, generators: parsed)
      case (nil, nil):
        return try FactorialDesign(fullFactorial: factors)
      }
    } catch let error as ExperimentFileError {
      throw error
    } catch {
      let field = generators != nil ? "generators" : fraction != nil ? "fraction" : "factors"
      throw fields.error(field, generators ?? fraction ?? node, "\(error)")
    }
  }

  /// The design's runs as variants: key = level labels joined by ".", description = the cell name.
  static func variants(of design: FactorialDesign) -> [Variant] {
    design.runs.indices.map { run in
      let labels = design.levelLabels(ofRun: run)
      var levels: [String: String] = [:]
      for (factor, label) in zip(design.factors, labels) { levels[factor.name] = label }
      return Variant(
        key: labels.joined(separator: "."), description: design.cellName(ofRun: run), factorLevels: levels)
    }
  }

  /// The default control cell: every factor at its first level when the design has that cell (a full
  /// factorial always does; a fraction may not), else the first run.
  static func defaultControl(of design: FactorialDesign) -> String {
    let cells = variants(of: design)
    let allFirst = design.runs.firstIndex { $0.allSatisfy { $0 == 0 } } ?? 0
    return cells[allFirst].key
  }

  /// p from `fraction:` (see ``FactorialDesign/fractionExponent(parsing:)``).
  private static func fractionExponent(_ text: String, _ node: Node, _ fields: YAMLFields) throws(ExperimentFileError)
    -> Int
  {
    guard let p = FactorialDesign.fractionExponent(parsing: text) else {
      throw fields.error("fraction", node, "expected 1/2, 1/4, … or 1/2^p, got \"\(text)\"")
    }
    return p
  }

  private static func checkLabel(
    _ text: String, _ path: String, _ node: Node, _ fields: YAMLFields, what: String
  ) throws(ExperimentFileError) {
    let valid =
      !text.isEmpty
      && text.utf8.allSatisfy { byte in
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x5F || byte == 0x2D
      }
    guard valid else {
      throw fields.error(
        path, node, "\(what) \"\(text)\" must be non-empty and use only letters, digits, \"_\" and \"-\"")
    }
  }
}
