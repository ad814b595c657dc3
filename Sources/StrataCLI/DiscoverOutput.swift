import Foundation
import StrataAssignment
import StrataDiscovery
import StrataReport

/// What `strata discover` prints (readable text or one JSON object) and the provenance comment of the file.
struct DiscoverOutput {
  var result: DiscoveryResult
  var experiment: Experiment
  var output: String
  var sha256: String
  var confirmationOutput: String?
  var template: String?

  /// The comment at the top of the written definition: how it was found, so it can be reproduced.
  static func provenance(_ result: DiscoveryResult, input: String) -> String {
    let options = result.options
    let k = result.chosen.clusterCount
    return """
      Segments discovered by `strata discover` (docs/discover.md); nearest-centroid rule, docs/assignment-spec.md 5a.
      Input \(input): \(result.audienceCount) units; discovery half \(result.discoveryCount), confirmation half \
      \(result.confirmationCount) (split salt "\(options.splitSalt)").
      \(result.methodName) on \(result.clusteredCount) discovery units\(wardNote(result)), k \
      \(options.clusterCounts.lowerBound)..\(options.clusterCounts.upperBound), n_init \(options.restarts), \
      seed \(options.seed), scaling \(options.scaling.rawValue), missing values \(options.missing.rawValue)\
      \(result.gamma.map { ", gamma \($0)" } ?? "").
      Chosen k = \(k): silhouette \(String(format: "%.4f", result.chosen.silhouette)), Davies-Bouldin \
      \(String(format: "%.4f", result.chosen.daviesBouldin)); smallest segment \(result.chosen.smallestSegment) units\
      \(options.minimumSegmentUnits.map { " (minimum \($0))" } ?? "").
      \(result.principalComponentsSentence.map { $0 + "\n" } ?? "")\(result.ruleAgreementSentence)
      These segments were discovered, not planned: test them on the confirmation half or in the next campaign.
      """
  }

  /// ", Ward's tree on a seeded sample of N" when Ward ran on a sample.
  static func wardNote(_ result: DiscoveryResult) -> String {
    guard let units = result.wardUnits, units < result.clusteredCount else { return "" }
    return " (Ward's tree on a seeded sample of \(units), the rest placed at the nearest cluster mean)"
  }

  var json: JSONValue {
    let options = result.options
    return .object([
      ("output", .string(output)),
      ("definition_sha256", .string(sha256)),
      ("experiment", .string(experiment.id)),
      ("units", .integer(result.audienceCount)),
      ("discovery_units", .integer(result.discoveryCount)),
      ("confirmation_units", .integer(result.confirmationCount)),
      ("clustered_units", .integer(result.clusteredCount)),
      ("dropped_for_missing", .integer(result.droppedForMissing)),
      ("silhouette_units", .integer(result.silhouetteCount)),
      ("split_salt", .string(options.splitSalt)),
      ("seed", .integer(Int(options.seed))),
      ("n_init", .integer(options.restarts)),
      ("scaling", .string(options.scaling.rawValue)),
      ("method", .string(result.methodName)),
      ("gamma", result.gamma.map { .number($0) } ?? .null),
      ("ward_units", result.wardUnits.map { .integer($0) } ?? .null),
      ("categorical_encoding", .string(options.categoricalEncoding.rawValue)),
      ("pca", result.principalComponents.map(Self.pca) ?? .null),
      ("rule_agreement", .number(result.ruleAgreement)),
      ("categorical", .array(result.categoricalNames.map(JSONValue.string))),
      ("missing", .string(options.missing.rawValue)),
      ("min_segment_units", options.minimumSegmentUnits.map { .integer($0) } ?? .null),
      (
        "features",
        .array(
          result.scales.enumerated().map { f, scale in
            .object([
              ("name", .string(scale.name)), ("center", .number(scale.center)), ("scale", .number(scale.scale)),
              ("missing", .integer(result.missingCounts[f])), ("average", .finite(result.overallMeans[f])),
            ])
          })
      ),
      (
        "candidates",
        .array(
          result.candidates.map { c in
            .object([
              ("k", .integer(c.clusterCount)), ("silhouette", .number(c.silhouette)),
              ("davies_bouldin", .number(c.daviesBouldin)), ("inertia", .number(c.inertia)),
              ("sizes", .array(c.sizes.map { .integer($0) })), ("smallest_segment", .integer(c.smallestSegment)),
              ("powered", .bool(c.powered)), ("chosen", .bool(c.clusterCount == result.chosen.clusterCount)),
            ])
          })
      ),
      ("k", .integer(result.chosen.clusterCount)),
      (
        "segments",
        .array(
          result.segments.map { segment in
            .object([
              ("name", .string(segment.name)), ("discovery_units", .integer(segment.size)),
              ("centroid", .array(segment.centroid.map { .number($0) })),
              ("means", .array(segment.means.map { .finite($0) })),
              ("levels", .array(segment.levels.map { $0.map(JSONValue.string) ?? .null })),
              ("profile", .array(SegmentProfile.phrases(segment, in: result).map(JSONValue.string))),
            ])
          })
      ),
      ("confirmation_output", confirmationOutput.map(JSONValue.string) ?? .null),
      ("discovered", .bool(true)),
    ])
  }

  /// `pca`: the share asked for, the components kept of all, the share they explain, every component's ratio.
  static func pca(_ pca: PrincipalComponents) -> JSONValue {
    .object([
      ("share", pca.requestedShare.map { .number($0) } ?? .null), ("components", .integer(pca.count)),
      ("of", .integer(pca.axes.count)), ("explained", .number(pca.explainedShare)),
      ("explained_variance_ratio", .array(pca.varianceRatios.map { .number($0) })),
    ])
  }

  var text: String {
    let options = result.options
    var lines: [String] = []
    lines.append(
      "Audience: \(result.audienceCount) units; discovery half \(result.discoveryCount), confirmation half "
        + "\(result.confirmationCount) (split salt \"\(options.splitSalt)\").")
    let scaling = options.scaling == .standard ? "z-scores" : "median and interquartile range"
    let missing =
      options.missing == .impute
      ? "a missing value counts as the feature's centre"
      : "\(result.droppedForMissing) units with a missing value left out"
    let names = (result.scales.map(\.name) + result.categoricalNames).joined(separator: ", ")
    let gamma = result.gamma.map { ", categorical mismatch weight gamma \(String(format: "%.4g", $0))" } ?? ""
    lines.append(
      "Clustered \(result.clusteredCount) discovery units on \(names) (\(scaling); \(missing)); "
        + "\(result.methodName)\(Self.wardNote(result)), n_init \(options.restarts), seed \(options.seed)\(gamma).")
    if let sentence = result.principalComponentsSentence { lines.append(sentence) }
    if result.silhouetteCount < result.clusteredCount {
      lines.append("Silhouette over a seeded sample of \(result.silhouetteCount) units.")
    }
    lines.append("")
    var rows = [["k", "silhouette", "Davies-Bouldin", "smallest", "powered", ""]]
    for c in result.candidates {
      rows.append([
        "\(c.clusterCount)", String(format: "%.4f", c.silhouette), String(format: "%.4f", c.daviesBouldin),
        "\(c.smallestSegment)", c.powered ? "yes" : "no", c.clusterCount == result.chosen.clusterCount ? "chosen" : "",
      ])
    }
    lines.append(textTable(rows))
    lines.append("")
    let rule =
      options.minimumSegmentUnits.map { "the best silhouette among k whose smallest segment has at least \($0) units" }
      ?? "the best silhouette (no --min-segment-units or --from-plan: segment sizes not checked for power)"
    lines.append("Chosen k = \(result.chosen.clusterCount): \(rule).")
    for segment in result.segments {
      lines.append(
        "  \(segment.name) (\(segment.size) units): "
          + SegmentProfile.phrases(segment, in: result).joined(separator: "; "))
    }
    lines.append(result.ruleAgreementSentence)
    lines.append("")
    lines.append("Wrote \(output) (sha256 \(sha256)).")
    if let confirmationOutput { lines.append("Wrote the confirmation half's rows to \(confirmationOutput).") }
    lines.append(
      "These segments were discovered, not planned: confirm them on the confirmation half "
        + "(strata assign --stratified, then strata analyze).")
    return lines.joined(separator: "\n")
  }
}
