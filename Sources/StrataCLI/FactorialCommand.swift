import ArgumentParser
import StrataReport
import StrataStats

/// `strata calc factorial`: the factorial regression on per-cell summaries given on the command line.
struct FactorialCalc: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "factorial",
    abstract: "Analyse a factorial experiment from per-cell summaries: effects, ANOVA, marginal means, best cell.",
    discussion: """
      Cells are given in the design's run order (as `strata design` lists
      them for the same --factors and --fraction/--generators), rows
      separated by ';'. For --metric proportion a row is "n,conversions"
      (linear probability model, robust HC1 errors by default); for
      --metric mean it is "n,mean,sd". The model has every main effect and
      the interactions the design can estimate (all for a full factorial,
      two-factor ones for a fraction, or up to --order). The ANOVA table is
      Type III unless --anova 2; the two agree when cells are equal.

      Examples:
        strata calc factorial \\
          --factors "subject:short|question,image:photo|none,cta:buy|learn" \\
          --metric proportion \\
          --cells "1000,48;1000,59;1000,52;1000,65;1000,50;1000,62;1000,51;1000,80"
        strata calc factorial --factors "subject:3,image:2" --metric mean --json \\
          --cells "400,12.1,8;400,12.9,8;400,13.4,9;400,12.5,8;400,13.8,8;400,15,9"
        strata calc factorial --factors "a:2,b:2,c:2,d:2" --fraction 1/2 \\
          --metric proportion --errors hc3 \\
          --cells "900,40;900,52;900,47;900,45;900,61;900,44;900,50;900,58"
      """
  )

  @Option(help: "Factors as NAME:LEVELS, comma separated, as for `strata design`.")
  var factors: FactorListArgument

  @Option(help: "A regular two-level fraction 1/2^p.")
  var fraction: String?

  @Option(help: "Generators of the fraction (\"D=ABC\").")
  var generators: String?

  @Option(help: "proportion (cells \"n,conversions\") or mean (cells \"n,mean,sd\").")
  var metric: String

  @Option(help: "Per-cell summaries in run order, rows separated by ';'.")
  var cells: NumberTable

  @Option(help: "Standard errors: classical, hc0, hc1, hc2 or hc3 (default hc1 for proportions, classical for means).")
  var errors: String?

  @Option(help: "ANOVA type: 3 (each term given all others, default) or 2 (given the terms not containing it).")
  var anova: Int = 3

  @Option(help: "Highest interaction order in the model.")
  var order: Int?

  @Option(help: "1 − confidence level.")
  var alpha: Double = 0.05

  @Flag(help: "Print one JSON object instead of tables.")
  var json = false

  func run() throws {
    try reportingErrors {
      let design = try Design.design(factors: factors, fraction: fraction, generators: generators)
      guard metric == "proportion" || metric == "mean" else {
        throw InvalidInput("--metric: must be proportion or mean, got \"\(metric)\"")
      }
      guard cells.rows.count == design.runs.count else {
        throw InvalidInput("--cells: has \(cells.rows.count) rows but the design has \(design.runs.count) runs (list them in `strata design` order)")
      }
      var summaries: [FactorialCellSummary] = []
      for (index, row) in cells.rows.enumerated() {
        let labels = design.levelLabels(ofRun: index)
        let field = "--cells row \(index + 1) (\(labels.joined(separator: ", ")))"
        if metric == "proportion" {
          guard row.count == 2 else { throw InvalidInput("\(field): expected \"n,conversions\", got \(row.count) numbers") }
          let binomial = try BinomialSummary(successes: row[1], trials: row[0])
          summaries.append(FactorialCellSummary(levels: labels, conversions: binomial.successes, count: binomial.trials))
        } else {
          guard row.count == 3 else { throw InvalidInput("\(field): expected \"n,mean,sd\", got \(row.count) numbers") }
          let sample = try SampleSummary(count: row[0], mean: row[1], standardDeviation: row[2])
          summaries.append(FactorialCellSummary(levels: labels, summary: sample))
        }
      }
      let covarianceName = errors ?? (metric == "proportion" ? "hc1" : "classical")
      guard let covariance = CovarianceEstimator(rawValue: covarianceName) else {
        throw InvalidInput("--errors: must be classical, hc0, hc1, hc2 or hc3, got \"\(covarianceName)\"")
      }
      guard let anovaType = ANOVAType(rawValue: anova) else {
        throw InvalidInput("--anova: must be 2 or 3, got \(anova)")
      }
      guard alpha > 0 && alpha < 1 else { throw InvalidInput("--alpha: must be strictly between 0 and 1, got \(alpha)") }
      let data = try FactorialData(design: design, cellSummaries: summaries)
      let result = try FactorialRegression(
        data: data, maximumInteractionOrder: order, covariance: covariance, anovaType: anovaType,
        confidenceLevel: 1 - alpha
      ).result()
      let output = FactorialOutput(design: design, result: result, metric: metric)
      if json { printJSON(try output.json()) } else { print(try output.table()) }
    }
  }
}
