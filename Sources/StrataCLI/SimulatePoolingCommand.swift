import ArgumentParser
import StrataAnalysis
import StrataReport
import StrataStats

/// `strata simulate pooling`: Monte Carlo calibration of partial pooling across segments.
struct SimulatePoolingCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pooling",
    abstract: "Simulate many campaigns: do shrunken segment estimates beat raw ones, and do they cover?",
    discussion: """
      Draws true segment effects from N(mean, tau²), observes each with its own standard error (spread \
      from --smallest-se to --largest-se, small and large segments side by side), fits the random-effects \
      model that `strata analyze` uses (REML) and scores raw and shrunken estimates against the truth: \
      mean squared error, and how often each 95% interval covers the true effect. GSL's seeded Mersenne \
      Twister: the same seed gives the same numbers.

      --tau-prior-scale S draws each campaign's tau from a half-normal with scale S instead, and gives the \
      calibrated intervals that half-normal as their prior: averaged over campaigns they must then cover at \
      exactly 95% (a check of their computation).

      --calibrated scores the interval analyze quotes, Morris's (1983) closed form (it has no prior: with \
      --tau-prior-scale only tau's draws change); --calibrated-method hierarchical_bayes scores the \
      tau-integrated hierarchical-Bayes one (flat prior on tau, or the half-normal with --tau-prior-scale).

      coverage_quoted (top level) scores every segment's interval of the kind analyze quotes: with two \
      segments the raw one Bonferroni-adjusted for the 2 segments (raw_adjusted), from three the calibrated \
      one at the plan's level (needs --calibrated). best_segment scores the segment analyze would name, the \
      largest shrunken estimate of each campaign where one stands out: how often each interval covers its \
      true effect, with \
      best_segment.coverage_quoted the interval analyze quotes for it (decision.best_segment: adjusted for \
      the K segments compared times the V variants, raw_adjusted or the calibrated one at 1 - alpha/(V K); \
      one variant unless --variants), and the mean error of its raw and shrunken estimates. A campaign \
      whose largest shrunken estimate is tied (every one with tau^2 = 0) names no segment, as analyze names \
      none, and is not scored: best_segment.none_named_share is their share (campaigns_named the rest).

      --variants V simulates V treatments sharing one control (half of each segment's variance from the \
      shared control arm), --lead L puts the first one L pooled standard errors ahead of the others. Each \
      campaign then makes analyze's two choices: the variant (the credible one with the largest \
      inverse-variance pooled estimate, Holm over the V), then its segment with the largest shrunken \
      estimate; every figure is about the chosen variant's segments, and the named segment's intervals are \
      adjusted for the V x K variant-segment pairs, as analyze quotes them (best_segment.coverage_quoted, \
      coverage_raw_adjusted), and for the K segments only for contrast (*_segments_only). \
      leader_chosen_share is how often the first variant was chosen.

      Examples:
        strata simulate pooling --segments 12 --tau 0.01 --campaigns 2000 --seed 7
        strata simulate pooling --segments 40 --tau 0 --json
        strata simulate pooling --segments 4 --campaigns 5 --calibrated
        strata simulate pooling --campaigns 20 --calibrated --tau-prior-scale 0.01
        strata simulate pooling --segments 4 --tau 0 --variants 7 --calibrated
        strata simulate pooling --segments 2 --variants 15 --lead 2 --json
      """)

  @Option(help: "Segments per campaign.")
  var segments: Int = 12

  @Option(
    help: "Mean of the true segment effects (e.g. 0.02 for +2 percentage points; at most 1e6 × --smallest-se from 0).")
  var mean: Double = 0.02

  @Option(
    help:
      "Standard deviation of the true segment effects (0: every segment has the same effect; at most 1e6 × --smallest-se)."
  )
  var tau: Double = 0.01

  @Option(name: .customLong("smallest-se"), help: "Standard error of the most precise segment's estimate.")
  var smallestStandardError: Double = 0.005

  @Option(name: .customLong("largest-se"), help: "Standard error of the least precise segment's estimate.")
  var largestStandardError: Double = 0.03

  @Option(help: "Number of simulated campaigns.")
  var campaigns: Int = 2_000

  @Option(help: "Random seed.")
  var seed: UInt64 = 1

  @Flag(help: "Also score the calibrated intervals (--calibrated-method; hierarchical_bayes is a few times slower).")
  var calibrated = false

  @Option(
    name: .customLong("calibrated-method"),
    help:
      "The calibrated intervals: morris (Morris 1983, analyze's from four segments) or hierarchical_bayes (τ-integrated)."
  )
  var calibratedMethod: RandomEffectsModel.CalibratedMethod = .morris

  @Option(
    name: .customLong("tau-prior-scale"),
    help: "Draw tau per campaign from a half-normal with this scale; the calibrated intervals use it as prior.")
  var tauPriorScale: Double?

  @Flag(
    name: .customLong("flat-prior"),
    help: "With --tau-prior-scale: keep the flat prior on τ in the hierarchical-Bayes intervals (draws only).")
  var flatPrior = false

  @Option(help: "Treatments per campaign, sharing one control; analyze names the best one's best segment.")
  var variants: Int = 1

  @Option(help: "With --variants: the first treatment's lead over the others, in pooled standard errors.")
  var lead: Double = 0

  @Flag(help: "Print one JSON object.")
  var json = false

  /// `--flat-prior` changes the prior of draws that only `--tau-prior-scale` makes: alone it would be ignored.
  func validate() throws {
    if flatPrior && tauPriorScale == nil {
      throw ValidationError("--flat-prior applies with --tau-prior-scale (the draws whose prior it keeps flat).")
    }
  }

  func run() throws {
    try reportingErrors {
      let simulation = try Self.namingOwnFlags { () throws(StatsError) in
        try PoolingSimulation(
          segments: segments, mean: mean, tau: tau, smallestStandardError: smallestStandardError,
          largestStandardError: largestStandardError, campaigns: campaigns, seed: seed,
          calibrated: calibrated, tauPriorScale: tauPriorScale, calibratedMethod: calibratedMethod,
          halfNormalPriorInAnalysis: !flatPrior, variants: variants, lead: lead)
      }
      let result = try simulation.run()
      printOutput(json: json, Self.jsonOutput(result), Self.humanOutput(result))
    }
  }

  /// The flag of each value the library names in its errors (this command's own: elsewhere a value named
  /// `variants` or `segments` can come from a definition file).
  static let flagOfField: [String: String] = [
    "segments": "--segments", "mean": "--mean", "tau": "--tau", "standard errors": "--smallest-se, --largest-se",
    "campaigns": "--campaigns", "tau prior scale": "--tau-prior-scale", "variants": "--variants", "lead": "--lead",
  ]

  /// The library's values named by their flags (``flagOfField``).
  static func namingOwnFlags<T>(_ body: () throws(StatsError) -> T) throws(StatsError) -> T {
    do {
      return try body()
    } catch .invalidInput(let field, let message) where flagOfField[field] != nil {
      throw .invalidInput(field: flagOfField[field] ?? field, message: message)
    }
  }

  static func jsonOutput(_ result: PoolingSimulationResult) -> JSONValue {
    let s = result.simulation
    return .object(
      [
        ("segments", .integer(s.segments)),
        ("campaigns", .integer(s.campaigns)),
        ("seed", s.seed < 1 << 53 ? .integer(Int(s.seed)) : .string(String(s.seed))),
        ("mean", .number(s.mean)),
        ("tau", .number(s.tau)),
        ("tau_prior_scale", s.tauPriorScale.map(JSONValue.number) ?? .null),
        ("calibrated_method", s.calibrated ? .string(s.calibratedMethod.rawValue) : .null),
        ("flat_prior", .bool(!s.halfNormalPriorInAnalysis)),
        ("smallest_se", .number(s.smallestStandardError)),
        ("largest_se", .number(s.largestStandardError)),
        ("estimates", .integer(result.estimates)),
        ("mse_raw", .number(result.rawMeanSquaredError)),
        ("mse_shrunken", .number(result.shrunkenMeanSquaredError)),
        ("mse_ratio", .number(result.meanSquaredErrorRatio)),
        ("coverage_raw", .number(result.rawCoverage)),
        ("coverage_raw_ci_low", .number(result.rawCoverageInterval.lower)),
        ("coverage_raw_ci_high", .number(result.rawCoverageInterval.upper)),
        ("coverage_shrunken", .number(result.shrunkenCoverage)),
        ("coverage_shrunken_ci_low", .number(result.shrunkenCoverageInterval.lower)),
        ("coverage_shrunken_ci_high", .number(result.shrunkenCoverageInterval.upper)),
        ("coverage_calibrated", result.calibratedCoverage.map(JSONValue.number) ?? .null),
        ("coverage_calibrated_ci_low", result.calibratedCoverageInterval.map { .number($0.lower) } ?? .null),
        ("coverage_calibrated_ci_high", result.calibratedCoverageInterval.map { .number($0.upper) } ?? .null),
        ("tau2_zero_share", .number(result.tauSquaredZeroShare)),
        ("mse_ratio_mc_se", .number(result.meanSquaredErrorRatioStandardError)),
        ("coverage_raw_mc_se", .number(result.rawCoverageStandardError)),
        ("coverage_shrunken_mc_se", .number(result.shrunkenCoverageStandardError)),
        ("coverage_calibrated_mc_se", result.calibratedCoverageStandardError.map(JSONValue.number) ?? .null),
      ] + quoted(result))
  }

  /// What `analyze` quotes: the interval's name, its coverage over every segment and the selected segment's
  /// scores.
  static func quoted(_ result: PoolingSimulationResult) -> [(String, JSONValue)] {
    let name: JSONValue = result.quotedInterval.map(JSONValue.string) ?? .null
    let coverage: JSONValue = result.quotedCoverage.map { JSONValue.number($0.value) } ?? .null
    let standardError: JSONValue = result.quotedCoverage.map { JSONValue.number($0.standardError) } ?? .null
    return [
      ("quoted_interval", name), ("coverage_quoted", coverage), ("coverage_quoted_mc_se", standardError),
      ("best_segment", bestSegment(result.selected)),
      ("variants", .integer(result.simulation.variants)), ("lead", .number(result.simulation.lead)),
      ("adjusted_for", .integer(result.simulation.variants * result.simulation.segments)),
      ("leader_chosen_share", result.leaderChosen.map { JSONValue.number($0.value) } ?? .null),
      ("leader_chosen_share_mc_se", result.leaderChosen.map { JSONValue.number($0.standardError) } ?? .null),
    ]
  }

  /// The selected segment's scores: `{quoted_interval, coverage_raw, coverage_raw_mc_se, ...}`.
  ///
  /// `coverage_quoted` scores what `analyze` quotes for it (`quoted_interval`: the calibrated interval
  /// adjusted for the segments compared), `coverage_calibrated` the calibrated one at the plan's level
  /// (quoted until 2026-12-05), `width_quoted_over_raw_adjusted` the quoted width over the raw adjusted one.
  static func bestSegment(_ b: PoolingSimulationResult.SelectedSegment) -> JSONValue {
    var fields: [(String, JSONValue)] = [("quoted_interval", b.quotedInterval.map(JSONValue.string) ?? .null)]
    let scores: [(String, PoolingSimulationResult.Estimate?)] = [
      ("coverage_raw", b.rawCoverage), ("coverage_shrunken", b.shrunkenCoverage),
      ("coverage_raw_adjusted", b.rawAdjustedCoverage), ("coverage_calibrated", b.calibratedCoverage),
      ("coverage_quoted", b.quotedCoverage), ("width_quoted_over_raw_adjusted", b.quotedWidthRatio),
      ("error_raw", b.rawError), ("error_shrunken", b.shrunkenError),
      ("coverage_raw_adjusted_segments_only", b.rawAdjustedSegmentsOnlyCoverage),
      ("coverage_quoted_segments_only", b.quotedSegmentsOnlyCoverage),
    ]
    // No campaign named a segment: nothing was scored.
    let named = b.namedCampaigns > 0
    for (name, estimate) in scores {
      fields.append((name, estimate.flatMap { named ? JSONValue.number($0.value) : nil } ?? .null))
      fields.append((name + "_mc_se", estimate.flatMap { named ? JSONValue.number($0.standardError) : nil } ?? .null))
    }
    fields.append(("none_named_share", .number(b.noneNamedShare.value)))
    fields.append(("none_named_share_mc_se", .number(b.noneNamedShare.standardError)))
    fields.append(("campaigns_named", .integer(b.namedCampaigns)))
    return .object(fields)
  }

  /// The selected segment's scores with the share of campaigns that named none (left out of them).
  static func selectedScores(_ b: PoolingSimulationResult.SelectedSegment, table: String) -> String {
    let none = """
      No segment stood out (the largest shrunken estimate tied, as in every campaign with τ̂² = 0) in       \(NumberText.number(b.noneNamedShare.value * 100, digits: 1))% of campaigns: analyze names none there,       and they are left out of these scores.
      """
    guard b.namedCampaigns > 0 else { return none }
    return """
      \(none)

      \(table)

      Its mean error (estimate − true effect): raw \(NumberText.general(b.rawError.value)), shrunken \(NumberText.general(b.shrunkenError.value)).
      """
  }

  static func humanOutput(_ result: PoolingSimulationResult) -> String {
    let s = result.simulation
    let pairs = s.variants == 1 ? "\(s.segments)" : "\(s.segments) segments × \(s.variants) variants"
    let mean = NumberText.general(s.mean)
    let effects =
      s.tauPriorScale.map { "N(\(mean), τ²) with τ ~ half-normal(\(NumberText.general($0))) per campaign" }
      ?? "N(\(mean), \(NumberText.general(s.tau))²)"
    var rows = [
      ["estimate", "mean squared error", "95% interval covers", "coverage CI", "Monte Carlo SE"],
      [
        "raw (each segment alone)", NumberText.number(result.rawMeanSquaredError * 1e4, digits: 3) + "e-4",
        NumberText.number(result.rawCoverage, digits: 4),
        "\(NumberText.number(result.rawCoverageInterval.lower, digits: 4))–\(NumberText.number(result.rawCoverageInterval.upper, digits: 4))",
        NumberText.number(result.rawCoverageStandardError, digits: 4),
      ],
      [
        "shrunken (partial pooling)", NumberText.number(result.shrunkenMeanSquaredError * 1e4, digits: 3) + "e-4",
        NumberText.number(result.shrunkenCoverage, digits: 4),
        "\(NumberText.number(result.shrunkenCoverageInterval.lower, digits: 4))–\(NumberText.number(result.shrunkenCoverageInterval.upper, digits: 4))",
        NumberText.number(result.shrunkenCoverageStandardError, digits: 4),
      ],
    ]
    if let coverage = result.calibratedCoverage, let interval = result.calibratedCoverageInterval {
      rows.append([
        s.calibratedMethod == .morris ? "shrunken, Morris interval" : "shrunken, τ-integrated interval", "",
        NumberText.number(coverage, digits: 4),
        "\(NumberText.number(interval.lower, digits: 4))–\(NumberText.number(interval.upper, digits: 4))",
        NumberText.number(result.calibratedCoverageStandardError ?? 0, digits: 4),
      ])
    }
    if let coverage = result.quotedCoverage, let kind = result.quotedInterval {
      rows.append([
        "every segment's interval of that kind (\(kind))", "", NumberText.number(coverage.value, digits: 4), "",
        NumberText.number(coverage.standardError, digits: 4),
      ])
    }
    let b = result.selected
    var best = [
      ["selected segment's interval", "covers", "Monte Carlo SE"],
      [
        "raw", NumberText.number(b.rawCoverage.value, digits: 4),
        NumberText.number(b.rawCoverage.standardError, digits: 4),
      ],
      [
        "shrunken (BLUP)", NumberText.number(b.shrunkenCoverage.value, digits: 4),
        NumberText.number(b.shrunkenCoverage.standardError, digits: 4),
      ],
      [
        "raw, Bonferroni over \(pairs)", NumberText.number(b.rawAdjustedCoverage.value, digits: 4),
        NumberText.number(b.rawAdjustedCoverage.standardError, digits: 4),
      ],
    ]
    if let calibrated = b.calibratedCoverage {
      best.append([
        "calibrated, not adjusted", NumberText.number(calibrated.value, digits: 4),
        NumberText.number(calibrated.standardError, digits: 4),
      ])
    }
    if let quoted = b.quotedCoverage, let kind = b.quotedInterval {
      best.append([
        "what analyze quotes for it (\(kind))", NumberText.number(quoted.value, digits: 4),
        NumberText.number(quoted.standardError, digits: 4),
      ])
    }
    if s.variants > 1 {
      best.append(contentsOf: segmentsOnlyRows(b, segments: s.segments))
    }
    return """
      \(s.campaigns) simulated campaigns × \(s.segments) segments\(variantsText(result)): true effects \(effects), \
      standard errors \(NumberText.general(s.smallestStandardError))–\(NumberText.general(s.largestStandardError)), seed \(s.seed)

      \(textTable(rows))

      Shrunken / raw mean squared error: \(NumberText.number(result.meanSquaredErrorRatio, digits: 3)) \
      (Monte Carlo SE \(NumberText.number(result.meanSquaredErrorRatioStandardError, digits: 3))). \
      REML put τ² at 0 in \(NumberText.number(result.tauSquaredZeroShare * 100, digits: 1))% of campaigns.

      \(selectedText(result))

      \(selectedScores(b, table: textTable(best)))
      """
  }
}

/// `--calibrated-method` values (anything else is a usage error).
extension RandomEffectsModel.CalibratedMethod: ExpressibleByArgument {
  public init?(argument: String) { self.init(rawValue: argument) }
  public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
