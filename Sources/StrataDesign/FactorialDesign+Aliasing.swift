/// The defining relation, resolution and alias structure of a two-level fraction.
extension FactorialDesign {
  /// Every word of the defining relation except `I`, sorted by length then letters (2^p − 1 words);
  /// empty for a full factorial.
  public var definingRelation: [EffectWord] {
    var group: [EffectWord] = [.identity]
    for generator in generators {
      group += group.map { $0 * generator.definingWord }
    }
    return group.filter { $0 != .identity }.sorted()
  }

  /// The length of the shortest defining word (III, IV, V, …), or nil for a full factorial (no aliasing).
  public var resolution: Int? { definingRelation.map(\.length).min() }

  /// Word-length pattern: element i counts defining words of length i + 1 (A₁, A₂, A₃, …).
  ///
  /// Minimum aberration minimizes (A₃, A₄, …) lexicographically (Fries & Hunter 1980).
  public var wordLengthPattern: [Int] {
    var counts = [Int](repeating: 0, count: factors.count)
    for word in definingRelation { counts[word.length - 1] += 1 }
    return counts
  }

  /// The effects aliased with `effect` (its products with each defining word), sorted.
  public func aliases(of effect: EffectWord) -> [EffectWord] {
    definingRelation.map { $0 * effect }.sorted()
  }

  /// Alias structure of main effects and two-factor interactions, ignoring interactions of three or more factors
  /// (Montgomery's convention): each main effect and two-factor interaction with the main effects and two-factor
  /// interactions it is aliased with.
  ///
  /// Empty lists mean "clear". Empty for a full factorial.
  public var lowOrderAliases: [(effect: EffectWord, aliases: [EffectWord])] {
    guard isFractional else { return [] }
    let relation = definingRelation
    return FactorialDesign.effects(upToOrder: 2, factorCount: factors.count).map { effect in
      (effect, relation.map { $0 * effect }.filter { $0.length <= 2 }.sorted())
    }
  }

  /// All words of length 1 … `order` on `factorCount` factors, in textbook order (A, B, …, AB, AC, …).
  public static func effects(upToOrder order: Int, factorCount: Int) -> [EffectWord] {
    var words: [EffectWord] = []
    func extend(_ prefix: [Int], next: Int, length: Int) {
      if prefix.count == length {
        words.append(EffectWord(factors: prefix))
        return
      }
      guard next < factorCount else { return }
      for factor in next..<factorCount { extend(prefix + [factor], next: factor + 1, length: length) }
    }
    for length in 1...max(1, min(order, factorCount)) { extend([], next: 0, length: length) }
    return words
  }

  /// The model terms the design can estimate, up to interactions of `maximumOrder` factors: for a full factorial every
  /// such term; for a fraction, in textbook order, each term whose alias class is not the identity's and not already
  /// taken by an earlier term.
  ///
  /// Each kept term comes with the lower-or-equal order effects it is aliased with (what its estimate also contains);
  /// dropped terms name the kept term they are aliased with (`I` when aliased with the mean).
  public func estimableTerms(maximumOrder: Int) -> (
    terms: [(term: EffectWord, aliasedWith: [EffectWord])], dropped: [AliasedTerm]
  ) {
    let candidates = FactorialDesign.effects(upToOrder: maximumOrder, factorCount: factors.count)
    guard isFractional else { return (candidates.map { ($0, []) }, []) }
    let relation = definingRelation
    let relationSet = Set(relation)
    var owner: [EffectWord: EffectWord] = [:]  // canonical alias-class representative -> kept term
    var kept: [(EffectWord, [EffectWord])] = []
    var dropped: [AliasedTerm] = []
    for term in candidates {
      if relationSet.contains(term) {  // aliased with the mean: never estimable
        dropped.append(AliasedTerm(term: term, aliasOf: .identity))
        continue
      }
      let classMembers = [term] + relation.map { $0 * term }
      let representative = classMembers.min() ?? term
      if let earlier = owner[representative] {
        dropped.append(AliasedTerm(term: term, aliasOf: earlier))
      } else {
        owner[representative] = term
        let others = relation.map { $0 * term }.filter { $0.length <= maximumOrder }.sorted()
        kept.append((term, others))
      }
    }
    return (kept, dropped)
  }
}
