import StrataDesign
import StrataTestSupport
import Testing

@testable import StrataStats

/// `factorial_power.json` (Scripts/fixtures/factorial_power.R): one case holding three lists.
struct FactorialPowerFixture: Decodable {
  struct NoncentralCase: Decodable { var x, df1, df2, ncp, survival: Double }
  struct F2Case: Decodable { var u, v, f2, alpha, power: Double }
  struct DesignCase: Decodable {
    var name: String
    var levels: [Int]
    var generators: String
    var maximum_order: Int
    var term: String
    var runs, parameters, df1: Int
    var effect_size, alpha: Double
    var units_per_cell: Int
    var power, target_power: Double
    var units_for_target: Int
  }
  var noncentral_f: [NoncentralCase]
  var f2_tests: [F2Case]
  var designs: [DesignCase]
}

@Suite("Factorial power matches R")
struct FactorialPowerTests {
  static let fixture = try? Fixture<FactorialPowerFixture>.load("factorial_power", from: .module).first

  // R's pnbeta stops its series at an absolute error of 1e-9 and forms the upper tail as 1 − P, so R is
  // trusted to ~1e-9 absolute here (not to full relative precision).
  static func close(_ actual: Double, _ expected: Double) -> Bool {
    isClose(actual, expected, relativeTolerance: 1e-8, absoluteTolerance: 2e-9)
  }

  @Test("noncentral F upper tails match R's pf(ncp =, lower.tail = FALSE)")
  func noncentralF() throws {
    let cases = try #require(Self.fixture).noncentral_f
    #expect(cases.count == 10)
    for c in cases {
      let distribution = try NoncentralF(
        numeratorDegreesOfFreedom: c.df1, denominatorDegreesOfFreedom: c.df2, noncentrality: c.ncp)
      let value = try distribution.survival(c.x)
      #expect(
        Self.close(value, c.survival), "pf(\(c.x), \(c.df1), \(c.df2), ncp = \(c.ncp)): \(value) vs \(c.survival)")
    }
  }

  @Test("with λ = f²(u + v + 1) the power is pwr.f2.test's")
  func pwrF2() throws {
    let cases = try #require(Self.fixture).f2_tests
    for c in cases {
      let distribution = try NoncentralF(
        numeratorDegreesOfFreedom: c.u, denominatorDegreesOfFreedom: c.v, noncentrality: c.f2 * (c.u + c.v + 1))
      let power = try distribution.survival(try GSL.fisherInverseSurvival(c.alpha, c.u, c.v))
      #expect(Self.close(power, c.power), "pwr.f2.test(u = \(c.u), v = \(c.v), f2 = \(c.f2)): \(power) vs \(c.power)")
    }
  }

  @Test("design power and units per cell match the closed form evaluated in R")
  func designs() throws {
    let cases = try #require(Self.fixture).designs
    #expect(cases.count == 7)
    for c in cases {
      let factors = try c.levels.enumerated().map {
        try Factor(name: String(EffectWord.letter(of: $0)), levelCount: $1)
      }
      let design =
        c.generators.isEmpty
        ? try FactorialDesign(fullFactorial: factors)
        : try FactorialDesign(
          factors: factors, generators: FractionGenerator.parseList(c.generators, factorCount: factors.count))
      let term = EffectWord(factors: c.term.map { EffectWord.factorIndex(of: $0) ?? 0 })
      let planner = try FactorialPower(
        design: design, term: term, effectSize: c.effect_size, alpha: c.alpha, maximumInteractionOrder: c.maximum_order)
      #expect(design.runs.count == c.runs, "\(c.name)")
      #expect(planner.model.parameterCount == c.parameters, "\(c.name)")
      #expect(planner.numeratorDegreesOfFreedom == c.df1, "\(c.name)")
      #expect(Self.close(try planner.power(unitsPerCell: c.units_per_cell), c.power), "\(c.name)")
      #expect(try planner.unitsPerCell(forPower: c.target_power) == c.units_for_target, "\(c.name)")
    }
  }

  @Test("zero noncentrality is the central F, far into the tail; power falls as the effect shrinks")
  func properties() throws {
    for (x, df1, df2) in [(3.0, 2.0, 30.0), (40.0, 1.0, 200.0), (300.0, 3.0, 1000.0)] {
      let central = try FisherF(numeratorDegreesOfFreedom: df1, denominatorDegreesOfFreedom: df2).survival(x)
      let noncentral = try NoncentralF(
        numeratorDegreesOfFreedom: df1, denominatorDegreesOfFreedom: df2, noncentrality: 0
      ).survival(x)
      #expect(isClose(noncentral, central, relativeTolerance: 1e-12))
    }
    let design = try FactorialDesign(fullFactorial: twoLevelFactors(3))
    var generator = SplitMix64(seed: 6)
    for _ in 0..<20 {
      let f = 0.02 + Double(generator.next() % 1000) / 4000
      let smaller = try FactorialPower(design: design, term: EffectWord(factors: [0]), effectSize: f * 0.8).power(
        unitsPerCell: 30)
      let larger = try FactorialPower(design: design, term: EffectWord(factors: [0]), effectSize: f).power(
        unitsPerCell: 30)
      #expect(smaller < larger && smaller > 0.05 && larger <= 1, "f = \(f)")
    }
    // A 2×2 interaction contrast as large as a main-effect difference needs about four times the units.
    let main = try FactorialPower(
      design: design, term: EffectWord(factors: [0]),
      effectSize: FactorialPower.effectSize(difference: 0.5, standardDeviation: 2))
    let interaction = try FactorialPower(
      design: design, term: EffectWord(factors: [0, 1]),
      effectSize: FactorialPower.effectSize(interactionContrast: 0.5, standardDeviation: 2))
    let ratio = Double(try interaction.unitsPerCell(forPower: 0.8)) / Double(try main.unitsPerCell(forPower: 0.8))
    #expect(ratio > 3.8 && ratio < 4.2)
    // The helpers' f equals √(mean squared effect)/σ of the pattern they describe.
    #expect(
      isClose(
        try FactorialPower.effectSize(difference: 0.6, levelCount: 3, standardDeviation: 1.5),
        try FactorialPower.effectSize(levelMeans: [0.3, -0.3, 0], standardDeviation: 1.5), relativeTolerance: 1e-14))
    let pattern = [0.25, -0.25, 0, -0.25, 0.25, 0].map { $0 * 0.8 }  // δ·c/4 in a 2×3 table, δ = 0.8
    let patternF = (pattern.map { $0 * $0 }.reduce(0, +) / 6).squareRoot() / 1.5
    #expect(
      isClose(
        try FactorialPower.effectSize(interactionContrast: 0.8, levelCounts: (2, 3), standardDeviation: 1.5), patternF,
        relativeTolerance: 1e-14))
  }

  @Test("the F critical value inverts GSL's upper tail where gsl_cdf_fdist_Qinv returns NaN")
  func criticalValues() throws {
    // gsl_cdf_fdist_Qinv(0.05, 1, 271) is NaN in GSL 2.7.1; scipy 1.17.1 stats.f.isf(0.05, 1, 271) = 3.8760014232188955
    let x = try GSL.fisherInverseSurvival(0.05, 1, 271)
    #expect(isClose(x, 3.8760014232188955, relativeTolerance: 1e-12))
    var generator = SplitMix64(seed: 12)
    for _ in 0..<200 {
      let q = [0.2, 0.1, 0.05, 0.01, 1e-4, 1e-9][Int(generator.next() % 6)]
      let numerator = Double(1 + generator.next() % 12)
      let denominator = Double(1 + generator.next() % 20_000)
      let critical = try GSL.fisherInverseSurvival(q, numerator, denominator)
      let tail = try FisherF(numeratorDegreesOfFreedom: numerator, denominatorDegreesOfFreedom: denominator).survival(
        critical)
      #expect(isClose(tail, q, relativeTolerance: 1e-9), "q \(q) ν (\(numerator), \(denominator))")
    }
  }

  @Test("aliased or absent terms and bad inputs are rejected")
  func invalid() throws {
    let fraction = try FactorialDesign(
      factors: twoLevelFactors(4), generators: FractionGenerator.parseList("D=ABC", factorCount: 4))
    #expect {
      _ = try FactorialPower(design: fraction, term: EffectWord(factors: [2, 3]), effectSize: 0.1)
    } throws: { "\($0)".contains("aliased with A:B") }
    let full = try FactorialDesign(fullFactorial: twoLevelFactors(3))
    #expect(throws: StatsError.self) {
      try FactorialPower(
        design: full, term: EffectWord(factors: [0, 1, 2]), effectSize: 0.1, maximumInteractionOrder: 2)
    }
    #expect(throws: StatsError.self) { try FactorialPower(design: full, term: EffectWord(factors: [0]), effectSize: 0) }
    #expect(throws: StatsError.self) {
      try FactorialPower(design: full, term: EffectWord(factors: [0]), effectSize: 0.1, alpha: 1.5)
    }
    #expect(throws: StatsError.self) {
      try FactorialPower(design: full, term: EffectWord(factors: [0]), effectSize: 0.1).unitsPerCell(forPower: 1)
    }
  }
}
