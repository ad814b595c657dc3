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
    let tokens =
      source.utf8.withContiguousStorageIfAvailable { tokenize(utf8: $0, source: source) }
      ?? Array(source.utf8).withUnsafeBufferPointer { tokenize(utf8: $0, source: source) }
    return try tokens.get()
  }

  /// The tokens of a rule's UTF-8 bytes, read byte by byte.
  ///
  /// Every character that starts, ends or makes up a token outside a string is ASCII, and a string's bytes are its
  /// text. `column` counts Unicode scalars (the bytes that do not continue a multi-byte one), as the errors'
  /// columns do.
  ///
  /// An array of the rule's scalars, a byte array per name and one per string literal (grown one byte at a time)
  /// cost about 5,000 instructions for `tier == "seg-1"` (0.1 G for 20,000 segment rules).
  private static func tokenize(utf8 bytes: UnsafeBufferPointer<UInt8>, source: String) -> Result<
    [Token], RuleSyntaxError
  > {
    /// The scalar at `column` (from 1), for an error's message.
    func scalar(atColumn column: Int) -> Unicode.Scalar {
      source.unicodeScalars[source.unicodeScalars.index(source.unicodeScalars.startIndex, offsetBy: column - 1)]
    }
    func text(_ range: Range<Int>) -> String {
      String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }
    var tokens: [Token] = []
    // Most rules are a few tokens: one allocation rather than growing through 1, 2, 4 and 8.
    tokens.reserveCapacity(min(bytes.count + 1, 16))
    var index = 0
    var column = 1
    while index < bytes.count {
      let byte = bytes[index]
      let start = column
      switch byte {
      case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
        index += 1
        column += 1
      case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: ","):
        let kind: TokenKind
        switch byte {
        case UInt8(ascii: "("): kind = .openParenthesis
        case UInt8(ascii: ")"): kind = .closeParenthesis
        case UInt8(ascii: "["): kind = .openBracket
        case UInt8(ascii: "]"): kind = .closeBracket
        default: kind = .comma
        }
        tokens.append(Token(kind: kind, column: start))
        index += 1
        column += 1
      case UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "<"), UInt8(ascii: ">"):
        let followedByEqual = index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "=")
        let op: ComparisonOperator?
        switch (byte, followedByEqual) {
        case (UInt8(ascii: "="), true): op = .equal
        case (UInt8(ascii: "!"), true): op = .notEqual
        case (UInt8(ascii: "<"), true): op = .lessOrEqual
        case (UInt8(ascii: "<"), false): op = .less
        case (UInt8(ascii: ">"), true): op = .greaterOrEqual
        case (UInt8(ascii: ">"), false): op = .greater
        default: op = nil
        }
        guard let op else {
          let hint = byte == UInt8(ascii: "=") ? "use \"==\" to compare" : "use \"not\" to negate, \"!=\" to compare"
          return .failure(
            RuleSyntaxError(column: start, message: "unexpected \"\(Unicode.Scalar(byte))\": \(hint)"))
        }
        tokens.append(Token(kind: .comparison(op), column: start))
        let length = followedByEqual ? 2 : 1
        index += length
        column += length
      case UInt8(ascii: "\""), UInt8(ascii: "'"):
        // The text between the quotes as it is, unless an escape makes it differ.
        var escaped: [UInt8]?
        var cursor = index + 1
        var cursorColumn = column + 1
        var closed = false
        while cursor < bytes.count {
          let character = bytes[cursor]
          if character == byte {
            closed = true
            break
          }
          if character == UInt8(ascii: "\\") {
            guard cursor + 1 < bytes.count else { break }
            let next = bytes[cursor + 1]
            guard next == UInt8(ascii: "\\") || next == UInt8(ascii: "\"") || next == UInt8(ascii: "'") else {
              return .failure(
                RuleSyntaxError(
                  column: cursorColumn,
                  message:
                    "unknown escape \"\\\(scalar(atColumn: cursorColumn + 1))\" (only \\\\, \\\" and \\' are allowed)"))
            }
            if escaped == nil { escaped = Array(bytes[(index + 1)..<cursor]) }
            escaped?.append(next)
            cursor += 2
            cursorColumn += 2
            continue
          }
          escaped?.append(character)
          cursor += 1
          // A byte that continues a multi-byte scalar is in the column of the byte that started it.
          if character & 0xC0 != 0x80 { cursorColumn += 1 }
        }
        guard closed else { return .failure(RuleSyntaxError(column: start, message: "string is not closed")) }
        let value = escaped.map { String(decoding: $0, as: UTF8.self) } ?? text((index + 1)..<cursor)
        tokens.append(Token(kind: .string(value), column: start))
        index = cursor + 1
        column = cursorColumn + 1
      case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."):
        var cursor = index
        while cursor < bytes.count, isNumberCharacter(bytes[cursor], previous: cursor > index ? bytes[cursor - 1] : nil)
        {
          cursor += 1
        }
        let number = text(index..<cursor)
        guard let value = AttributeValue.parseNumber(number.utf8) else {
          return .failure(RuleSyntaxError(column: start, message: "\"\(number)\" is not a number"))
        }
        tokens.append(Token(kind: .number(value), column: start))
        column += cursor - index
        index = cursor
      default:
        guard isIdentifierStart(byte) else {
          return .failure(
            RuleSyntaxError(column: start, message: "unexpected character \"\(scalar(atColumn: start))\""))
        }
        var cursor = index + 1
        while cursor < bytes.count,
          isIdentifierStart(bytes[cursor]) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[cursor])
            || bytes[cursor] == UInt8(ascii: ".")
        {
          cursor += 1
        }
        tokens.append(Token(kind: .identifier(text(index..<cursor)), column: start))
        column += cursor - index
        index = cursor
      }
    }
    tokens.append(Token(kind: .end, column: column))
    return .success(tokens)
  }

  private static func isIdentifierStart(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
      || byte == UInt8(ascii: "_")
  }

  private static func isNumberCharacter(_ byte: UInt8, previous: UInt8?) -> Bool {
    if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e")
      || byte == UInt8(ascii: "E")
    {
      return true
    }
    if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") {
      return previous == nil || previous == UInt8(ascii: "e") || previous == UInt8(ascii: "E")
    }
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

  /// Whether `name` is one of the words of the language (`and`, `or`, `not`, `in`, `true`, `false`): compared with
  /// each, where a `Set` hashed the name (about 400 instructions for every attribute of every rule).
  private static func isKeyword(_ name: String) -> Bool {
    switch name {
    case "and", "or", "not", "in", "true", "false": return true
    default: return false
    }
  }

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
    case .identifier(let name) where !RuleParser.isKeyword(name):
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
