/// A design generator of a two-level fractional factorial: the column of `factor` is the product of the
/// columns of the base factors in `word` (`D=ABC` sets D's ±1 level to the product of A's, B's and C's).
///
/// The defining relation then contains the word `word·factor` (`I = ABCD`).
public struct FractionGenerator: Sendable, Hashable, Codable {
  /// The generated (added) factor's index.
  public let factor: Int
  /// The base factors whose product generates it (at least two).
  public let word: EffectWord

  public init(factor: Int, word: EffectWord) {
    precondition(factor >= 0 && factor < EffectWord.maximumFactorCount, "factor index out of range")
    precondition(!word.contains(factor: factor) && word.length >= 2, "a generator needs two other factors")
    self.factor = factor
    self.word = word
  }

  /// The defining word `I = word·factor`.
  public var definingWord: EffectWord { word * EffectWord(factors: [factor]) }

  /// `"D=ABC"`.
  public var letters: String { "\(EffectWord.letter(of: factor))=\(word.letters)" }

  /// Parses a comma-separated generator list (`"D=ABC,E=AB"`) for a design with `factorCount` factors.
  ///
  /// Validates: each entry is `LETTER=LETTERS`; letters name factors that exist; a generated factor appears
  /// once on a left side and never on a right side; each right side names at least two distinct factors.
  /// Signs (`D=-ABC`, the complementary fraction) are not supported.
  public static func parseList(_ text: String, factorCount: Int) throws(DesignError) -> [FractionGenerator] {
    let field = "generators"
    let entries = text.split(separator: ",").map { String($0).filter { !$0.isWhitespace } }
    try DesignError.require(!entries.isEmpty, field, "is empty; expected e.g. \"D=ABC,E=AB\"")
    var parsed: [(factor: Int, factors: [Int])] = []
    for entry in entries {
      let sides = entry.split(separator: "=", omittingEmptySubsequences: false)
      try DesignError.require(
        sides.count == 2 && sides[0].count == 1 && !sides[1].isEmpty, field,
        "entry \"\(entry)\" is not of the form LETTER=LETTERS (e.g. D=ABC)")
      try DesignError.require(
        !sides[1].hasPrefix("-") && !sides[1].hasPrefix("+"), field,
        "entry \"\(entry)\": signed generators (the complementary fraction) are not supported; write \(sides[0])=\(sides[1].dropFirst())"
      )
      let letters = Array(sides[0]) + Array(sides[1])
      var indices: [Int] = []
      for letter in letters {
        guard let index = EffectWord.factorIndex(of: letter), index < factorCount else {
          let available = String((0..<factorCount).map(EffectWord.letter(of:)))
          throw DesignError(
            field: field,
            message:
              "entry \"\(entry)\" names factor letter \(letter), but the design's \(factorCount) factors are \(available)"
          )
        }
        indices.append(index)
      }
      let right = Array(indices.dropFirst())
      try DesignError.require(
        Set(right).count == right.count, field, "entry \"\(entry)\" repeats a letter on the right side")
      try DesignError.require(
        !right.contains(indices[0]), field, "entry \"\(entry)\" generates a factor from itself")
      try DesignError.require(
        right.count >= 2, field,
        "entry \"\(entry)\" would make factor \(sides[0]) identical to \(sides[1]); a generator needs at least two factors"
      )
      parsed.append((indices[0], right))
    }
    let generated = parsed.map(\.factor)
    for (i, factor) in generated.enumerated() where generated[..<i].contains(factor) {
      throw DesignError(
        field: field, message: "factor \(EffectWord.letter(of: factor)) is generated more than once")
    }
    for entry in parsed {
      if let inner = entry.factors.first(where: generated.contains) {
        throw DesignError(
          field: field,
          message:
            "\(EffectWord.letter(of: entry.factor))=\(String(entry.factors.map(EffectWord.letter(of:)))) uses \(EffectWord.letter(of: inner)), which is itself generated; write every generator in base factors"
        )
      }
    }
    try DesignError.require(
      parsed.count < factorCount, field, "generates all \(factorCount) factors; at least one must be a base factor")
    return parsed.map { FractionGenerator(factor: $0.factor, word: EffectWord(factors: $0.factors)) }
  }
}
