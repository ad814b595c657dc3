import Foundation
import StrataAssignment
import Testing

/// The nearest-centroid vectors (`Fixtures/nearest-centroid-cases.json`, spec_version 1.1, written by
/// `Scripts/fixtures/nearest_centroid_vectors.py` from the independent Python implementation).
struct NearestCentroidVectorFile: Decodable {
  struct Feature: Decodable {
    var name: String
    var center: Double?
    var scale: Double?
    var categorical: Bool?
    var weight: Double?
  }
  struct SegmentDefinition: Decodable {
    var name: String
    var centroid: [String: FixtureAttribute]
    var traffic: String?
    var weights: [String: String]?
  }
  struct Definition: Decodable {
    struct VariantDefinition: Decodable {
      var key: String
      var weight: String?
    }
    struct Segmentation: Decodable { var features: [Feature] }
    var id: String
    var salt: String?
    var traffic: String?
    var variants: [VariantDefinition]
    var segmentation: Segmentation
    var segments: [SegmentDefinition]

    func experiment() throws -> Experiment {
      func exact(_ text: String?) throws -> ExactDecimal {
        guard let text else { return 1 }
        guard let value = ExactDecimal(parsing: text) else { throw DefinitionError(field: "fixture", message: text) }
        return value
      }
      let features: [NearestCentroid.Feature] = segmentation.features.map { feature in
        feature.categorical == true
          ? .categorical(name: feature.name, weight: feature.weight ?? 0)
          : .numeric(name: feature.name, center: feature.center ?? 0, scale: feature.scale ?? 1)
      }
      return try Experiment(
        id: id, salt: salt, variants: variants.map { Variant(key: $0.key, weight: try exact($0.weight)) },
        traffic: try exact(traffic),
        segments: segments.map { segment in
          Segment(
            name: segment.name, traffic: try segment.traffic.map { try exact($0) },
            weights: try (segment.weights ?? [:]).mapValues { try exact($0) },
            centroid: features.map { feature -> NearestCentroid.Coordinate in
              switch segment.centroid[feature.name]?.value {
              case .number(let x)?: return .number(x)
              case .string(let level)?: return .level(level)
              default: return .level("")
              }
            })
        }, segmentation: NearestCentroid(features: features))
    }
  }

  var specVersion: String
  var experiments: [Definition]
  var cases: [VectorFile.UnitCase]
  var stratified: [VectorFile.StratifiedCase]

  enum CodingKeys: String, CodingKey {
    case specVersion = "spec_version"
    case experiments, cases, stratified
  }
}

@Suite("Nearest-centroid segment vectors (nearest-centroid-cases.json, spec 1.1)")
struct NearestCentroidVectorTests {
  let file: NearestCentroidVectorFile
  let experiments: [String: Experiment]

  init() throws {
    let url = try #require(
      Bundle.module.url(forResource: "nearest-centroid-cases", withExtension: "json", subdirectory: "Fixtures"))
    file = try JSONDecoder().decode(NearestCentroidVectorFile.self, from: Data(contentsOf: url))
    experiments = try Dictionary(uniqueKeysWithValues: file.experiments.map { ($0.id, try $0.experiment()) })
  }

  @Test("the vectors are spec version 1.1 and cover every segment of every experiment")
  func coverage() {
    #expect(file.specVersion == "1.1")
    for (id, experiment) in experiments where id != "tied-centroids" {
      let seen = Set(file.cases.filter { $0.experiment == id }.compactMap { $0.expected?.segment })
      #expect(seen == Set(experiment.segmentNames), "\(id)")
    }
  }

  @Test("online assignments match every vector: segment, variant, bucket, eligibility, reason")
  func onlineCases() throws {
    #expect(file.cases.count > 300)
    for c in file.cases {
      let experiment = try #require(experiments[c.experiment ?? ""])
      let result = experiment.assign(unit: c.unit, attributes: c.attributes.mapValues(\.value))
      #expect(result.expected == c.expected, "\(c.experiment ?? "") unit \(c.unit.debugDescription)")
    }
  }

  @Test("stratified batches balance within nearest-centroid segments exactly as the vectors say")
  func stratifiedCases() throws {
    for batch in file.stratified {
      let experiment = try #require(experiments[batch.experiment])
      let units = batch.units.map { ($0.unit, experiment.attributeSlots($0.attributes.mapValues(\.value))) }
      let results = try experiment.assignStratified(units)
      #expect(results.map(\.expected) == batch.expected, "\(batch.experiment)")
    }
  }

  @Test("ties keep the earlier segment; a missing number counts as the centre")
  func ties() throws {
    let experiment = try #require(experiments["tied-centroids"])
    #expect(experiment.assign(unit: "a", attributes: ["x": .string("0")]).segment == "low")
    #expect(experiment.assign(unit: "a", attributes: ["x": .string("3")]).segment == "high")
    #expect(experiment.assign(unit: "a", attributes: [:]).segment == "low")
  }

  @Test("definitions that mix rules and centroids, or give the wrong coordinates, are refused naming the field")
  func validation() throws {
    let rule = NearestCentroid(features: [.numeric(name: "x", center: 0, scale: 1)])
    let variants = [Variant(key: "a"), Variant(key: "b")]
    func field(_ segments: [Segment], _ segmentation: NearestCentroid? = rule) -> String? {
      do {
        _ = try Experiment(id: "e", variants: variants, segments: segments, segmentation: segmentation)
        return nil
      } catch { return error.field }
    }
    #expect(field([Segment(name: "s", centroid: [.number(1)])]) == nil)
    #expect(field([Segment(name: "s", rule: try Rule("x > 1"), centroid: [.number(1)])]) == "segments[0].rule")
    #expect(field([Segment(name: "s")]) == "segments[0].centroid")
    #expect(field([Segment(name: "s", centroid: [.level("a")])]) == "segments[0].centroid.x")
    #expect(field([Segment(name: "s", centroid: [.number(.infinity)])]) == "segments[0].centroid.x")
    #expect(field([Segment(name: "s", centroid: [.number(1)])], nil) == "segments[0].centroid")
    let badScale = NearestCentroid(features: [.numeric(name: "x", center: 0, scale: 0)])
    #expect(field([Segment(name: "s", centroid: [.number(1)])], badScale) == "segmentation.features[0].scale")
    let twice = NearestCentroid(features: [
      .numeric(name: "x", center: 0, scale: 1), .categorical(name: "x", weight: 1),
    ])
    #expect(field([Segment(name: "s", centroid: [.number(1), .level("a")])], twice) == "segmentation.features[1].name")
  }
}
