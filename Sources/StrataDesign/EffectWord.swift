/// A set of factors, written as letters: a main effect (`A`), an interaction (`BD`) or a word of a
/// defining relation (`ABCE`).
///
/// Factors are numbered from 0 and lettered A, B, … H, J, K, … (I is skipped: it is the identity of the
/// defining relation, as in Montgomery's tables). For two-level factors coded ±1 the product of two words is
/// their symmetric difference (A·A = I), which is `*` here. The empty word is the identity `I`.
public struct EffectWord: Sendable, Hashable, Comparable, Codable {
  /// Bit i is set when factor i is in the word.
  public let bits: UInt32

  /// The most factors a word can name (the letters available).
  public static let maximumFactorCount = 25
  static let letters: [Character] = Array("ABCDEFGHJKLMNOPQRSTUVWXYZ")

  public static let identity = EffectWord(bits: 0)

  public init(bits: UInt32) { self.bits = bits }

  /// The word of the given factor indices.
  public init(factors: [Int]) {
    var bits: UInt32 = 0
    for factor in factors {
      precondition(factor >= 0 && factor < EffectWord.maximumFactorCount, "factor index out of range")
      bits |= 1 << UInt32(factor)
    }
    self.bits = bits
  }

  /// The letter of factor `index` (A for 0).
  public static func letter(of index: Int) -> Character {
    precondition(index >= 0 && index < maximumFactorCount, "factor index out of range")
    return letters[index]
  }

  /// The factor index of a letter, or nil.
  public static func factorIndex(of letter: Character) -> Int? {
    letters.firstIndex(of: Character(letter.uppercased()))
  }

  /// Number of factors in the word (its length).
  public var length: Int { bits.nonzeroBitCount }

  /// The factor indices, ascending.
  public var factors: [Int] {
    (0..<EffectWord.maximumFactorCount).filter { bits & (1 << UInt32($0)) != 0 }
  }

  public func contains(factor: Int) -> Bool { bits & (1 << UInt32(factor)) != 0 }

  /// Whether every factor of `self` is in `other`.
  public func isSubset(of other: EffectWord) -> Bool { bits & other.bits == bits }

  /// Letters (`"ABD"`), or `"I"` for the identity.
  public var letters: String {
    bits == 0 ? "I" : String(factors.map(EffectWord.letter(of:)))
  }

  /// The generalized product of two-level effects: the symmetric difference of the factor sets.
  public static func * (lhs: EffectWord, rhs: EffectWord) -> EffectWord {
    EffectWord(bits: lhs.bits ^ rhs.bits)
  }

  /// Orders by length, then by the letters (A < B < AB < AC < BC < ABC ...): the textbook listing order.
  public static func < (lhs: EffectWord, rhs: EffectWord) -> Bool {
    if lhs.length != rhs.length { return lhs.length < rhs.length }
    return lhs.factors.lexicographicallyPrecedes(rhs.factors)
  }
}
