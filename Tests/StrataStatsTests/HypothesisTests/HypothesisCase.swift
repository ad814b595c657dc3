import Foundation
import StrataStats
import StrataTestSupport
import Testing

/// A number from a fixture: a JSON number, or the strings "inf", "-inf", "nan" for what JSON cannot hold.
struct FixtureNumber: Decodable, Sendable {
  var value: Double

  init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if let x = try? container.decode(Double.self) {
      value = x
      return
    }
    switch try container.decode(String.self) {
    case "inf": value = .infinity
    case "-inf": value = -.infinity
    case "nan": value = .nan
    case let other:
      throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a number: \(other)")
    }
  }
}

/// One case of `hypothesis_tests.json` (written by `Scripts/fixtures/hypothesis_tests.py`); which fields are
/// present depends on `kind`.
struct HypothesisCase: Decodable, Sendable, CustomTestStringConvertible {
  var kind: String
  var label: String
  var control: [Double]?
  var treatment: [Double]?
  var alternative: String?
  var confidence: Double?
  var statistic: FixtureNumber?
  var pValue: Double?
  var pValueR: Double?
  var pValueExact: Double?
  var df: Double?
  var difference: Double?
  var interval: [FixtureNumber]?
  var relative: FixtureNumber?
  var relativeInterval: [FixtureNumber]?
  var controlRate: Double?
  var treatmentRate: Double?
  var equalVar: Bool?
  var rawControl: [Double]?
  var rawTreatment: [Double]?
  var table: [[Double]]?
  var yates: Bool?
  var expected: [[Double]]?
  var observed: [Double]?
  var weights: [Double]?
  var tau: Double?
  var likelihoodRatio: FixtureNumber?
  var method: String?
  var pValues: [Double]?
  var adjusted: [Double]?

  enum CodingKeys: String, CodingKey {
    case kind, label, control, treatment, alternative, confidence, statistic, df, difference, interval
    case relative, table, yates, expected, observed, weights, tau, method, adjusted
    case pValue = "p_value"
    case pValueR = "p_value_r"
    case pValueExact = "p_value_exact"
    case relativeInterval = "relative_interval"
    case controlRate = "control_rate"
    case treatmentRate = "treatment_rate"
    case equalVar = "equal_var"
    case rawControl = "raw_control"
    case rawTreatment = "raw_treatment"
    case likelihoodRatio = "likelihood_ratio"
    case pValues = "p_values"
  }

  var testDescription: String { label }
}

extension HypothesisCase {
  static func load(_ kind: String) throws -> [HypothesisCase] {
    try Fixture<HypothesisCase>.load("hypothesis_tests", from: .module).filter { $0.kind == kind }
  }

  func parsedAlternative() throws -> Alternative { try #require(Alternative(rawValue: alternative ?? "two-sided")) }

  func summary(_ arm: [Double]?) throws -> SampleSummary {
    let arm = try #require(arm)
    return try SampleSummary(count: arm[0], mean: arm[1], standardDeviation: arm[2])
  }

  func binomial(_ arm: [Double]?) throws -> BinomialSummary {
    let arm = try #require(arm)
    return try BinomialSummary(successes: arm[0], trials: arm[1])
  }
}

/// Both ends of an interval close to the reference's (infinite ends must match exactly).
func intervalIsClose(
  _ actual: ConfidenceInterval?, _ expected: [FixtureNumber]?, relativeTolerance: Double, absoluteTolerance: Double = 0
) -> Bool {
  guard let actual, let expected, expected.count == 2 else { return actual == nil && expected == nil }
  return isClose(actual.lower, expected[0].value, relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance)
    && isClose(actual.upper, expected[1].value, relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance)
}
