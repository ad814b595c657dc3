import StrataAssignment
import Testing

/// Sample-ratio checks over 1,000,000 synthetic units per segment: Pearson's chi-squared statistic
/// against the planned weights, compared with the critical value at p = 0.001 (computed here so this
/// module's tests need no GSL).
@Suite("Assignment balance (SRM)")
struct BalanceTests {
  /// Upper 0.001 quantiles of chi-squared: df 1 from scipy.stats.chi2.isf(0.001, 1); df 2 is exactly
  /// −2·ln(0.001).
  static let critical: [Int: Double] = [1: 10.827566170662733, 2: -2 * (0.001 as Double).log]

  static func chiSquared(_ observed: [Int], weights: [Double]) -> Double {
    let total = Double(observed.reduce(0, +))
    let weightSum = weights.reduce(0, +)
    return zip(observed, weights).reduce(0) { sum, pair in
      let expected = total * pair.1 / weightSum
      return sum + (Double(pair.0) - expected) * (Double(pair.0) - expected) / expected
    }
  }

  @Test("3 equal variants in 3 segments: no sample-ratio mismatch (p > 0.001) over 1M units each")
  func equalWeights() throws {
    let experiment = try Experiment(
      id: "gym-renewal", salt: "gym-renewal-2026",
      variants: [Variant(key: "control"), Variant(key: "progress"), Variant(key: "social")],
      segments: [
        Segment(name: "high", rule: try Rule("checkins >= 24")), Segment(name: "medium", rule: try Rule("checkins >= 8")),
        Segment(name: "low"),
      ])
    let segmentValues: [[AttributeValue?]] = [[.number(30)], [.number(10)], [.number(1)]]
    var counts = [[Int]](repeating: [0, 0, 0], count: 3)
    var key = Array("member-0000000".utf8)
    var misplaced = 0
    for segment in 0..<3 {
      let attributes = segmentValues[segment]
      for index in 0..<1_000_000 {
        var value = index
        var position = key.count - 1
        while position >= 7 {
          key[position] = UInt8(48 + value % 10)
          value /= 10
          position -= 1
        }
        key[6] = UInt8(ascii: "a") + UInt8(segment)
        let result = key.withUnsafeBytes { experiment.assign(unitUTF8: $0, attributes: attributes) }
        if result.segmentIndex != segment { misplaced += 1 }
        counts[segment][result.variantIndex ?? 0] += 1
      }
      let statistic = Self.chiSquared(counts[segment], weights: [1, 1, 1])
      #expect(statistic < Self.critical[2] ?? 0, "segment \(segment): \(counts[segment]), chi2 = \(statistic)")
    }
    #expect(misplaced == 0)
  }

  @Test("unequal weights with partial traffic: 1:3 split stays on ratio over 1M units")
  func unequalWeights() throws {
    let experiment = try Experiment(
      id: "upsell", variants: [Variant(key: "control", weight: 1), Variant(key: "offer", weight: 3)],
      traffic: ExactDecimal(parsing: "0.6") ?? 0)
    var counts = [0, 0]
    var excluded = 0
    for index in 0..<1_000_000 {
      let result = experiment.assign(unit: String(index), attributes: [])
      if let variant = result.variantIndex { counts[variant] += 1 } else { excluded += 1 }
    }
    #expect(Self.chiSquared(counts, weights: [1, 3]) < Self.critical[1] ?? 0, "\(counts)")
    // 40% excluded by traffic (binomial sd ≈ 490 units).
    #expect(abs(excluded - 400_000) < 3000)
  }
}

extension Double {
  fileprivate var log: Double {
    // Natural logarithm without Foundation: ln(x) = 2·atanh((x − 1)/(x + 1)) as a series; exact enough here.
    let y = (self - 1) / (self + 1)
    var term = y
    var sum = 0.0
    var n = 1.0
    while abs(term / n) > 1e-17 {
      sum += term / n
      term *= y * y
      n += 2
    }
    return 2 * sum
  }
}
