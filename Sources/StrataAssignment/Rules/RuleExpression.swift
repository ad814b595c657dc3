/// A literal in a rule: a number, a string or a boolean.
public enum RuleLiteral: Sendable, Hashable, CustomStringConvertible {
  case number(Double)
  case string(String)
  case bool(Bool)

  public var description: String {
    switch self {
    case .number(let value):
      // Whole numbers print without ".0" (no libm `round`: this module links only the standard library).
      return abs(value) < 1e15 && value == Double(Int64(value)) ? String(Int64(value)) : "\(value)"
    case .string(let value): return "\"" + value.replacingQuotes() + "\""
    case .bool(let value): return value ? "true" : "false"
    }
  }
}

/// A comparison operator in a rule.
public enum ComparisonOperator: String, Sendable, Hashable, CaseIterable {
  case equal = "=="
  case notEqual = "!="
  case less = "<"
  case lessOrEqual = "<="
  case greater = ">"
  case greaterOrEqual = ">="
}

/// The syntax tree of a rule (see ``Rule`` for the language).
public indirect enum RuleExpression: Sendable, Hashable, CustomStringConvertible {
  /// `true` or `false`.
  case constant(Bool)
  /// A bare attribute name: true when the attribute is the boolean true.
  case truthy(attribute: String)
  /// `attribute OP literal`.
  case comparison(attribute: String, operator: ComparisonOperator, literal: RuleLiteral)
  /// `attribute in [..]`, or `attribute not in [..]` when `negated`.
  case membership(attribute: String, values: [RuleLiteral], negated: Bool)
  case not(RuleExpression)
  case and(RuleExpression, RuleExpression)
  case or(RuleExpression, RuleExpression)

  /// Canonical text of the expression, fully parenthesized where needed; it parses back to the same tree.
  public var description: String {
    switch self {
    case .constant(let value): return value ? "true" : "false"
    case .truthy(let attribute): return attribute
    case .comparison(let attribute, let op, let literal): return "\(attribute) \(op.rawValue) \(literal)"
    case .membership(let attribute, let values, let negated):
      let list = values.map(\.description).joined(separator: ", ")
      return "\(attribute) \(negated ? "not in" : "in") [\(list)]"
    case .not(let inner): return "not (\(inner))"
    case .and(let left, let right): return "(\(left)) and (\(right))"
    case .or(let left, let right): return "(\(left)) or (\(right))"
    }
  }

  /// Every (attribute, literal type) pair the expression compares; a bare attribute counts as boolean.
  func readings(into pairs: inout [(String, AttributeReading)]) {
    func kind(_ literal: RuleLiteral) -> AttributeReading {
      switch literal {
      case .number: return .number
      case .string: return .string
      case .bool: return .bool
      }
    }
    switch self {
    case .constant: return
    case .truthy(let attribute): pairs.append((attribute, .bool))
    case .comparison(let attribute, _, let literal): pairs.append((attribute, kind(literal)))
    case .membership(let attribute, let values, _): pairs += values.map { (attribute, kind($0)) }
    case .not(let inner): inner.readings(into: &pairs)
    case .and(let left, let right), .or(let left, let right):
      left.readings(into: &pairs)
      right.readings(into: &pairs)
    }
  }

  /// Attribute names in order of first appearance.
  var attributes: [String] {
    var names: [String] = []
    collectAttributes(into: &names)
    return names
  }

  private func collectAttributes(into names: inout [String]) {
    switch self {
    case .constant: return
    case .truthy(let attribute), .comparison(let attribute, _, _), .membership(let attribute, _, _):
      if !names.contains(attribute) { names.append(attribute) }
    case .not(let inner): inner.collectAttributes(into: &names)
    case .and(let left, let right), .or(let left, let right):
      left.collectAttributes(into: &names)
      right.collectAttributes(into: &names)
    }
  }
}

extension String {
  func replacingQuotes() -> String {
    var out = ""
    for character in self {
      if character == "\"" || character == "\\" { out.append("\\") }
      out.append(character)
    }
    return out
  }
}

/// How an experiment's rules read an attribute: only as a number, only as a boolean, only as a string, or in several
/// ways.
///
/// A caller reading text (a CSV) may convert a `number`- or `bool`-only attribute up front — readable text to
/// `.number`/`.bool`, anything else kept as `.string` — with identical results.
public enum AttributeReading: Sendable, Hashable {
  case number, bool, string, mixed
}
