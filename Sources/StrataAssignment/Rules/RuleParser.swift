/// Tokenizer and recursive-descent parser for the rule language (grammar in ``Rule``).
///
/// Columns are 1-based positions in Unicode scalars, so an error under a non-ASCII string points at
/// the character a person sees.
struct RuleParser {
  enum TokenKind: Equatable {
    case identifier(String)
    case number(Double)
    case string(String)
    case comparison(ComparisonOperator)
    case openParenthesis, closeParenthesis, openBracket, closeBracket, comma
    case end
  }

  struct Token {
    var kind: TokenKind
    var column: Int

    /// How the token reads in an error message.
    var spelling: String {
      switch kind {
      case .identifier(let name): return "\"\(name)\""
      case .number(let value): return RuleLiteral.number(value).description
      case .string(let value): return RuleLiteral.string(value).description
      case .comparison(let op): return "\"\(op.rawValue)\""
      case .openParenthesis: return "\"(\""
      case .closeParenthesis: return "\")\""
      case .openBracket: return "\"[\""
      case .closeBracket: return "\"]\""
      case .comma: return "\",\""
      case .end: return "end of rule"
      }
    }
  }

  private var tokens: [Token] = []
  private var position = 0
  /// Parentheses and `not`s open around the current token.
  private var depth = 0
  /// Comparisons, bare attributes and constants so far.
  private var terms = 0

  /// How deep parentheses and `not` may nest.
  ///
  /// Parsing, compiling and evaluating a rule recurse once per level; 100 is far beyond any rule a person
  /// writes and keeps every walk a few kilobytes of stack.
  static let maximumDepth = 100
  /// How many terms a rule may join with `and`/`or`.
  ///
  /// A chain of N terms is a tree N deep, so this bounds the recursion as well; long lists of
  /// alternatives belong in `in [...]`, which has no limit.
  static let maximumTerms = 1_000

  /// Parses a whole rule.
  static func parse(_ source: String) throws(RuleSyntaxError) -> RuleExpression {
    var parser = RuleParser()
    parser.tokens = try tokenize(source)
    let expression = try parser.parseOr()
    let next = parser.tokens[parser.position]
    guard next.kind == .end else {
      throw RuleSyntaxError(
        column: next.column, message: "expected \"and\", \"or\" or end of rule, found \(next.spelling)")
    }
    return expression
  }

  // MARK: Tokenizer

  static func tokenize(_ source: String) throws(RuleSyntaxError) -> [Token] {
    let scalars = Array(source.unicodeScalars)
    var tokens: [Token] = []
    var index = 0
    while index < scalars.count {
      let scalar = scalars[index]
      let column = index + 1
      switch scalar {
      case " ", "\t", "\n", "\r":
        index += 1
      case "(":
        tokens.append(Token(kind: .openParenthesis, column: column))
        index += 1
      case ")":
        tokens.append(Token(kind: .closeParenthesis, column: column))
        index += 1
      case "[":
        tokens.append(Token(kind: .openBracket, column: column))
        index += 1
      case "]":
        tokens.append(Token(kind: .closeBracket, column: column))
        index += 1
      case ",":
        tokens.append(Token(kind: .comma, column: column))
        index += 1
      case "=", "!", "<", ">":
        let followedByEqual = index + 1 < scalars.count && scalars[index + 1] == "="
        let op: ComparisonOperator?
        switch (scalar, followedByEqual) {
        case ("=", true): op = .equal
        case ("!", true): op = .notEqual
        case ("<", true): op = .lessOrEqual
        case ("<", false): op = .less
        case (">", true): op = .greaterOrEqual
        case (">", false): op = .greater
        default: op = nil
        }
        guard let op else {
          let hint = scalar == "=" ? "use \"==\" to compare" : "use \"not\" to negate, \"!=\" to compare"
          throw RuleSyntaxError(column: column, message: "unexpected \"\(scalar)\": \(hint)")
        }
        tokens.append(Token(kind: .comparison(op), column: column))
        index += followedByEqual ? 2 : 1
      case "\"", "'":
        var text: [UInt8] = []
        var cursor = index + 1
        var closed = false
        while cursor < scalars.count {
          let character = scalars[cursor]
          if character == scalar {
            closed = true
            break
          }
          if character == "\\" {
            guard cursor + 1 < scalars.count else { break }
            let escaped = scalars[cursor + 1]
            guard escaped == "\\" || escaped == "\"" || escaped == "'" else {
              throw RuleSyntaxError(
                column: cursor + 1, message: "unknown escape \"\\\(escaped)\" (only \\\\, \\\" and \\' are allowed)")
            }
            UTF8.encode(escaped) { text.append($0) }
            cursor += 2
            continue
          }
          UTF8.encode(character) { text.append($0) }
          cursor += 1
        }
        guard closed else { throw RuleSyntaxError(column: column, message: "string is not closed") }
        tokens.append(Token(kind: .string(String(decoding: text, as: UTF8.self)), column: column))
        index = cursor + 1
      case "-", "0"..."9", ".":
        var cursor = index
        while cursor < scalars.count,
          isNumberCharacter(scalars[cursor], previous: cursor > index ? scalars[cursor - 1] : nil)
        {
          cursor += 1
        }
        let text = Self.text(scalars[index..<cursor])
        guard let value = AttributeValue.parseNumber(text.utf8) else {
          throw RuleSyntaxError(column: column, message: "\"\(text)\" is not a number")
        }
        tokens.append(Token(kind: .number(value), column: column))
        index = cursor
      default:
        guard isIdentifierStart(scalar) else {
          throw RuleSyntaxError(column: column, message: "unexpected character \"\(scalar)\"")
        }
        var cursor = index + 1
        while cursor < scalars.count,
          isIdentifierStart(scalars[cursor]) || ("0"..."9").contains(scalars[cursor]) || scalars[cursor] == "."
        {
          cursor += 1
        }
        tokens.append(Token(kind: .identifier(Self.text(scalars[index..<cursor])), column: column))
        index = cursor
      }
    }
    tokens.append(Token(kind: .end, column: scalars.count + 1))
    return tokens
  }

  /// The scalars as a `String`, made from their UTF-8 bytes: `String.UnicodeScalarView`'s appends cost about 5,000
  /// instructions a token (0.15 G for 20,000 segment rules).
  private static func text(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(scalars.count)
    for scalar in scalars { UTF8.encode(scalar) { bytes.append($0) } }
    return String(decoding: bytes, as: UTF8.self)
  }

  private static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
    ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
  }

  private static func isNumberCharacter(_ scalar: Unicode.Scalar, previous: Unicode.Scalar?) -> Bool {
    if ("0"..."9").contains(scalar) || scalar == "." || scalar == "e" || scalar == "E" { return true }
    if scalar == "-" || scalar == "+" { return previous == nil || previous == "e" || previous == "E" }
    return false
  }

  // MARK: Parser

  private mutating func advance() -> Token {
    let token = tokens[position]
    if token.kind != .end { position += 1 }
    return token
  }

  private func peekKeyword(_ keyword: String) -> Bool {
    if case .identifier(let name) = tokens[position].kind { return name == keyword }
    return false
  }

  private mutating func parseOr() throws(RuleSyntaxError) -> RuleExpression {
    var left = try parseAnd()
    while peekKeyword("or") {
      _ = advance()
      left = .or(left, try parseAnd())
    }
    return left
  }

  private mutating func parseAnd() throws(RuleSyntaxError) -> RuleExpression {
    var left = try parseNot()
    while peekKeyword("and") {
      _ = advance()
      left = .and(left, try parseNot())
    }
    return left
  }

  private mutating func parseNot() throws(RuleSyntaxError) -> RuleExpression {
    if peekKeyword("not") {
      let token = advance()
      try enter(token)
      defer { depth -= 1 }
      return .not(try parseNot())
    }
    return try parsePrimary()
  }

  /// Opens one level of nesting at `token`, refusing to go deeper than ``maximumDepth``.
  private mutating func enter(_ token: Token) throws(RuleSyntaxError) {
    depth += 1
    guard depth <= Self.maximumDepth else {
      throw RuleSyntaxError(
        column: token.column,
        message: "parentheses and \"not\" nest more than \(Self.maximumDepth) deep here; simplify the rule")
    }
  }

  /// Counts one term at `token`, refusing more than ``maximumTerms``.
  private mutating func countTerm(_ token: Token) throws(RuleSyntaxError) {
    terms += 1
    guard terms <= Self.maximumTerms else {
      throw RuleSyntaxError(
        column: token.column,
        message:
          "the rule has more than \(Self.maximumTerms) terms; write long lists of alternatives as \"name in [...]\"")
    }
  }

  private static let keywords: Set<String> = ["and", "or", "not", "in", "true", "false"]

  private mutating func parsePrimary() throws(RuleSyntaxError) -> RuleExpression {
    let token = advance()
    switch token.kind {
    case .openParenthesis:
      try enter(token)
      defer { depth -= 1 }
      let inner = try parseOr()
      let close = advance()
      guard close.kind == .closeParenthesis else {
        throw RuleSyntaxError(
          column: close.column,
          message: "expected \")\" to close the \"(\" at column \(token.column), found \(close.spelling)")
      }
      return inner
    case .identifier("true"):
      try countTerm(token)
      return .constant(true)
    case .identifier("false"):
      try countTerm(token)
      return .constant(false)
    case .identifier(let name) where !RuleParser.keywords.contains(name):
      try countTerm(token)
      return try parseComparison(attribute: name)
    default:
      throw RuleSyntaxError(
        column: token.column,
        message: "expected an attribute name, \"not\", \"(\", true or false, found \(token.spelling)")
    }
  }

  private mutating func parseComparison(attribute: String) throws(RuleSyntaxError) -> RuleExpression {
    let next = tokens[position]
    switch next.kind {
    case .comparison(let op):
      _ = advance()
      let literal = try parseLiteral(after: "\"\(op.rawValue)\"")
      if case .bool = literal, op != .equal, op != .notEqual {
        throw RuleSyntaxError(column: next.column, message: "booleans compare only with \"==\" or \"!=\"")
      }
      return .comparison(attribute: attribute, operator: op, literal: literal)
    case .identifier("in"):
      _ = advance()
      return .membership(attribute: attribute, values: try parseList(), negated: false)
    case .identifier("not"):
      _ = advance()
      let inToken = advance()
      guard inToken.kind == .identifier("in") else {
        throw RuleSyntaxError(
          column: inToken.column, message: "expected \"in\" after \"\(attribute) not\", found \(inToken.spelling)")
      }
      return .membership(attribute: attribute, values: try parseList(), negated: true)
    default:
      return .truthy(attribute: attribute)
    }
  }

  private mutating func parseLiteral(after context: String) throws(RuleSyntaxError) -> RuleLiteral {
    let token = advance()
    switch token.kind {
    case .number(let value): return .number(value)
    case .string(let value): return .string(value)
    case .identifier("true"): return .bool(true)
    case .identifier("false"): return .bool(false)
    default:
      throw RuleSyntaxError(
        column: token.column,
        message: "expected a number, a quoted string, true or false after \(context), found \(token.spelling)")
    }
  }

  private mutating func parseList() throws(RuleSyntaxError) -> [RuleLiteral] {
    let open = advance()
    guard open.kind == .openBracket else {
      throw RuleSyntaxError(column: open.column, message: "expected \"[\" after \"in\", found \(open.spelling)")
    }
    var values: [RuleLiteral] = []
    if tokens[position].kind == .closeBracket {
      throw RuleSyntaxError(column: tokens[position].column, message: "the list is empty")
    }
    while true {
      values.append(try parseLiteral(after: values.isEmpty ? "\"[\"" : "\",\""))
      let separator = advance()
      if separator.kind == .closeBracket { return values }
      guard separator.kind == .comma else {
        throw RuleSyntaxError(
          column: separator.column, message: "expected \",\" or \"]\" in the list, found \(separator.spelling)")
      }
    }
  }
}
