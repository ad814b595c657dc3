/// A rule over a unit's attributes, in Strata's small, safe expression language: who is eligible,
/// who has consented, which segment a unit belongs to.
///
/// ```
/// rule       := or
/// or         := and ("or" and)*
/// and        := not ("and" not)*
/// not        := "not" not | primary
/// primary    := "(" or ")" | "true" | "false" | NAME [ OP literal | ["not"] "in" "[" literal ("," literal)* "]" ]
/// OP         := "==" | "!=" | "<" | "<=" | ">" | ">="
/// literal    := NUMBER | STRING | "true" | "false"
/// NAME       := [A-Za-z_][A-Za-z0-9_.]*        NUMBER := -?[0-9]+(.[0-9]+)?([eE][-+]?[0-9]+)?
/// STRING     := "..." or '...' with \\ \" \' escapes
/// ```
/// A bare `NAME` is true when the attribute is the boolean true. Any comparison (including `!=` and
/// `not in`) on a missing attribute, or on one that cannot be read as the literal's type, is false;
/// `not` is plain negation. Strings compare by UTF-8 bytes (no Unicode normalization, byte order for
/// `<`). Nothing is evaluated but these comparisons: no functions, no loops, no side effects.
///
/// A rule nests parentheses and `not` at most 100 deep and joins at most 1,000 terms; beyond that it is a
/// syntax error at the column where the limit is crossed (every walk over a rule is then bounded).
///
/// Parsed once (`try Rule("checkins_90d >= 12 and plan in [\"gold\", \"silver\"]")`); syntax errors
/// carry the column.
public struct Rule: Sendable, Hashable, CustomStringConvertible {
  /// The rule as written.
  public let source: String
  /// Its syntax tree.
  public let expression: RuleExpression
  /// The attribute names it reads, in order of first appearance.
  public let attributes: [String]

  /// Parses `source`.
  public init(_ source: String) throws(RuleSyntaxError) {
    self.source = source
    self.expression = try RuleParser.parse(source)
    self.attributes = expression.attributes
  }

  public var description: String { source }

  /// Evaluates the rule against named attributes (a convenience; experiments evaluate compiled rules).
  public func matches(_ attributes: [String: AttributeValue]) -> Bool {
    let slots = self.attributes
    let table = RuleTable([expression], slots: { name in slots.firstIndex(of: name) ?? 0 })
    let values = slots.map { attributes[$0] }
    return values.withUnsafeBufferPointer { table.evaluate(table.roots[0], $0) }
  }
}

/// The rules of an experiment compiled against its attribute slots: one flat table of trivial nodes (no strings or
/// arrays inside, held in unmanaged memory), so walking it never touches a reference count; string literals and lists
/// live in side tables.
///
/// `roots[i]` is the node of the i-th rule.
@usableFromInline
final class RuleTable: @unchecked Sendable {
  // @unchecked: `nodes` is written only in init and freed in deinit; everything else is immutable.
  @usableFromInline
  enum Node {
    case constant(Bool)
    case truthy(slot: Int)
    case number(slot: Int, operator: ComparisonOperator, value: Double)
    case string(slot: Int, operator: ComparisonOperator, literal: Int)
    case bool(slot: Int, equal: Bool, value: Bool)
    case membership(slot: Int, list: Int, negated: Bool)
    case not(Int)
    case and(Int, Int)
    case or(Int, Int)
  }

  @usableFromInline let nodes: UnsafeMutableBufferPointer<Node>
  private let strings: [String]
  /// The string literals' UTF-8 bytes, one after another in unmanaged memory: literal i is
  /// `stringBytes[stringBounds[i] ..< stringBounds[i + 1]]` (compared without touching a `String`).
  private let stringBytes: UnsafeMutableBufferPointer<UInt8>
  private let stringBounds: UnsafeMutableBufferPointer<Int>
  private let lists: [[RuleLiteral]]
  /// The root node of each compiled expression, in the order given.
  let roots: [Int]

  init(_ expressions: [RuleExpression], slots: (String) -> Int) {
    var builder = Builder()
    roots = expressions.map { builder.append($0, slots: slots) }
    nodes = UnsafeMutableBufferPointer<Node>.allocate(capacity: max(builder.nodes.count, 1))
    _ = nodes.initialize(from: builder.nodes)
    strings = builder.strings
    lists = builder.lists
    // Each literal's bytes copied straight from its `utf8` view (an array of them per literal was made and freed:
    // about 550 instructions for each segment's rule).
    stringBytes = .allocate(capacity: max(builder.strings.reduce(0) { $0 + $1.utf8.count }, 1))
    stringBounds = .allocate(capacity: builder.strings.count + 1)
    var end = 0
    stringBounds[0] = 0
    for index in builder.strings.indices {
      let utf8 = builder.strings[index].utf8
      _ = UnsafeMutableBufferPointer(rebasing: stringBytes[end..<(end + utf8.count)]).initialize(from: utf8)
      end += utf8.count
      stringBounds[index + 1] = end
    }
  }

  deinit {
    nodes.deallocate()
    stringBytes.deallocate()
    stringBounds.deallocate()
  }

  private struct Builder {
    var nodes: [Node] = []
    var strings: [String] = []
    var lists: [[RuleLiteral]] = []

    mutating func append(_ expression: RuleExpression, slots: (String) -> Int) -> Int {
      let node: Node
      switch expression {
      case .constant(let value): node = .constant(value)
      case .truthy(let attribute): node = .truthy(slot: slots(attribute))
      case .comparison(let attribute, let op, let literal):
        switch literal {
        case .number(let value): node = .number(slot: slots(attribute), operator: op, value: value)
        case .string(let value):
          strings.append(value)
          node = .string(slot: slots(attribute), operator: op, literal: strings.count - 1)
        case .bool(let value): node = .bool(slot: slots(attribute), equal: op == .equal, value: value)
        }
      case .membership(let attribute, let values, let negated):
        lists.append(values)
        node = .membership(slot: slots(attribute), list: lists.count - 1, negated: negated)
      case .not(let inner): node = .not(append(inner, slots: slots))
      case .and(let left, let right):
        let l = append(left, slots: slots)
        node = .and(l, append(right, slots: slots))
      case .or(let left, let right):
        let l = append(left, slots: slots)
        node = .or(l, append(right, slots: slots))
      }
      nodes.append(node)
      return nodes.count - 1
    }
  }

  /// Evaluates the expression whose root is `index`, with the commonest rule (`attribute OP number` on a
  /// typed number) inlined at the call site; everything else goes through ``evaluate(_:_:)``.
  @inlinable @inline(__always)
  func matches(_ index: Int, _ values: UnsafeBufferPointer<AttributeValue?>) -> Bool {
    if case .number(let slot, let op, let literal) = nodes[index], case .number(let value)? = values[slot] {
      return RuleTable.compare(value, op, literal)
    }
    return evaluate(index, values)
  }

  /// Evaluates the expression whose root is `index` against slot-ordered attribute values.
  @usableFromInline
  func evaluate(_ index: Int, _ values: UnsafeBufferPointer<AttributeValue?>) -> Bool {
    switch nodes[index] {
    case .constant(let value): return value
    case .truthy(let slot): return values[slot]?.boolValue == true
    case .number(let slot, let op, let literal):
      let value: Double
      switch values[slot] {
      case .number(let number)?: value = number
      case .string(let text)?:
        guard let parsed = AttributeValue.parseNumber(text.utf8) else { return false }
        value = parsed
      default: return false
      }
      return RuleTable.compare(value, op, literal)
    case .string(let slot, let op, let literal):
      guard case .string(let value)? = values[slot] else { return false }
      let bytes = UnsafeBufferPointer(
        rebasing: stringBytes[stringBounds[literal]..<stringBounds[literal &+ 1]])
      if let matches = value.utf8.withContiguousStorageIfAvailable({ RuleTable.compareBytes($0, op, bytes) }) {
        return matches
      }
      return RuleTable.compareBytes(value, op, strings[literal])
    case .bool(let slot, let equal, let literal):
      guard let value = values[slot]?.boolValue else { return false }
      return (value == literal) == equal
    case .membership(let slot, let list, let negated):
      guard let value = values[slot] else { return false }
      var typed = false
      for literal in lists[list] {
        switch literal {
        case .number(let number):
          if let x = value.numberValue {
            typed = true
            if x == number { return !negated }
          }
        case .string(let text):
          if case .string(let s) = value {
            typed = true
            if RuleTable.compareBytes(s, .equal, text) { return !negated }
          }
        case .bool(let flag):
          if let b = value.boolValue {
            typed = true
            if b == flag { return !negated }
          }
        }
      }
      return negated && typed
    case .not(let inner): return !evaluate(inner, values)
    case .and(let left, let right): return evaluate(left, values) && evaluate(right, values)
    case .or(let left, let right): return evaluate(left, values) || evaluate(right, values)
    }
  }

  @inlinable @inline(__always)
  static func compare(_ value: Double, _ op: ComparisonOperator, _ literal: Double) -> Bool {
    switch op {
    case .equal: return value == literal
    case .notEqual: return value != literal
    case .less: return value < literal
    case .lessOrEqual: return value <= literal
    case .greater: return value > literal
    case .greaterOrEqual: return value >= literal
    }
  }

  private static func compareBytes(_ value: String, _ op: ComparisonOperator, _ literal: String) -> Bool {
    var value = value
    var literal = literal
    return value.withUTF8 { value in literal.withUTF8 { literal in compareBytes(value, op, literal) } }
  }

  /// Compares UTF-8 bytes: equality, or byte-wise lexicographic order (a prefix sorts first).
  @inline(__always)
  private static func compareBytes(
    _ value: UnsafeBufferPointer<UInt8>, _ op: ComparisonOperator, _ literal: UnsafeBufferPointer<UInt8>
  ) -> Bool {
    // order < 0: value sorts first; 0: equal; > 0: literal sorts first.
    var order = 0
    let common = min(value.count, literal.count)
    var index = 0
    while index < common {
      let a = value[index]
      let b = literal[index]
      if a != b {
        order = a < b ? -1 : 1
        break
      }
      index &+= 1
    }
    if order == 0 { order = value.count < literal.count ? -1 : value.count > literal.count ? 1 : 0 }
    switch op {
    case .equal: return order == 0
    case .notEqual: return order != 0
    case .less: return order < 0
    case .lessOrEqual: return order <= 0
    case .greater: return order > 0
    case .greaterOrEqual: return order >= 0
    }
  }

}
