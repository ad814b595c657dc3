import Foundation
import StrataAssignment
import Yams

/// Reads the analysis-relevant fields of an experiment definition (`experiments/*.yaml`) straight into an
/// `AnalysisPlan`.
///
/// This reader deliberately ignores assignment-only fields (rules, salts, layers, holdouts): analysis needs
/// the variants and their weights, segments in order with their weight overrides, metrics and the plan.
/// Keys: `id`, `name`, `hypothesis`, `unit`, `control`, `variants` (`key`/`name`, `weight`, `description`),
/// `segments` (`name`, `weights`), `metrics` (`name`, `kind`, `role`, `column`, `missing`, `description`),
/// `plan` (`alpha`, `power`, `mde`, `relative`, `baseline`, `sd`, `sides`, `looks`, `n_per_variant`,
/// `correction`), and `data` (`variant_column`, `segment_column`).
public struct PlanFile {
  public static func load(path: String) throws -> AnalysisPlan {
    let text: String
    do {
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw DataError(file: path, line: nil, message: "cannot be read (\(error.localizedDescription))")
    }
    let root: Any?
    do {
      root = try Yams.load(yaml: text)
    } catch {
      throw DataError(file: path, line: nil, message: "is not valid YAML: \(error)")
    }
    guard let document = root as? [String: Any] else { throw DataError(file: path, line: nil, message: "must be a YAML mapping") }
    return try PlanFile(path: path).plan(document)
  }

  private struct Reader {
    let path: String
    func fail(_ field: String, _ message: String) -> DataError { DataError(file: path, line: nil, message: "\(field): \(message)") }

    func string(_ value: Any?, _ field: String) throws -> String? {
      guard let value else { return nil }
      if let s = value as? String { return s }
      if let i = value as? Int { return String(i) }
      throw fail(field, "must be text, got \(value)")
    }

    func number(_ value: Any?, _ field: String) throws -> Double? {
      guard let value else { return nil }
      if let d = value as? Double { return d }
      if let i = value as? Int { return Double(i) }
      if let s = value as? String, let d = Double(s) { return d }
      throw fail(field, "must be a number, got \(value)")
    }
  }

  private init(path: String) { self.reader = Reader(path: path) }
  private let reader: Reader

  private func plan(_ document: [String: Any]) throws -> AnalysisPlan {
    guard let id = try reader.string(document["id"], "id"), !id.isEmpty else { throw reader.fail("id", "is required") }
    // The id names report files (DIR/<id>.html), so it must not reach outside DIR.
    guard !id.hasPrefix("."), id.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0) }) else {
      throw reader.fail("id", "\"\(id)\" must use only letters, digits, \"_\", \"-\" and \".\" and not start with \".\"")
    }
    guard let variantList = document["variants"] as? [Any], variantList.count >= 2 else {
      throw reader.fail("variants", "needs a list of at least 2 variants")
    }
    var variants: [String] = []
    var weights: [Double] = []
    var descriptions: [String: String] = [:]
    for (index, item) in variantList.enumerated() {
      let field = "variants[\(index)]"
      if let key = item as? String {
        variants.append(key)
        weights.append(1)
        continue
      }
      guard let map = item as? [String: Any], let key = try reader.string(map["key"] ?? map["name"], "\(field).key") else {
        throw reader.fail(field, "needs a key")
      }
      guard !variants.contains(key) else { throw reader.fail("\(field).key", "variant \"\(key)\" is listed twice") }
      let weight = try reader.number(map["weight"], "\(field).weight") ?? 1
      guard weight >= 0, weight.isFinite else { throw reader.fail("\(field).weight", "must be ≥ 0, got \(weight)") }
      variants.append(key)
      weights.append(weight)
      descriptions[key] = try reader.string(map["description"], "\(field).description")
    }
    var controlIndex = 0
    if let control = try reader.string(document["control"], "control") {
      guard let index = variants.firstIndex(of: control) else {
        throw reader.fail("control", "\"\(control)\" is not one of the variants (\(variants.joined(separator: ", ")))")
      }
      controlIndex = index
    }
    var segments: [String] = []
    var segmentWeights: [[Double]] = []
    for (index, item) in (document["segments"] as? [Any] ?? []).enumerated() {
      let field = "segments[\(index)]"
      let map = item as? [String: Any] ?? [:]
      guard let name = try (item as? String) ?? reader.string(map["name"], "\(field).name") else { throw reader.fail(field, "needs a name") }
      guard !segments.contains(name) else { throw reader.fail("\(field).name", "segment \"\(name)\" is listed twice") }
      var own = weights
      for (key, value) in map["weights"] as? [String: Any] ?? [:] {
        guard let position = variants.firstIndex(of: key) else { throw reader.fail("\(field).weights.\(key)", "\"\(key)\" is not one of the variants") }
        own[position] = try reader.number(value, "\(field).weights.\(key)") ?? own[position]
      }
      segments.append(name)
      segmentWeights.append(own)
    }
    if segments.isEmpty {
      segments = [Segment.defaultName]
      segmentWeights = [weights]
    }
    var metrics: [AnalysisPlan.Metric] = []
    for (index, item) in (document["metrics"] as? [Any] ?? []).enumerated() {
      let field = "metrics[\(index)]"
      guard let map = item as? [String: Any], let name = try reader.string(map["name"], "\(field).name") else { throw reader.fail(field, "needs a name") }
      let kindText = try reader.string(map["kind"] ?? map["type"], "\(field).kind") ?? ""
      guard let kind = StrataAssignment.Metric.Kind(rawValue: kindText) else { throw reader.fail("\(field).kind", "must be binomial or continuous, got \"\(kindText)\"") }
      let roleText = try reader.string(map["role"], "\(field).role") ?? (index == 0 ? "primary" : "secondary")
      guard let role = StrataAssignment.Metric.Role(rawValue: roleText) else { throw reader.fail("\(field).role", "must be primary, secondary or guardrail, got \"\(roleText)\"") }
      let missingText = try reader.string(map["missing"], "\(field).missing") ?? "exclude"
      guard let missing = StrataAssignment.Metric.MissingValuePolicy(rawValue: missingText) else { throw reader.fail("\(field).missing", "must be exclude or zero, got \"\(missingText)\"") }
      metrics.append(AnalysisPlan.Metric(
        name: name, column: try reader.string(map["column"], "\(field).column"), kind: kind, role: role, missing: missing,
        description: try reader.string(map["description"], "\(field).description")))
    }
    guard !metrics.isEmpty else { throw reader.fail("metrics", "needs at least one metric") }
    let planMap = document["plan"] as? [String: Any] ?? [:]
    let alpha = try reader.number(planMap["alpha"], "plan.alpha") ?? 0.05
    guard alpha > 0, alpha < 1 else { throw reader.fail("plan.alpha", "must be between 0 and 1, got \(alpha)") }
    let power = try reader.number(planMap["power"], "plan.power") ?? 0.8
    guard power > 0, power < 1 else { throw reader.fail("plan.power", "must be between 0 and 1, got \(power)") }
    let sides = Int(try reader.number(planMap["sides"], "plan.sides") ?? 2)
    guard sides == 1 || sides == 2 else { throw reader.fail("plan.sides", "must be 1 or 2, got \(sides)") }
    let relative = planMap["relative"] as? Bool ?? false
    let baseline = try reader.number(planMap["baseline"], "plan.baseline")
    var mde = try reader.number(planMap["mde"], "plan.mde")
    if relative, let relativeMDE = mde {
      guard let baseline else { throw reader.fail("plan.relative", "a relative mde needs a baseline") }
      mde = relativeMDE * baseline
    }
    let correctionText = try reader.string(planMap["correction"], "plan.correction") ?? "holm"
    guard let correction = AnalysisPlan.Correction(rawValue: correctionText == "bh" ? "benjamini-hochberg" : correctionText) else {
      throw reader.fail("plan.correction", "must be holm, benjamini-hochberg (bh), bonferroni or none, got \"\(correctionText)\"")
    }
    let dataMap = document["data"] as? [String: Any] ?? [:]
    return AnalysisPlan(
      id: id, name: try reader.string(document["name"], "name"), hypothesis: try reader.string(document["hypothesis"], "hypothesis"),
      unitColumn: try reader.string(document["unit"], "unit") ?? "unit_id",
      variantColumn: try reader.string(dataMap["variant_column"], "data.variant_column") ?? "variant",
      segmentColumn: try reader.string(dataMap["segment_column"], "data.segment_column") ?? "segment",
      variants: variants, variantDescriptions: descriptions, controlIndex: controlIndex, segments: segments,
      segmentWeights: segmentWeights, metrics: metrics, alpha: alpha, power: power, sides: sides,
      minimumDetectableEffect: mde, minimumDetectableEffectIsRelative: relative, baseline: baseline,
      standardDeviation: try reader.number(planMap["sd"], "plan.sd"),
      plannedUnitsPerVariant: try reader.number(planMap["n_per_variant"], "plan.n_per_variant").map { Int($0) },
      correction: correction, looks: Int(try reader.number(planMap["looks"], "plan.looks") ?? 1))
  }
}
