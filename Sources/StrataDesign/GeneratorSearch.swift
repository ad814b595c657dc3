/// Chooses generators for a regular 2^(k−p) fraction: highest resolution, then minimum aberration.
///
/// Goals, in priority order:
/// 1. Exactness: among all regular fractions whose generators are words in the k − p base factors, return
///    one with the lexicographically smallest word-length pattern (A₃, A₄, …, A_k). That is maximum
///    resolution first (the first non-zero A_r), then minimum aberration (Fries & Hunter 1980).
/// 2. Determinism: the same (k, p) always gives the same generators.
/// 3. Speed: interactive for k ≤ 12 (the limit enforced here); larger designs take explicit generators.
///
/// Method: a depth-first search over sets of p distinct candidate words (each with at least two base
/// letters, so every defining word has length ≥ 3), adding one generator at a time and growing the defining
/// relation as a group (each generator doubles it). Adding a generator only adds words, so a partial
/// pattern that is already lexicographically worse than the best complete one is pruned (branch and bound).
/// Candidates are tried longest first, which finds good designs early. Permuting base factors does not
/// change the pattern, so the first word chosen (the longest in the set, first among equals) can be taken
/// to be the canonical word of its length (the first letters, e.g. ABC): this removes most symmetric
/// duplicates. The chosen words are assigned to the generated factors in ascending letter order, which gives
/// the textbook generators for, e.g., 2^(7−4) (D=AB, E=AC, F=BC, G=ABC).
///
/// > A. Fries, W. G. Hunter. "Minimum aberration 2^(k−p) designs." *Technometrics* 22 (1980), 601–608.
struct GeneratorSearch {
  let factorCount: Int
  let fractionExponent: Int

  init(factorCount: Int, fractionExponent: Int) throws(DesignError) {
    let baseCount = factorCount - fractionExponent
    try DesignError.require(
      baseCount >= 1, "fraction",
      "1/2^\(fractionExponent) of a design with \(factorCount) factors leaves no base factors")
    // Candidates are words in the base factors with ≥ 2 letters: 2^b − 1 − b of them, and p are needed.
    // Equivalently 2^b ≥ k + 1: a fraction needs at least k + 1 runs to estimate the mean and k main effects.
    let runCount = 1 << min(baseCount, 30)
    try DesignError.require(
      runCount >= factorCount + 1, "fraction",
      "1/2^\(fractionExponent) is too small: a 2^(\(factorCount)−\(fractionExponent)) design has \(runCount) runs, but \(factorCount) factors need at least \(factorCount + 1) runs to estimate every main effect"
    )
    try DesignError.require(
      baseCount <= 16, "fraction",
      "1/2^\(fractionExponent) of \(factorCount) factors leaves \(runCount) runs; at most \(FactorialDesign.maximumRunCount) are supported"
    )
    // The exhaustive search takes under ~1 s (debug build) up to 11 factors and ~10 s at 12; beyond that it
    // can take minutes, so larger designs need explicit generators.
    try DesignError.require(
      factorCount <= 12, "fraction",
      "default generators are searched for up to 12 factors, got \(factorCount); give the generators explicitly (e.g. from Montgomery's Table 8.14)"
    )
    self.factorCount = factorCount
    self.fractionExponent = fractionExponent
  }

  /// The generators of a minimum-aberration design, sorted by generated factor.
  func best() -> [FractionGenerator] {
    let baseCount = factorCount - fractionExponent
    let candidates = (1..<UInt32(1 << baseCount))
      .filter { $0.nonzeroBitCount >= 2 }
      .sorted { lhs, rhs in
        lhs.nonzeroBitCount != rhs.nonzeroBitCount
          ? lhs.nonzeroBitCount > rhs.nonzeroBitCount : lhs < rhs
      }
    var state = SearchState(
      baseCount: baseCount, fractionExponent: fractionExponent, candidates: candidates,
      maximumLength: factorCount)
    state.search()
    // The initializer guarantees at least p candidate words, and any p distinct ones form a set.
    guard let chosen = state.bestSet else { preconditionFailure("no generator set among enough candidates") }
    let words = chosen.sorted()
    return words.enumerated().map { offset, bits in
      FractionGenerator(factor: baseCount + offset, word: EffectWord(bits: bits))
    }
  }
}

/// The mutable state of the branch-and-bound search.
private struct SearchState {
  let baseCount: Int
  let fractionExponent: Int
  let candidates: [UInt32]
  let maximumLength: Int
  var bestPattern: [Int]?
  var bestSet: [UInt32]?
  var chosen: [UInt32] = []
  /// The defining-relation group so far as (base part, generated-factor part) bit pairs; its word length is
  /// the sum of both popcounts.
  var group: [(base: UInt32, added: UInt32)] = [(0, 0)]
  var pattern: [Int]

  init(baseCount: Int, fractionExponent: Int, candidates: [UInt32], maximumLength: Int) {
    self.baseCount = baseCount
    self.fractionExponent = fractionExponent
    self.candidates = candidates
    self.maximumLength = maximumLength
    self.pattern = [Int](repeating: 0, count: maximumLength + 1)
  }

  mutating func search() { extend(from: 0) }

  private mutating func extend(from start: Int) {
    let depth = chosen.count
    if depth == fractionExponent {
      if bestPattern.map({ pattern.lexicographicallyPrecedes($0) }) ?? true {
        bestPattern = pattern
        bestSet = chosen
      }
      return
    }
    guard start < candidates.count else { return }
    for index in start..<candidates.count {
      if candidates.count - index < fractionExponent - depth { break }
      let candidate = candidates[index]
      // Symmetry: the first (longest) word may be taken as the canonical word of its length.
      if depth == 0 && candidate != (UInt32(1) << UInt32(candidate.nonzeroBitCount)) - 1 { continue }
      let addedBit = UInt32(1) << UInt32(depth)
      let previousCount = group.count
      for i in 0..<previousCount {
        let word = (base: group[i].base ^ candidate, added: group[i].added ^ addedBit)
        group.append(word)
        pattern[word.base.nonzeroBitCount + word.added.nonzeroBitCount] += 1
      }
      if bestPattern.map({ !isWorse(pattern, than: $0) }) ?? true {
        chosen.append(candidate)
        extend(from: index + 1)
        chosen.removeLast()
      }
      for i in previousCount..<group.count {
        pattern[group[i].base.nonzeroBitCount + group[i].added.nonzeroBitCount] -= 1
      }
      group.removeLast(group.count - previousCount)
    }
  }

  /// Strictly worse than the best complete pattern: a partial pattern can only grow, so it cannot recover.
  private func isWorse(_ partial: [Int], than best: [Int]) -> Bool {
    for length in 0..<partial.count where partial[length] != best[length] {
      return partial[length] > best[length]
    }
    return false
  }
}
