import ArgumentParser
import Crypto
import Foundation
import StrataAnalysis
import StrataAssignment
import StrataDefinitions
import StrataDiscovery
import StrataReport

/// `strata discover`: finds segments on the discovery half of an audience and freezes them as an experiment
/// definition with nearest-centroid segments.
struct Discover: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "discover",
    abstract: "Find audience segments by clustering one half of the audience, and freeze them as a definition.",
    discussion: """
      Units are split by MurmurHash3 of discover:<salt>:<unit> into a discovery half and a confirmation half. \
      Only the discovery half and only the named pre-treatment features are clustered (k-means, k-means++ \
      seeding from GSL's Mersenne Twister, --n-init restarts, for every k in --k; or Ward's tree; optionally \
      on the principal components explaining --pca of the variance). The k with the best \
      silhouette whose smallest segment can be powered is chosen; the segments are written as an experiment \
      definition whose segments are found by nearest centroid (docs/assignment-spec.md 5a), ready for \
      `strata assign --stratified` and `strata analyze` on the confirmation half. The same input and seed \
      give a byte-identical file. See docs/discover.md.

      Examples:
        strata discover --input experiments/data/gym-audience.csv \\
          --unit member_id --features checkins_90d,tenure_months,classes_90d \\
          --k 2..6 --seed 7 --output reports/gym-segments.yaml --force
        strata discover --input experiments/data/gym-audience.csv \\
          --features checkins_90d,tenure_months,classes_90d,spend_90d \\
          --from-plan experiments/gym-class-nudge.yaml --k 2..5 \\
          --output reports/gym-class-nudge-segments.yaml --force \\
          --confirmation-output reports/gym-confirmation.csv --report reports/
        strata discover --input experiments/data/gym-audience.csv \\
          --unit member_id --features checkins_90d,tenure_months,classes_90d \\
          --method ward --ward-sample 2000 --pca 0.9 --k 2..5 \\
          --output reports/ward.yaml --force
      """)

  @Option(help: "Audience CSV: a unit id column and the feature columns (- for standard input).") var input: String
  @Option(help: "Numeric pre-treatment feature columns, comma separated.") var features: String
  @Option(help: "Categorical feature columns, comma separated (k-prototypes).") var categorical: String?
  @Option(help: "Grouping: kmeans (k-prototypes with categorical features) or ward.") var method =
    ClusteringMethod.kmeans
  @Option(help: "Weight of a categorical mismatch (default: half the mean sd of the scaled numbers).")
  var gamma: Double?
  @Option(
    name: .customLong("categorical-encoding"),
    help: "k-means on categorical features: k-prototypes (mode per segment) or one-hot.")
  var categoricalEncoding = CategoricalEncoding.kPrototypes
  @Option(help: "Cluster on the principal components explaining more than this share of variance (0 < share < 1).")
  var pca: Double?
  @Option(name: .customLong("ward-sample"), help: "Most units Ward's tree is built on (a seeded sample beyond).")
  var wardSample = DiscoveryOptions.wardLimit
  @Option(help: "Unit id column (default: the plan's unit, else unit_id).") var unit: String?
  @Option(help: "Numbers of segments to try: A..B or one number.") var k = ClusterCountRange(2...8)
  @Option(help: "Seed of every random draw, 0 to 4294967295.") var seed: UInt64 = 1
  @Option(name: .customLong("n-init"), help: "k-means restarts per k (the lowest inertia is kept).") var nInit = 4
  @Option(help: "Feature scaling: standard (z-scores) or robust (median and IQR).") var scaling = FeatureScaling
    .standard
  @Option(help: "Missing values: impute (the feature's centre) or drop (leave the unit out).") var missing =
    MissingValuePolicy.impute
  @Option(name: .customLong("min-segment-units"), help: "Smallest powered segment, in discovery-half units.")
  var minSegmentUnits: Int?
  @Option(
    name: .customLong("from-plan"),
    help: "Experiment definition whose plan sizes the segments; its variants, metrics and plan are kept.")
  var fromPlan: String?
  @Option(help: "Id of the written definition when there is no plan (default discovered-segments).") var id: String?
  @Option(name: .customLong("split-salt"), help: "Salt of the discovery/confirmation split (default: the id).")
  var splitSalt: String?
  @Option(
    name: .customLong("silhouette-sample"), help: "Largest number of units the exact silhouette is computed on.")
  var silhouetteSample = 4_000
  @Option(help: "The definition to write (YAML).") var output: String
  @Option(
    name: .customLong("confirmation-output"),
    help: "Also write the confirmation half's rows of the input here (CSV), for strata assign --stratified.")
  var confirmationOutput: String?
  @Option(help: "Also write a Markdown and an HTML report (<id>-discovery.md/.html) into this directory.")
  var report: String?
  @Flag(help: "Overwrite existing output files.") var force = false
  @Flag(help: "Print one JSON object instead of the readable output.") var json = false

  func validate() throws {
    if minSegmentUnits != nil && fromPlan != nil {
      throw ValidationError("Give --min-segment-units or --from-plan, not both.")
    }
    if output.isEmpty { throw ValidationError("--output is empty: give the path of the YAML file to write.") }
    if input == "-" && confirmationOutput != nil {
      throw ValidationError(
        "--input - (standard input) cannot go with --confirmation-output: the confirmation rows are copied in a second read of the input, and standard input can be read only once; save it to a file and give that."
      )
    }
    if confirmationOutput != nil && StandardInput.isReadOnce(input) {
      throw ValidationError(
        "--input \(input) is not a regular file (a pipe or device) and cannot go with --confirmation-output: the confirmation rows are copied in a second read of the input, and it can be read only once; save it to a file and give that."
      )
    }
  }

  func run() throws {
    try reportingErrors { try discover() }
  }

  private static func names(_ list: String, flag: String) throws -> [String] {
    let names = list.split(separator: ",", omittingEmptySubsequences: false).map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    guard !names.contains(where: \.isEmpty) else {
      throw InvalidInput("\(flag): \"\(list)\" has an empty name; give column names separated by commas")
    }
    return names
  }

  /// Refuses an output that would replace the input or the plan (even with --force: they are read, not outputs),
  /// and the two outputs naming one file (the second would replace the first).
  private func checkOutputPaths() throws {
    let inputs = [("--input", input)] + (fromPlan.map { [("--from-plan", $0)] } ?? [])
    let outputs = [("--output", output)] + (confirmationOutput.map { [("--confirmation-output", $0)] } ?? [])
    for (outputFlag, path) in outputs {
      for (inputFlag, source) in inputs where OutputDestination.isSameFile(path, as: source) {
        throw InvalidInput(
          "\(outputFlag) \(path) is the same file as \(inputFlag) \(source); writing there would replace it, so "
            + "choose another path")
      }
    }
    if let confirmationOutput,
      URL(fileURLWithPath: confirmationOutput).standardizedFileURL == URL(fileURLWithPath: output).standardizedFileURL
        || OutputDestination.isSameFile(confirmationOutput, as: output)
    {
      throw InvalidInput(
        "--confirmation-output \(confirmationOutput) and --output \(output) name the same file; give two paths")
    }
  }

  private func discover() throws {
    try checkOutputPaths()
    let featureNames = try Self.names(features, flag: "--features")
    let categoricalNames = try categorical.map { try Self.names($0, flag: "--categorical") } ?? []
    let allNames = featureNames + categoricalNames
    if let repeated = allNames.first(where: { name in allNames.filter { $0 == name }.count > 1 }) {
      throw InvalidInput("--features/--categorical: \"\(repeated)\" is listed twice")
    }
    let template = try fromPlan.map { try ExperimentLoader.loadDefinition(contentsOf: URL(fileURLWithPath: $0)) }
    var minimum = minSegmentUnits
    if let template, let fromPlan {
      guard let perVariant = try template.plannedMaximumSampleSizePerVariant() else {
        throw InvalidInput(
          "\(fromPlan): plan: has no sample size (it needs an mde and a baseline or sd) to size the segments with")
      }
      minimum = perVariant * template.experiment.variants.count
    }
    if let template, let unit, unit != template.experiment.unit, let fromPlan {
      throw InvalidInput(
        "--unit: \"\(unit)\" differs from the unit column of \(fromPlan) (\"\(template.experiment.unit)\"); the written "
          + "definition keeps the plan's, so the audience must use it too")
    }
    let unitColumn = unit ?? template?.experiment.unit ?? "unit_id"
    if allNames.contains(unitColumn) {
      throw InvalidInput("--features: \"\(unitColumn)\" is the unit id column, not a feature")
    }
    let experimentID = template?.experiment.id ?? id ?? "discovered-segments"
    for path in [output] + (confirmationOutput.map { [$0] } ?? []) where !force {
      if FileManager.default.fileExists(atPath: path) {
        throw InvalidInput("\(path): already exists; give --force to replace it")
      }
    }
    let options = try DiscoveryOptions(
      clusterCounts: k.range, seed: seed, restarts: nInit, scaling: scaling, missing: missing,
      minimumSegmentUnits: minimum, splitSalt: splitSalt ?? experimentID, silhouetteSampleSize: silhouetteSample,
      method: method, gamma: gamma, varianceShare: pca, categoricalEncoding: categoricalEncoding,
      wardSampleSize: wardSample)
    // Only the discovery half is kept in memory, without the unit ids (nothing written names a unit), and handed
    // over to be scaled in place: the discovery half's values are held once.
    let audience = try AudienceReader.read(
      path: input, unitColumn: unitColumn, numeric: featureNames, categorical: categoricalNames,
      discoveryHalf: try HonestSplit(salt: options.splitSalt), keepUnitIDs: false)
    var result = try SegmentDiscovery.run(consume audience, options: options)
    // The report's projection is the last reader of the per-unit data (the scaled discovery half): take it, then
    // let that go before writing.
    let projection = try report.map { _ in try result.projection() }
    result.releaseUnitData()
    let definition = try result.definition(template: template, id: experimentID, unit: unitColumn)
    let experiment = definition.experiment
    let yaml = ExperimentYAMLWriter.yaml(for: definition, comment: DiscoverOutput.provenance(result, input: input))
    _ = try ExperimentLoader.load(yaml: yaml, file: output)  // what is written must load back
    let digest = SHA256.hash(data: Data(yaml.utf8)).map { String(format: "%02x", $0) }.joined()
    var files: [(data: Data, url: URL)] = [(Data(yaml.utf8), URL(fileURLWithPath: output))]
    if let confirmationOutput {
      let rows = try ConfirmationRows.csv(input: input, unitColumn: unitColumn, result: result)
      files.append((rows, URL(fileURLWithPath: confirmationOutput)))
    }
    try AtomicFile.write(files)
    if let report, let projection {
      let page = DiscoveryReport(
        result: result, projection: projection, experimentID: experiment.id, input: input,
        definition: output, sha256: digest)
      _ = try page.write(to: URL(fileURLWithPath: report))
    }
    let summary = DiscoverOutput(
      result: result, experiment: experiment, output: output, sha256: digest, confirmationOutput: confirmationOutput,
      template: fromPlan)
    printOutput(json: json, summary.json, summary.text)
  }
}

/// `--k`: `A..B` (or `A...B`) or a single number.
struct ClusterCountRange: ExpressibleByArgument {
  var range: ClosedRange<Int>
  init(_ range: ClosedRange<Int>) { self.range = range }
  init?(argument: String) {
    let parts = argument.replacingOccurrences(of: "...", with: "..").components(separatedBy: "..")
    if parts.count == 1, let k = Int(parts[0]) {
      range = k...k
    } else if parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]), low <= high {
      range = low...high
    } else {
      return nil
    }
  }
  var defaultValueDescription: String { "\(range.lowerBound)..\(range.upperBound)" }
}

extension FeatureScaling: ExpressibleByArgument {}
extension MissingValuePolicy: ExpressibleByArgument {}
extension ClusteringMethod: ExpressibleByArgument {}
extension CategoricalEncoding: ExpressibleByArgument {}
