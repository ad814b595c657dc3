import Foundation
import StrataTestSupport
import Testing

/// `strata calc factorial --json` and the fits of `strata analyze --json` come from one builder: on the
/// same cells they print the same keys with the same values.
@Suite("Factorial JSON shared by calc factorial and analyze")
struct FactorialJSONSharedTests {
  static let cells = [(2000, 96), (2000, 131), (2000, 104), (2000, 150)]  // run order: short.buy, question.buy, …

  @Test func analyzeFitMatchesCalcFactorial() throws {
    let directory = try makeTemporaryDirectory("strata-fjson")
    defer { try? FileManager.default.removeItem(at: directory) }
    let experiment = directory.appendingPathComponent("tiny.yaml")
    try """
    id: tiny
    factors:
      subject: [short, question]
      cta: [buy, learn]
    metrics:
      - name: clicked
        kind: binomial
    """.write(to: experiment, atomically: true, encoding: .utf8)
    let data = directory.appendingPathComponent("tiny.csv")
    let variants = ["short.buy", "question.buy", "short.learn", "question.learn"]
    try (["variant,n,clicked_sum"] + zip(variants, Self.cells).map { "\($0),\($1.0),\($1.1)" }).joined(separator: "\n")
      .write(to: data, atomically: true, encoding: .utf8)
    let analyze = try runStrata([
      "analyze", "--experiment", experiment.path, "--data", data.path, "--no-look-log", "--json",
    ])
    #expect(analyze.status == 0, "\(analyze.stderr)")
    let factorial = try #require(try analyze.json()["factorial"] as? [String: Any])
    let metric = try #require((factorial["metrics"] as? [[String: Any]])?.first)
    let fit = try #require((metric["fits"] as? [[String: Any]])?.first { $0["segment"] is NSNull })
    let calc = try runStrata([
      "calc", "factorial", "--factors", "subject:short|question,cta:buy|learn", "--metric", "proportion",
      "--cells", Self.cells.map { "\($0.0),\($0.1)" }.joined(separator: ";"), "--json",
    ])
    #expect(calc.status == 0, "\(calc.stderr)")
    let calcJSON = try calc.json()
    let commandOnly: Set<String> = ["metric", "design", "resolution", "confidence_level", "aliased_terms"]
    let shared = Set(calcJSON.keys).subtracting(commandOnly)
    #expect(shared == Set(fit.keys).subtracting(["segment", "fitted"]))
    for key in shared.subtracting(["notes", "interaction_means"]).sorted() {
      #expect(
        (calcJSON[key] as? NSObject)?.isEqual(fit[key]) == true, "\(key) differs between calc factorial and analyze")
    }
    // calc gives every pair of factors; analyze the plotted pair, which with two factors is the only one.
    let pairs = try #require(calcJSON["interaction_means"] as? [NSObject])
    #expect(pairs.count == 1 && pairs[0].isEqual(fit["interaction_means"]))
  }
}
