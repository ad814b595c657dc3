/// A factorial design: its factors and its runs (the cells an experiment assigns units to).
///
/// Two kinds:
/// - a **full factorial** on factors with any numbers of levels: every combination of levels is a run;
/// - a **two-level regular fractional factorial** 2^(k−p): k two-level factors, 2^(k−p) runs, where p
///   generated factors are products of base factors (`D=ABC`). The defining relation is the group generated
///   by the words `I = ABCD`, …; its shortest word's length is the resolution, and an effect is aliased
///   with its products with every defining word (Box, Hunter & Hunter 2005, ch. 6; Montgomery 2017, ch. 8).
///
/// Runs are in standard (Yates) order: the first (base) factor's level changes fastest. In a fractional
/// design a two-level factor's first level is −1 and its second +1.
///
/// > G. E. P. Box, J. S. Hunter, W. G. Hunter. *Statistics for Experimenters*, 2nd ed. Wiley, 2005.
/// > D. C. Montgomery. *Design and Analysis of Experiments*, 9th ed. Wiley, 2017.
public struct FactorialDesign: Sendable, Hashable {
  public let factors: [Factor]
  /// Empty for a full factorial.
  public let generators: [FractionGenerator]
  /// Each run's level index per factor, in standard order.
  public let runs: [[Int]]

  /// The most runs a design may have (a guard against accidental combinatorial explosions).
  public static let maximumRunCount = 65_536

  /// A full factorial: every combination of the factors' levels.
  public init(fullFactorial factors: [Factor]) throws(DesignError) {
    try FactorialDesign.validate(factors)
    var count = 1
    for factor in factors {
      count *= factor.levelCount
      try DesignError.require(
        count <= FactorialDesign.maximumRunCount, "factors",
        "a full factorial on these factors has more than \(FactorialDesign.maximumRunCount) runs; use fewer factors or levels, or a fraction"
      )
    }
    var runs: [[Int]] = []
    runs.reserveCapacity(count)
    var current = [Int](repeating: 0, count: factors.count)
    for _ in 0..<count {
      runs.append(current)
      for i in factors.indices {
        current[i] += 1
        if current[i] < factors[i].levelCount { break }
        current[i] = 0
      }
    }
    self.factors = factors
    self.generators = []
    self.runs = runs
  }

  /// A regular two-level fraction 2^(k−p) from explicit generators (`D=ABC`, `E=AB`).
  public init(factors: [Factor], generators: [FractionGenerator]) throws(DesignError) {
    try FactorialDesign.validate(factors)
    guard !generators.isEmpty else {
      self = try FactorialDesign(fullFactorial: factors)
      return
    }
    for factor in factors {
      try DesignError.require(
        factor.levelCount == 2, "factor \(factor.name)",
        "has \(factor.levelCount) levels; fractional designs need every factor at 2 levels")
    }
    let generated = Set(generators.map(\.factor))
    try DesignError.require(
      generated.count == generators.count, "generators", "generate some factor more than once")
    for generator in generators {
      try DesignError.require(
        generator.factor < factors.count && generator.word.factors.allSatisfy { $0 < factors.count }, "generators",
        "\(generator.letters) names a factor beyond the design's \(factors.count) factors")
      try DesignError.require(
        generator.word.factors.allSatisfy { !generated.contains($0) }, "generators",
        "\(generator.letters) uses a generated factor; write every generator in base factors")
    }
    try DesignError.require(
      generated.count < factors.count, "generators",
      "generate all \(factors.count) factors; at least one must be a base factor")
    let base = factors.indices.filter { !generated.contains($0) }
    let runCount = 1 << base.count
    try DesignError.require(
      runCount <= FactorialDesign.maximumRunCount, "factors",
      "the fraction has \(runCount) runs; at most \(FactorialDesign.maximumRunCount) are supported")
    var runs: [[Int]] = []
    runs.reserveCapacity(runCount)
    for index in 0..<runCount {
      var signs = [Int](repeating: 1, count: factors.count)
      for (position, factor) in base.enumerated() {
        signs[factor] = (index >> position) & 1 == 1 ? 1 : -1
      }
      for generator in generators {
        signs[generator.factor] = generator.word.factors.reduce(1) { $0 * signs[$1] }
      }
      runs.append(signs.map { $0 == 1 ? 1 : 0 })
    }
    self.factors = factors
    self.generators = generators.sorted { $0.factor < $1.factor }
    self.runs = runs
  }

  /// A regular 2^(k−p) fraction with generators chosen for the highest resolution and, among those, minimum aberration
  /// (see `GeneratorSearch`).
  ///
  /// `fractionExponent` is p (a 1/2^p fraction); 0 gives the full factorial.
  public init(factors: [Factor], fractionExponent: Int) throws(DesignError) {
    try FactorialDesign.validate(factors)
    try DesignError.require(fractionExponent >= 0, "fraction", "must be 1/2^p with p ≥ 0, got p = \(fractionExponent)")
    guard fractionExponent > 0 else {
      try self.init(fullFactorial: factors)
      return
    }
    for factor in factors {
      try DesignError.require(
        factor.levelCount == 2, "factor \(factor.name)",
        "has \(factor.levelCount) levels; fractional designs need every factor at 2 levels")
    }
    let generators = try GeneratorSearch(factorCount: factors.count, fractionExponent: fractionExponent).best()
    try self.init(factors: factors, generators: generators)
  }

  private static func validate(_ factors: [Factor]) throws(DesignError) {
    try DesignError.require(!factors.isEmpty, "factors", "needs at least one factor")
    try DesignError.require(
      factors.count <= EffectWord.maximumFactorCount, "factors",
      "has \(factors.count) factors; at most \(EffectWord.maximumFactorCount) are supported")
    let names = factors.map(\.name)
    for (i, name) in names.enumerated() where names[..<i].contains(name) {
      throw DesignError(field: "factors", message: "factor \(name) is named twice")
    }
  }

  public var isFractional: Bool { !generators.isEmpty }

  /// p in 2^(k−p); 0 for a full factorial.
  public var fractionExponent: Int { generators.count }

  /// The level labels of run `index`.
  public func levelLabels(ofRun index: Int) -> [String] {
    zip(factors, runs[index]).map { $0.levels[$1] }
  }

  /// A stable name for run `index`, usable as a variant name: `subject=short,image=photo,cta=buy`.
  public func cellName(ofRun index: Int) -> String {
    zip(factors, runs[index]).map { "\($0.name)=\($0.levels[$1])" }.joined(separator: ",")
  }
}
