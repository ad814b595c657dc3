import StrataAssignment
import Testing

@Suite("Rule language")
struct RuleTests {
  @Test(
    "evaluates comparisons, boolean logic and lists with the spec's typing",
    arguments: [
      ("checkins >= 12", ["checkins": "12"], true),
      ("checkins >= 12", ["checkins": "11.99"], false),
      ("checkins >= 12", ["checkins": 12.0], true),
      ("checkins >= 12", ["checkins": "twelve"], false),
      ("checkins >= 12", [:], false),
      ("checkins != 3", [:], false),  // missing attribute: no match, even for !=
      ("not (checkins == 3)", [:], true),  // `not` is plain negation
      ("plan == \"gold\"", ["plan": "gold"], true),
      ("plan == 'gold'", ["plan": "Gold"], false),
      ("plan == \"gold\"", ["plan": 1.0], false),
      ("plan in [\"gold\", \"silver\"]", ["plan": "silver"], true),
      ("plan not in [\"gold\", \"silver\"]", ["plan": "bronze"], true),
      ("plan not in [\"gold\", \"silver\"]", [:], false),
      ("consent", ["consent": "TRUE"], true),
      ("consent", ["consent": "yes"], false),
      ("consent == false", ["consent": "0"], true),
      ("consent == false", ["consent": false], true),
      ("a > 1 and b < 2 or c", ["a": "2", "b": "1"], true),
      ("a > 1 and (b < 2 or c)", ["a": "2", "b": "3", "c": "true"], true),
      ("a > 1 and (b < 2 or c)", ["a": "0", "b": "1"], false),
      ("not not x", ["x": true], true),
      ("v >= -1.5e1", ["v": "-15"], true),
      ("name < \"b\"", ["name": "a\u{301}"], true),  // UTF-8 byte order: 0x61 < 0x62
      ("name == \"é\"", ["name": "e\u{301}"], false),  // no Unicode normalization
      ("true or x", [:], true),
      ("false", [:], false),
    ] as [(String, [String: AttributeValue], Bool)])
  func evaluates(source: String, attributes: [String: AttributeValue], expected: Bool) throws {
    #expect(try Rule(source).matches(attributes) == expected)
  }

  @Test(
    "reports syntax errors with their column",
    arguments: [
      ("checkins >= ", 13, "expected a number"),
      ("checkins = 12", 10, "use \"==\""),
      ("plan == \"gold", 9, "not closed"),
      ("(a > 1", 7, "to close"),
      ("a > 1 b", 7, "expected \"and\""),
      ("a in []", 7, "empty"),
      ("a in [1 2]", 9, "expected \",\" or \"]\""),
      ("a > 1.2.3", 5, "not a number"),
      ("a > 1 and", 10, "expected an attribute"),
      ("a >= true", 3, "booleans"),
      ("ünïcode == 1", 1, "unexpected character"),
      ("\"é\" == x", 1, "expected an attribute"),
      ("x == \"é\" and @", 14, "unexpected character"),
      ("x == 1 and ✓", 12, "unexpected character \"✓\""),
      ("x == \"ü\\q\"", 8, "unknown escape \"\\q\""),
      ("x == \"✓\\✓\"", 8, "unknown escape \"\\✓\""),
      ("x == 'a\\'b' and ü", 17, "unexpected character \"ü\""),
      ("x == 'ü\\", 6, "not closed"),
    ])
  func syntaxErrors(source: String, column: Int, fragment: String) {
    #expect {
      _ = try Rule(source)
    } throws: { error in
      guard let error = error as? RuleSyntaxError else { return false }
      return error.column == column && error.message.contains(fragment)
    }
  }

  @Test("the canonical description parses back to the same tree")
  func roundTrip() throws {
    for source in ["a > 1 and b < 2 or not c", "x in [1, \"two\", true]", "p not in ['a\\'b']", "(a or b) and c"] {
      let rule = try Rule(source)
      #expect(try Rule(rule.expression.description).expression == rule.expression, "\(source)")
    }
  }

  /// A string literal keeps its scalars exactly (multi-byte, combining, escaped), and names and numbers read as
  /// written.
  @Test("string literals, names and numbers keep their text")
  func literalText() throws {
    let text = "e\u{301} \"ü\" ✓ 😀 \\ it's"
    let rule = try Rule(#"name == "e\#u{301} \"ü\" ✓ 😀 \\ it\'s""#)
    #expect(rule.matches(["name": .string(text)]))
    #expect(!rule.matches(["name": .string("é \"ü\" ✓ 😀 \\ it's")]))
    #expect(rule.expression.description.contains("✓ 😀"))
    let names = try Rule("name_2.x in ['ab', \"c\"] and v >= -1.5e1 and Z_9 < 1e-3")
    #expect(names.attributes == ["name_2.x", "v", "Z_9"])
    #expect(names.matches(["name_2.x": "ab", "v": "-15", "Z_9": "0.0009"]))
    #expect(!names.matches(["name_2.x": "ab", "v": "-15.1", "Z_9": "0.0009"]))
  }

  @Test("lists the attributes it reads, once each, in order")
  func attributes() throws {
    #expect(try Rule("b > 1 and a == 2 or b < 0 and not c").attributes == ["b", "a", "c"])
  }

  @Test("numbers in attribute text follow the spec grammar only")
  func numberGrammar() {
    for text in ["0", "-3", "12.5", "1e3", "2.5E-2"] {
      #expect(AttributeValue.parseNumber(text.utf8) != nil, "\(text)")
    }
    for text in ["", "+1", "1.", ".5", " 1", "inf", "nan", "0x10", "1e", "--1"] {
      #expect(AttributeValue.parseNumber(text.utf8) == nil, "\(text)")
    }
  }
}

/// Rules deep or long enough to overflow a recursive parser or evaluator (once a SIGSEGV at about 28,000
/// parentheses or 65,000 terms) are syntax errors naming the column; rules at the limits still work.
@Suite("Rule limits")
struct RuleLimitTests {
  @Test func deepParenthesesAreRefusedAtTheColumnThatCrossesTheLimit() throws {
    let source = String(repeating: "(", count: 28_000) + "x" + String(repeating: ")", count: 28_000)
    #expect {
      _ = try Rule(source)
    } throws: { error in
      guard let error = error as? RuleSyntaxError else { return false }
      return error.column == 101 && error.message.contains("100 deep")
    }
  }

  @Test func deepNotChainsAreRefused() throws {
    let source = String(repeating: "not ", count: 50_000) + "x"
    #expect {
      _ = try Rule(source)
    } throws: { error in
      (error as? RuleSyntaxError)?.column == 401
    }
  }

  @Test func longAndOrChainsAreRefusedAtTheFirstTermBeyondTheLimit() throws {
    let source = (0..<65_000).map { "a\($0 % 7) == \($0)" }.joined(separator: " or ")
    #expect {
      _ = try Rule(source)
    } throws: { error in
      guard let error = error as? RuleSyntaxError else { return false }
      let prefix = (0..<1_000).map { "a\($0 % 7) == \($0)" }.joined(separator: " or ") + " or "
      return error.column == prefix.unicodeScalars.count + 1 && error.message.contains("in [...]")
    }
  }

  @Test func rulesAtTheLimitsParseAndEvaluate() throws {
    let deep = String(repeating: "(", count: 100) + "x == 1" + String(repeating: ")", count: 100)
    #expect(try Rule(deep).matches(["x": "1"]))
    let nots = String(repeating: "not ", count: 100) + "x"
    #expect(try Rule(nots).matches(["x": "true"]))
    let chain = (0..<1_000).map { "x == \($0)" }.joined(separator: " or ")
    let rule = try Rule(chain)
    #expect(rule.matches(["x": "999"]))
    #expect(!rule.matches(["x": "1000"]))
    #expect(rule.description == chain)
    #expect(rule.expression.description.count > chain.count)  // the canonical text walks the whole tree
    let and = (0..<1_000).map { "x != \($0)" }.joined(separator: " and ")
    #expect(try Rule(and).matches(["x": "1000"]))
  }
}
