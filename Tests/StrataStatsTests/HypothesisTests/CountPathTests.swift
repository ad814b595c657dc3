@testable import StrataStats
import StrataTestSupport
import Testing

/// The paths the per-segment comparisons take without arrays, libm calls or comparison sorts give what the general
/// ones give.
@Suite("Count checks, Fisher's four counts and the p-value order match the general paths")
struct CountPathTests {
  /// The outcome of `body` as text: its value's bits, or its error's sentence.
  func outcome(_ body: () throws(StatsError) -> Double) -> String {
    do {
      return String(try body().bitPattern, radix: 16)
    } catch {
      return "error: \(error)"
    }
  }

  @Test(
    "FisherExactTest.pValue(a, b, c, d) is result().test.pValue of [[a, b], [c, d]], bit for bit and error for error")
  func fisherCounts() {
    var g = SplitMix64(seed: 17)
    var tested = 0
    var refused = 0
    for round in 0..<3_000 {
      let limit = round < 1_000 ? 6 : round < 2_000 ? 40 : 5_000
      let (a, b, c, d) = (
        Double(Int.random(in: 0...limit, using: &g)), Double(Int.random(in: 0...limit, using: &g)),
        Double(Int.random(in: 0...limit, using: &g)), Double(Int.random(in: 0...limit, using: &g))
      )
      for alternative in [Alternative.twoSided, .greater, .less] {
        let table = outcome { () throws(StatsError) in
          try FisherExactTest(table: [[a, b], [c, d]], alternative: alternative).result().test.pValue
        }
        let counts = outcome { () throws(StatsError) in
          try FisherExactTest.pValue(a, b, c, d, alternative: alternative)
        }
        #expect(table == counts, "[[\(a), \(b)], [\(c), \(d)]] \(alternative)")
        if table.hasPrefix("error") { refused += 1 } else { tested += 1 }
      }
    }
    // Both kinds were met: tables with an empty row or column (refused) and tested ones.
    #expect(tested > 5_000 && refused > 100)
    // Counts that are not whole, negative or too large: the same sentence naming the same cell.
    for bad in [
      [[1.5, 2], [3, 4]], [[1, -2], [3, 4]], [[1, 2], [.nan, 4]], [[1, 2], [3, 9e15]], [[3e9, 1e9], [1e9, 1e9]],
    ] {
      let table = outcome { () throws(StatsError) in try FisherExactTest(table: bad).result().test.pValue }
      let counts = outcome { () throws(StatsError) in
        try FisherExactTest.pValue(bad[0][0], bad[0][1], bad[1][0], bad[1][1], alternative: .twoSided)
      }
      #expect(table == counts && table.hasPrefix("error"), "\(bad): \(table)")
    }
  }

  @Test("isWhole(x) is x == x.rounded() for every finite x tried")
  func wholeNumbers() {
    let twoTo52 = 4_503_599_627_370_496.0
    var values: [Double] = [
      0, -0.0, 0.5, -0.5, 1, -1, 1.5, 2.5, -2.5, 0.49999999999999994, 1e-300, -1e-300, .leastNonzeroMagnitude,
      .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 9_007_199_254_740_991, 9_007_199_254_740_992, 1e16, 1e300,
      twoTo52, twoTo52 - 0.5, twoTo52 - 1, twoTo52.nextUp, twoTo52.nextDown, -twoTo52, -twoTo52.nextDown,
      0x1p63, -0x1p63, 0x1p63.nextDown,
    ]
    for k in 0..<64 {
      let power = Double(sign: .plus, exponent: k, significand: 1)
      values += [power, power.nextUp, power.nextDown, -power, -power.nextUp, -power.nextDown, power + 0.5]
    }
    var g = SplitMix64(seed: 52)
    for _ in 0..<200_000 {
      let x = Double(bitPattern: g.next())
      if x.isFinite { values.append(x) }
      values.append(Double(Int.random(in: -1_000_000...1_000_000, using: &g)) / 4)
    }
    let differing = values.filter { StatsError.isWhole($0) != ($0 == $0.rounded()) }
    #expect(differing.isEmpty, "\(differing.prefix(10))")
    #expect(values.count > 300_000)
  }

  @Test("requireCount refuses what it refused, with the same sentence")
  func counts() {
    func sentence(_ x: Double, minimum: Double = 0) -> String {
      do {
        try StatsError.requireCount(x, "n", minimum: minimum)
        return "accepted"
      } catch {
        return "\(error)"
      }
    }
    #expect(sentence(0) == "accepted")
    #expect(sentence(9_007_199_254_740_991) == "accepted")
    #expect(sentence(3, minimum: 2) == "accepted")
    for x in [2.5, -1, 1e300, 9_007_199_254_740_992, .nan, .infinity, -0.5, 1.0.nextUp] {
      #expect(sentence(x).contains("must be a whole number from 0 to 2⁵³ − 1"), "\(x): \(sentence(x))")
    }
    #expect(sentence(1, minimum: 2).contains("got 1"))
  }

  @Test("The p-values' order by their bits is the order of (p, position), ties and −0 included")
  func pValueOrder() {
    var g = SplitMix64(seed: 64)
    let few = [
      0.0, -0.0, 1, 0.5, 1e-300, .leastNonzeroMagnitude, .leastNormalMagnitude, 0.05, 0.05.nextUp, 1.0.nextDown,
    ]
    for round in 0..<400 {
      let count = round < 40 ? round + 40 : Int.random(in: 1...5_000, using: &g)
      let p = (0..<count).map { _ -> Double in
        switch round % 3 {
        case 0: return few.randomElement(using: &g) ?? 0
        case 1: return Double.random(in: 0...1, using: &g)
        default:
          return Bool.random(using: &g) ? Double.random(in: 0...1e-6, using: &g) : few.randomElement(using: &g) ?? 0
        }
      }
      let expected = p.indices.sorted { p[$0] < p[$1] || (p[$0] == p[$1] && $0 < $1) }
      let found = MultipleTestingCorrection.ascending(p)
      #expect(found.map(\.index) == expected, "round \(round), \(count) p-values")
      #expect(found.map(\.p.bitPattern) == expected.map { p[$0].bitPattern }, "round \(round)")
    }
  }
}
