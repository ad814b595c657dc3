import StrataDesign
import StrataTestSupport
import Testing

@testable import StrataStats

/// Two-level factors named A, B, C, … for design tests.
func twoLevelFactors(_ count: Int) throws -> [Factor] {
  try (0..<count).map { try Factor(name: String(EffectWord.letter(of: $0)), levelCount: 2) }
}

/// The ±1 column of a word in a two-level design's runs (level index 0 → −1, 1 → +1).
func column(of word: EffectWord, in design: FactorialDesign) -> [Int] {
  design.runs.map { run in word.factors.reduce(1) { $0 * (run[$1] == 1 ? 1 : -1) } }
}

@Suite("Factorial designs")
struct FactorialDesignTests {
  @Test("a mixed-level full factorial lists every cell once, first factor fastest, with no aliasing")
  func mixedFullFactorial() throws {
    let factors = [
      try Factor(name: "subject", levels: ["short", "long", "question"]),
      try Factor(name: "image", levelCount: 2),
      try Factor(name: "cta", levelCount: 2),
    ]
    let design = try FactorialDesign(fullFactorial: factors)
    #expect(design.runs.count == 12)
    #expect(Set(design.runs).count == 12)
    #expect(design.runs[0] == [0, 0, 0])
    #expect(design.runs[1] == [1, 0, 0])
    #expect(design.runs[3] == [0, 1, 0])
    #expect(design.levelLabels(ofRun: 2) == ["question", "1", "1"])
    #expect(design.cellName(ofRun: 2) == "subject=question,image=1,cta=1")
    #expect(design.resolution == nil)
    #expect(design.definingRelation.isEmpty)
    #expect(design.lowOrderAliases.isEmpty)
    let terms = design.estimableTerms(maximumOrder: 3)
    #expect(terms.terms.map(\.term.letters) == ["A", "B", "C", "AB", "AC", "BC", "ABC"])
    #expect(terms.dropped.isEmpty)
  }

  @Test("2^(7−4) with D=AB, E=AC, F=BC, G=ABC is resolution III with Montgomery's defining relation")
  func sevenFactorsInEightRuns() throws {
    let generators = try FractionGenerator.parseList("D=AB,E=AC,F=BC,G=ABC", factorCount: 7)
    let design = try FactorialDesign(factors: twoLevelFactors(7), generators: generators)
    #expect(design.runs.count == 8)
    #expect(design.resolution == 3)
    // Montgomery (2017), Example 8.7: the complete defining relation of the 2^(7−4)_III design.
    let expected = [
      "ABD", "ACE", "BCF", "ABCG", "BCDE", "ACDF", "CDG", "ABEF", "BEG", "AFG", "DEF", "ADEG", "CEFG",
      "BDFG", "ABCDEFG",
    ]
    #expect(Set(design.definingRelation.map(\.letters)) == Set(expected))
    #expect(design.wordLengthPattern == [0, 0, 7, 7, 0, 0, 1])
    // Main effect A is aliased with BD, CE and FG (ignoring three-factor interactions).
    let a = try #require(design.lowOrderAliases.first { $0.effect.letters == "A" })
    #expect(a.aliases.map(\.letters) == ["BD", "CE", "FG"])
    // Eight runs hold the mean and seven main effects: no two-factor interaction is estimable separately.
    let terms = design.estimableTerms(maximumOrder: 2)
    #expect(terms.terms.map(\.term.letters) == ["A", "B", "C", "D", "E", "F", "G"])
    #expect(terms.dropped.count == 21)
    // The default fraction is exactly the textbook one.
    let searched = try FactorialDesign(factors: twoLevelFactors(7), fractionExponent: 4)
    #expect(searched.generators.map(\.letters) == ["D=AB", "E=AC", "F=BC", "G=ABC"])
  }

  @Test("2^(5−1) with E=ABCD is resolution V: main effects and two-factor interactions are all clear")
  func fiveFactorsHalfFraction() throws {
    let design = try FactorialDesign(
      factors: twoLevelFactors(5), generators: FractionGenerator.parseList("E=ABCD", factorCount: 5))
    #expect(design.runs.count == 16)
    #expect(design.definingRelation.map(\.letters) == ["ABCDE"])
    #expect(design.resolution == 5)
    #expect(design.lowOrderAliases.count == 15)
    #expect(design.lowOrderAliases.allSatisfy { $0.aliases.isEmpty })
    #expect(design.estimableTerms(maximumOrder: 2).terms.count == 15)
    let searched = try FactorialDesign(factors: twoLevelFactors(5), fractionExponent: 1)
    #expect(searched.generators.map(\.letters) == ["E=ABCD"])
  }

  @Test("2^(6−2) with E=ABC, F=BCD is resolution IV: two-factor interactions alias in chains")
  func sixFactorsQuarterFraction() throws {
    let design = try FactorialDesign(
      factors: twoLevelFactors(6), generators: FractionGenerator.parseList("E=ABC,F=BCD", factorCount: 6))
    #expect(design.definingRelation.map(\.letters) == ["ABCE", "ADEF", "BCDF"])
    #expect(design.resolution == 4)
    let aliases = Dictionary(
      uniqueKeysWithValues: design.lowOrderAliases.map { ($0.effect.letters, $0.aliases.map(\.letters)) })
    #expect(aliases["A"] == [])
    #expect(aliases["AB"] == ["CE"])
    #expect(aliases["AD"] == ["EF"])
    #expect(aliases["BC"] == ["AE", "DF"])
    let terms = design.estimableTerms(maximumOrder: 2)
    // Montgomery's alias chains: AB=CE, AC=BE, AD=EF, AE=BC=DF, AF=DE, BD=CF, BF=CD; the other two
    // classes of the 16 runs hold only three-factor interactions. So 6 main effects + 7 interactions.
    #expect(terms.terms.count == 6 + 7)
    #expect(terms.dropped.count == 8)
    let kept = try #require(terms.terms.first { $0.term.letters == "AE" })
    #expect(kept.aliasedWith.map(\.letters) == ["BC", "DF"])
    #expect(terms.dropped.first { $0.term.letters == "DF" }?.aliasOf.letters == "AE")
  }

  /// Minimum-aberration designs from Montgomery (2017), Table 8.14; the search must reach the same
  /// word-length pattern (designs with the same pattern here are isomorphic).
  @Test(
    "the default generators reach the textbook minimum-aberration word-length pattern",
    arguments: [
      (3, "C=AB"), (4, "D=ABC"), (5, "D=AB,E=AC"), (6, "F=ABCDE"), (6, "E=ABC,F=BCD"), (6, "D=AB,E=AC,F=BC"),
      (7, "F=ABCD,G=ABDE"), (7, "E=ABC,F=BCD,G=ACD"), (7, "D=AB,E=AC,F=BC,G=ABC"), (8, "G=ABCD,H=ABEF"),
      (8, "F=ABC,G=ABD,H=BCDE"), (8, "E=BCD,F=ACD,G=ABC,H=ABD"), (9, "G=ABCD,H=ACEF,J=CDEF"),
      (9, "F=BCDE,G=ACDE,H=ABDE,J=ABCE"), (10, "H=ABCG,J=BCDE,K=ACDF"),
    ])
  func searchMatchesTextbook(factorCount: Int, textbook: String) throws {
    let generators = try FractionGenerator.parseList(textbook, factorCount: factorCount)
    let reference = try FactorialDesign(factors: twoLevelFactors(factorCount), generators: generators)
    let searched = try FactorialDesign(
      factors: twoLevelFactors(factorCount), fractionExponent: generators.count)
    #expect(searched.runs.count == reference.runs.count)
    #expect(searched.resolution == reference.resolution, "\(textbook)")
    #expect(
      searched.wordLengthPattern == reference.wordLengthPattern, "\(textbook) vs \(searched.generators.map(\.letters))")
  }

  /// `factorial_designs.json`: minimum-aberration patterns by exhaustive enumeration (Python, no pruning).
  struct EnumeratedCase: Decodable, CustomTestStringConvertible {
    var factors: Int
    var fraction_exponent: Int
    var resolution: Int
    var word_length_pattern_from_a3: [Int]
    var testDescription: String { "2^(\(factors)−\(fraction_exponent))" }
  }

  @Test(
    "the branch-and-bound search reaches the exhaustively enumerated minimum aberration",
    arguments: (try? Fixture<EnumeratedCase>.load("factorial_designs", from: .module)) ?? [])
  func searchMatchesEnumeration(_ c: EnumeratedCase) throws {
    let design = try FactorialDesign(factors: twoLevelFactors(c.factors), fractionExponent: c.fraction_exponent)
    #expect(design.resolution == c.resolution)
    #expect(Array(design.wordLengthPattern.dropFirst(2)) == c.word_length_pattern_from_a3)
  }

  @Test("the enumerated fixture is present")
  func enumeratedFixture() throws {
    #expect(try Fixture<EnumeratedCase>.load("factorial_designs", from: .module).count == 17)
  }

  @Test("runs satisfy the defining relation: defining words are constant +1, every other word is balanced")
  func runsAgreeWithDefiningRelation() throws {
    for (k, p) in [(4, 1), (5, 2), (6, 2), (7, 3), (8, 4), (9, 5), (10, 5)] {
      let design = try FactorialDesign(factors: twoLevelFactors(k), fractionExponent: p)
      #expect(design.runs.count == 1 << (k - p))
      #expect(Set(design.runs).count == design.runs.count, "(\(k), \(p)) repeats a run")
      let relation = Set(design.definingRelation)
      #expect(relation.count == (1 << p) - 1)
      for bits in UInt32(1)..<UInt32(1 << k) {
        let word = EffectWord(bits: bits)
        let sum = column(of: word, in: design).reduce(0, +)
        if relation.contains(word) {
          #expect(sum == design.runs.count, "(\(k), \(p)) \(word.letters) should be a defining word")
        } else {
          #expect(sum == 0, "(\(k), \(p)) \(word.letters) is not balanced")
        }
      }
    }
  }

  @Test("the search stays exact and quick for eleven factors")
  func elevenFactors() throws {
    let design = try FactorialDesign(factors: twoLevelFactors(11), fractionExponent: 4)
    #expect(design.runs.count == 128)
    // Montgomery Table 8.14: the 2^(11−4) minimum-aberration design has resolution V.
    #expect(design.resolution == 5)
    let seven = try FactorialDesign(factors: twoLevelFactors(11), fractionExponent: 7)
    #expect(seven.resolution == 3)
  }

  @Test(
    "bad generators and fractions are rejected with a sentence",
    arguments: [
      ("D=ABX", 4, "letter X"), ("D=AB,D=AC", 4, "more than once"), ("E=ABD,D=ABC", 5, "itself generated"),
      ("D=A", 4, "identical"), ("DABC", 4, "LETTER=LETTERS"), ("D=-ABC", 4, "signed"), ("D=AAB", 4, "repeats"),
    ])
  func badGenerators(text: String, factorCount: Int, fragment: String) {
    #expect {
      _ = try FractionGenerator.parseList(text, factorCount: factorCount)
    } throws: { error in
      "\(error)".contains(fragment) && "\(error)".hasPrefix("generators: ")
    }
  }

  @Test("1/2^p is read one way for --fraction and fraction: powers of two or 2^p, p from 1 to 30")
  func fractionSpellings() {
    let accepted = [("1/2", 1), ("1/4", 2), ("1/2^3", 3), (" 1 / 8 ", 3), ("1/2^30", 30), ("1/1073741824", 30)]
    for (text, p) in accepted { #expect(FactorialDesign.fractionExponent(parsing: text) == p, "\(text)") }
    for text in ["1/3", "2/4", "1/1", "1/2^0", "1/2^31", "1/2147483648", "1/2^x", "half", ""] {
      #expect(FactorialDesign.fractionExponent(parsing: text) == nil, "\(text)")
    }
  }

  @Test("fractions too small, non-two-level factors and one-level factors are invalid input")
  func badDesigns() throws {
    #expect(throws: DesignError.self) { try FactorialDesign(factors: twoLevelFactors(4), fractionExponent: 3) }
    let mixed = [
      try Factor(name: "A", levelCount: 3), try Factor(name: "B", levelCount: 2), try Factor(name: "C", levelCount: 2),
    ]
    #expect(throws: DesignError.self) { try FactorialDesign(factors: mixed, fractionExponent: 1) }
    #expect(throws: DesignError.self) { try Factor(name: "A", levelCount: 1) }
    // Beyond 12 factors the default search is refused with a pointer to explicit generators.
    #expect { try FactorialDesign(factors: twoLevelFactors(13), fractionExponent: 4) } throws: {
      "\($0)".contains("give the generators explicitly")
    }
    let explicit = try FactorialDesign(
      factors: twoLevelFactors(13),
      generators: FractionGenerator.parseList("J=ABCD,K=ABEF,L=ACEG,M=BCDEFGH", factorCount: 13))
    #expect(explicit.runs.count == 512)
    #expect(throws: DesignError.self) { try Factor(name: "A", levels: ["x", "x"]) }
    let duplicate = [try Factor(name: "A", levelCount: 2), try Factor(name: "A", levelCount: 2)]
    #expect(throws: DesignError.self) { try FactorialDesign(fullFactorial: duplicate) }
  }
}
