import StrataStats
import StrataTestSupport
import Testing

/// Bad input throws `invalidInput` naming the field, never a NaN or a placeholder result.
@Suite("Hypothesis tests reject bad input with a sentence")
struct HypothesisTestInputTests {
  /// The field named by the `invalidInput` error `body` throws; nil when it does not throw.
  func field(_ body: () throws -> Void) -> String? {
    do {
      try body()
      return nil
    } catch let error as StatsError {
      guard case .invalidInput(let field, _) = error else { return "numerical: \(error)" }
      return field
    } catch {
      return "unexpected: \(error)"
    }
  }

  @Test func tTests() throws {
    let one = try SampleSummary(count: 1, mean: 1, standardDeviation: 1)
    let flat = try SampleSummary(count: 10, mean: 1, standardDeviation: 0)
    let flat2 = try SampleSummary(count: 10, mean: 2, standardDeviation: 0)
    let fine = try SampleSummary(count: 10, mean: 1, standardDeviation: 1)
    #expect(field { _ = try WelchTTest(control: one, treatment: fine) } == "control.n")
    #expect(field { _ = try StudentTTest(control: fine, treatment: one) } == "treatment.n")
    #expect(field { _ = try WelchTTest(control: flat, treatment: flat2) } == "sd")
    #expect(field { _ = try WelchTTest(control: fine, treatment: fine, confidenceLevel: 1.2) } == "confidenceLevel")
    #expect(field { _ = try WelchTTest(control: [1, 2, .nan], treatment: [1, 2]) } == "value")
    #expect(field { _ = try WelchTTest(control: [], treatment: [1, 2]) } == "sample")
    #expect(field { _ = try SampleSummary(count: 2.5, mean: 0, standardDeviation: 1) } == "n")
  }

  @Test func proportions() throws {
    let none = try BinomialSummary(successes: 0, trials: 100)
    let all = try BinomialSummary(successes: 50, trials: 50)
    #expect(field { _ = try TwoProportionZTest(control: none, treatment: none).result() } == "conversions")
    #expect(field { _ = try TwoProportionZTest(control: all, treatment: all).result() } == "conversions")
    #expect(field { _ = try BinomialSummary(successes: 120, trials: 100) } == "conversions")
    #expect(field { _ = try BinomialSummary(successes: -1, trials: 100) } == "conversions")
    #expect(field { _ = try TwoProportionZTest(control: all, treatment: none, confidenceLevel: 0) } == "confidenceLevel")
    // One arm all-converting, the other none: defined (pooled rate ½), relative lift −1.
    let r = try TwoProportionZTest(control: all, treatment: none).result()
    #expect(r.relativeLift == -1)
  }

  @Test func contingencyTables() {
    #expect(field { _ = try ChiSquaredIndependenceTest(table: [[1, 2]]) } == "table")
    #expect(field { _ = try ChiSquaredIndependenceTest(table: [[1], [2]]) } == "table")
    #expect(field { _ = try ChiSquaredIndependenceTest(table: [[1, 2], [3]]) } == "table row 2")
    #expect(field { _ = try ChiSquaredIndependenceTest(table: [[1, -2], [3, 4]]) } == "table row 1, column 2")
    #expect(field { _ = try ChiSquaredIndependenceTest(table: [[1, 2.5], [3, 4]]) } == "table row 1, column 2")
    #expect(field { _ = try ChiSquaredIndependenceTest(table: [[0, 10], [0, 20]]) } == "table column 1")
    #expect(field { _ = try ChiSquaredIndependenceTest(table: [[0, 0], [5, 20]]) } == "table row 1")
    #expect(field { _ = try FisherExactTest(table: [[1, 2, 3], [3, 4, 5]]) } == "table")
    #expect(field { _ = try FisherExactTest(table: [[0, 10], [0, 20]]) } == "table column 1")
    #expect(field { _ = try FisherExactTest(table: [[3e9, 1e9], [1e9, 1e9]]) } == "table")
    #expect(field { _ = try ChiSquaredGoodnessOfFitTest(observed: [100, -3]) } == "observed[2]")
    #expect(field { _ = try ChiSquaredGoodnessOfFitTest(observed: [100]) } == "observed")
    #expect(field { _ = try ChiSquaredGoodnessOfFitTest(observed: [0, 0]) } == "observed")
    #expect(field { _ = try ChiSquaredGoodnessOfFitTest(observed: [1, 2], weights: [1]) } == "weights")
    #expect(field { _ = try ChiSquaredGoodnessOfFitTest(observed: [1, 2], weights: [1, 0]) } == "weights[2]")
  }

  @Test func mixtureAndCorrections() throws {
    let a = try SampleSummary(count: 100, mean: 1, standardDeviation: 1)
    let flat = try SampleSummary(count: 100, mean: 1, standardDeviation: 0)
    #expect(field { _ = try MixtureSPRT(control: a, treatment: a, mixingStandardDeviation: 0) } == "tau")
    #expect(field { _ = try MixtureSPRT(control: a, treatment: a, mixingStandardDeviation: .infinity) } == "tau")
    #expect(field { _ = try MixtureSPRT(control: flat, treatment: flat, mixingStandardDeviation: 1) } == "sd")
    #expect(field { _ = try MultipleTestingCorrection.holm.adjust([0.1, 1.5]) } == "p-values[2]")
    #expect(field { _ = try MultipleTestingCorrection.bonferroni.adjust([.nan]) } == "p-values[1]")
    #expect(try MultipleTestingCorrection.benjaminiHochberg.adjust([]) == [])
  }

  @Test("Fisher at the size limit answers, and an observation beyond e⁻⁸⁰⁰ of the mode gives p = 0, not NaN")
  func fisherExtremes() throws {
    let far = try FisherExactTest(table: [[100_000_000, 0], [0, 100_000_000]]).result()
    #expect(far.test.pValue == 0)
    #expect(far.oddsRatio == .infinity)
    let greater = try FisherExactTest(table: [[100_000_000, 0], [0, 100_000_000]], alternative: .less).result()
    #expect(greater.test.pValue == 0)
    let atMode = try FisherExactTest(table: [[1_000_000_000, 1_000_000_000], [1_000_000_000, 1_000_000_000]]).result()
    #expect(atMode.test.pValue == 1)
  }
}
