import ArgumentParser
import Foundation
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
      separated by ';'. For proportions, --counts gives each cell as
      "conversions,n", the order of every other command (calc proportions
      --a); for means, --cells gives "n,mean,sd" (as calc ttest --a). The
      proportion model is a linear probability model with robust HC1
      errors by default. The model has every main effect and the
      interactions the design can estimate (all for a full factorial,
      two-factor ones for a fraction, or up to --order). The ANOVA table is
      Type III unless --anova 2; the two agree when cells are equal.
      (Deprecated: --metric proportion --cells "n,conversions;..." still
      works, with a note; see the README.)

      Examples:
        strata calc factorial \\
          --factors "subject:short|question,image:photo|none,cta:buy|learn" \\
          --counts "48,1000;59,1000;52,1000;65,1000;50,1000;62,1000;51,1000;80,1000"
        strata calc factorial --factors "subject:3,image:2" --metric mean --json \\
          --cells "400,12.1,8;400,12.9,8;400,13.4,9;400,12.5,8;400,13.8,8;400,15,9"
        strata calc factorial --factors "a:2,b:2,c:2,d:2" --fraction 1/2 \\
          --errors hc3 \\
          --counts "40,900;52,900;47,900;45,900;61,900;44,900;50,900;58,900"
      """
  )

  @Option(help: "Factors as NAME:LEVELS, comma separated, as for `strata design`.")
  var factors: FactorListArgument

  @Option(help: "A regular two-level fraction 1/2^p.")
  var fraction: String?

  @Option(help: "Generators of the fraction (\"D=ABC\").")
  var generators: String?

  @Option(help: "proportion (cells from --counts) or mean (cells from --cells); --counts implies proportion.")
  var metric: String?

  @Option(
    help: ArgumentHelp(
      "Proportions: per-cell conversions and units in run order, rows separated by ';'.",
      valueName: "conversions,n;..."))
  var counts: NumberTable?

  @Option(
    help: ArgumentHelp(
      "Means: per-cell units, mean and standard deviation in run order, rows separated by ';'.",
      valueName: "n,mean,sd;..."))
  var cells: NumberTable?

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
      let input = try cellInput()
      let metric = input.metric
      let design = try Design.design(factors: factors, fraction: fraction, generators: generators)
      guard input.table.rows.count == design.runs.count else {
        throw InvalidInput(
          "\(input.flag): has \(input.table.rows.count) rows but the design has \(design.runs.count) runs (list them in `strata design` order)"
        )
      }
      var summaries: [FactorialCellSummary] = []
      for (index, row) in input.table.rows.enumerated() {
        let labels = design.levelLabels(ofRun: index)
        let field = "\(input.flag) row \(index + 1) (\(labels.joined(separator: ", ")))"
        guard row.count == input.order.count else {
          throw InvalidInput(
            "\(field): expected \"\(input.order.joined(separator: ","))\", got \(row.count) \(row.count == 1 ? "number" : "numbers")"
          )
        }
        let value = { (name: String) in row[input.order.firstIndex(of: name) ?? 0] }
        try forFlag(field) {
          if metric == "proportion" {
            let binomial = try BinomialSummary(successes: value("conversions"), trials: value("n"))
            summaries.append(
              FactorialCellSummary(levels: labels, conversions: binomial.successes, count: binomial.trials))
          } else {
            let sample = try SampleSummary(count: value("n"), mean: value("mean"), standardDeviation: value("sd"))
            summaries.append(FactorialCellSummary(levels: labels, summary: sample))
          }
        }
      }
      let covarianceName = errors ?? (metric == "proportion" ? "hc1" : "classical")
      guard let covariance = CovarianceEstimator(rawValue: covarianceName) else {
        throw InvalidInput("--errors: must be classical, hc0, hc1, hc2 or hc3, got \"\(covarianceName)\"")
      }
      guard let anovaType = ANOVAType(rawValue: anova) else {
        throw InvalidInput("--anova: must be 2 or 3, got \(anova)")
      }
      guard alpha > 0 && alpha < 1 else {
        throw InvalidInput("--alpha: must be strictly between 0 and 1, got \(alpha)")
      }
      let data = try FactorialData(design: design, cellSummaries: summaries)
      let result = try FactorialRegression(
        data: data, maximumInteractionOrder: order, covariance: covariance, anovaType: anovaType,
        confidenceLevel: 1 - alpha
      ).result()
      let output = FactorialOutput(design: design, result: result, metric: metric)
      if json { printJSON(try output.json()) } else { printText(try output.table()) }
    }
  }
}

extension FactorialCalc {
  /// Which flag holds the cells, the metric it means and the order of each row's numbers.
  struct CellInput {
    var flag: String
    var metric: String
    var order: [String]
    var table: NumberTable
  }

  /// Flag combinations that cannot work are usage errors (exit 64).
  func validate() throws {
    switch (counts, cells) {
    case (.some, .some):
      throw ValidationError(
        "Give the cells once: --counts \"conversions,n;...\" for proportions or --cells \"n,mean,sd;...\" for means, not both."
      )
    case (nil, nil):
      throw ValidationError(
        "Give the cells: --counts \"conversions,n;...\" for proportions, or --metric mean --cells \"n,mean,sd;...\".")
    case (.some, nil) where metric == "mean":
      throw ValidationError(
        "--counts gives proportions (\"conversions,n\"); for --metric mean give --cells \"n,mean,sd;...\".")
    case (nil, .some) where metric == nil:
      throw ValidationError(
        "--cells needs --metric mean (rows \"n,mean,sd\"); for proportions give --counts \"conversions,n;...\".")
    default:
      break
    }
  }

  /// Resolves --counts / --cells / --metric; the old "n,conversions" spelling prints a deprecation note.
  func cellInput() throws -> CellInput {
    if let metric, metric != "proportion" && metric != "mean" {
      throw InvalidInput("--metric: must be proportion or mean, got \"\(metric)\"")
    }
    if let counts {
      return CellInput(flag: "--counts", metric: "proportion", order: ["conversions", "n"], table: counts)
    }
    guard let cells else { preconditionFailure("validate() requires --counts or --cells") }
    if metric == "mean" {
      return CellInput(flag: "--cells", metric: "mean", order: ["n", "mean", "sd"], table: cells)
    }
    FileHandle.standardError.write(Data((Self.deprecationNote + "\n").utf8))
    return CellInput(flag: "--cells", metric: "proportion", order: ["n", "conversions"], table: cells)
  }

  static let deprecationNote =
    "strata: note: --metric proportion --cells reads rows as \"n,conversions\", an order that is deprecated; use --counts \"conversions,n;...\" (conversions first, as in calc proportions --a)."
}
