/// A term left out of a fractional design's model because its alias class is already estimated by
/// `aliasOf` (or, when `aliasOf` is `.identity`, because it is aliased with the mean).
public struct AliasedTerm: Sendable, Hashable {
  public var term: EffectWord
  public var aliasOf: EffectWord

  public init(term: EffectWord, aliasOf: EffectWord) {
    self.term = term
    self.aliasOf = aliasOf
  }
}
