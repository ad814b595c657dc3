import Foundation
import StrataAssignment

/// The published test vectors (`Fixtures/assignment-cases.json`, written by
/// `Scripts/fixtures/assignment_vectors.py` from an independent Python implementation of the spec).
struct VectorFile: Decodable {
  struct Definition: Decodable {
    struct VariantDefinition: Decodable {
      var key: String
      var weight: String?
    }
    struct SegmentDefinition: Decodable {
      var name: String
      var rule: String?
      var traffic: String?
      var weights: [String: String]?
    }
    struct LayerDefinition: Decodable {
      var name: String
      var salt: String?
      var start: Int
      var end: Int
    }
    struct HoldoutDefinition: Decodable {
      var salt: String
      var share: String
    }
    var id: String
    var salt: String?
    var traffic: String?
    var variants: [VariantDefinition]
    var segments: [SegmentDefinition]?
    var layer: LayerDefinition?
    var holdout: HoldoutDefinition?
    var eligibility: String?
    var consent: String?

    /// Builds the experiment through the public initializers.
    func experiment() throws -> Experiment {
      func exact(_ text: String?) throws -> ExactDecimal {
        guard let text else { return 1 }
        guard let value = ExactDecimal(parsing: text) else { throw DefinitionError(field: "fixture", message: text) }
        return value
      }
      return try Experiment(
        id: id, salt: salt,
        variants: variants.map { Variant(key: $0.key, weight: try exact($0.weight)) },
        traffic: try exact(traffic),
        layer: layer.map { Layer(name: $0.name, salt: $0.salt, buckets: $0.start..<$0.end) },
        holdout: try holdout.map { Holdout(salt: $0.salt, share: try exact($0.share)) },
        eligibility: try eligibility.map { try Rule($0) },
        consent: consent,
        segments: (segments ?? []).map { segment in
          Segment(
            name: segment.name, rule: try segment.rule.map { try Rule($0) },
            traffic: try segment.traffic.map { try exact($0) },
            weights: try (segment.weights ?? [:]).mapValues { try exact($0) })
        })
    }
  }

  struct HashCase: Decodable {
    var key: String
    var hash: UInt32
    var bucket: Int
  }

  struct Expected: Decodable, Equatable {
    var segment: String?
    var variant: String?
    var bucket: Int?
    var eligible: Bool
    var reason: String
  }

  struct UnitCase: Decodable {
    var experiment: String?
    var unit: String
    var attributes: [String: FixtureAttribute]
    var expected: Expected?
  }

  struct StratifiedCase: Decodable {
    var experiment: String
    var units: [UnitCase]
    var expected: [Expected]
  }

  var specVersion: Int
  var experiments: [Definition]
  var hashes: [HashCase]
  var cases: [UnitCase]
  var stratified: [StratifiedCase]

  enum CodingKeys: String, CodingKey {
    case specVersion = "spec_version"
    case experiments, hashes, cases, stratified
  }

  static func load() throws -> VectorFile {
    guard let url = Bundle.module.url(forResource: "assignment-cases", withExtension: "json", subdirectory: "Fixtures")
    else { throw DefinitionError(field: "fixture", message: "assignment-cases.json is missing") }
    return try JSONDecoder().decode(VectorFile.self, from: Data(contentsOf: url))
  }
}

/// A JSON attribute value: a string, a boolean or a number, kept apart.
struct FixtureAttribute: Decodable {
  var value: AttributeValue

  init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if let text = try? container.decode(String.self) {
      value = .string(text)
    } else if let flag = try? container.decode(Bool.self) {
      value = .bool(flag)
    } else {
      value = .number(try container.decode(Double.self))
    }
  }
}

extension Assignment {
  var expected: VectorFile.Expected {
    .init(segment: segment, variant: variant, bucket: bucket, eligible: eligible, reason: reason.rawValue)
  }
}
