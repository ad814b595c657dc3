import Foundation
import StrataAssignment
import StrataDiscovery
import StrataStats
import StrataTestSupport
import Testing

struct PCACase: Decodable, CustomTestStringConvertible, Sendable {
  var name: String
  var data: [[Double]]
  var explainedVarianceRatio: [Double]
  var components: [[Double]]
  var shares: [Double]
  var nComponents: [Int]
  var testDescription: String { name }
  enum CodingKeys: String, CodingKey {
    case name, data, components, shares
    case explainedVarianceRatio = "explained_variance_ratio"
    case nComponents = "n_components"
  }
}

@Suite("Principal components before clustering: scikit-learn's PCA, and a frozen rule that reproduces them")
struct PrincipalComponentsTests {
  @Test(
    "explained variance ratios, components (up to sign) and the count for a share equal scikit-learn's PCA",
    arguments: try Fixture<PCACase>.load("pca", from: .module))
  func againstScikitLearn(_ c: PCACase) throws {
    let matrix = FeatureMatrix(rows: c.data)
    let pca = try PrincipalComponents(matrix)
    #expect(pca.varianceRatios.count == c.explainedVarianceRatio.count)
    for (ours, theirs) in zip(pca.varianceRatios, c.explainedVarianceRatio) {
      #expect(abs(ours - theirs) <= 1e-12 + 1e-9 * theirs, "\(ours) vs \(theirs)")
    }
    // Components are defined up to sign, and only where the eigenvalue is distinct from its neighbours.
    let ratios = c.explainedVarianceRatio
    for i in ratios.indices {
      let gaps = [i > 0 ? ratios[i - 1] - ratios[i] : 1, i + 1 < ratios.count ? ratios[i] - ratios[i + 1] : 1]
      guard gaps.allSatisfy({ $0 > 1e-3 }) else { continue }
      let dot = zip(pca.axes[i], c.components[i]).map { $0 * $1 }.reduce(0, +)
      #expect(abs(abs(dot) - 1) < 1e-8, "component \(i): |dot| = \(abs(dot))")
    }
    for (share, expected) in zip(c.shares, c.nComponents) {
      #expect(try PrincipalComponents(matrix, share: share).count == expected, "share \(share)")
    }
  }

  /// Four planted groups in six features that move in pairs (three strong directions), 2,400 units.
  static func audience() -> Audience {
    var random = SplitMix64(seed: 21)
    let centres: [[Double]] = [[10, 50, 3], [40, 20, 9], [25, 80, 1], [5, 10, 12]]
    var columns = [[Double]](repeating: [], count: 6)
    var units: [String] = []
    for i in 0..<2_400 {
      let centre = centres[i % 4]
      units.append("u\(i)")
      for pair in 0..<3 {
        let latent = centre[pair] + Double.random(in: -1...1, using: &random) * centre[pair] * 0.05
        columns[2 * pair].append(latent + Double.random(in: -0.2...0.2, using: &random))
        columns[2 * pair + 1].append(2 * latent + Double.random(in: -0.2...0.2, using: &random))
      }
    }
    return Audience(units: units, numericNames: (0..<6).map { "f\($0)" }, numeric: columns)
  }

  @Test("k-means and Ward on the components: the frozen rule places every discovery unit as the clustering did")
  func frozenRuleReproducesTheComponents() throws {
    let audience = Self.audience()
    for method in [ClusteringMethod.kmeans, .ward] {
      let options = try DiscoveryOptions(
        clusterCounts: 2...5, seed: 4, splitSalt: "pca", method: method, varianceShare: 0.9)
      let result = try SegmentDiscovery.run(audience, options: options)
      let pca = try #require(result.principalComponents)
      #expect(pca.count >= 2 && pca.count <= 3 && pca.axes.count == 6, "three pairs: at most three strong directions")
      #expect(pca.explainedShare > 0.9)
      #expect(result.chosen.clusterCount == 4)
      #expect(result.ruleAgreement == 1)
      let experiment = try result.experiment(template: nil, id: "pca", unit: "unit_id")
      let index = Dictionary(uniqueKeysWithValues: audience.units.enumerated().map { ($1, $0) })
      var disagreements = 0
      for (unit, label) in zip(result.discoveryUnits, result.discoveryLabels) {
        let row = try #require(index[unit])
        var attributes: [String: AttributeValue] = [:]
        for (f, name) in audience.numericNames.enumerated() { attributes[name] = .number(audience.numeric[f][row]) }
        if experiment.assign(unit: unit, attributes: attributes).segment != "segment_\(label + 1)" {
          disagreements += 1
        }
      }
      #expect(disagreements == 0, "\(method): \(disagreements) units placed differently by the frozen rule")
      #expect(result.principalComponentsSentence?.contains("first \(pca.count) of 6 principal components") == true)
    }
  }

  @Test("the centroids lie in the span of the kept components; without --pca nothing changes")
  func centroidsInTheSpan() throws {
    let audience = Self.audience()
    let plain = try SegmentDiscovery.run(
      audience, options: try DiscoveryOptions(clusterCounts: 4...4, seed: 4, splitSalt: "pca"))
    #expect(plain.principalComponents == nil && plain.principalComponentsSentence == nil)
    let reduced = try SegmentDiscovery.run(
      audience, options: try DiscoveryOptions(clusterCounts: 4...4, seed: 4, splitSalt: "pca", varianceShare: 0.5))
    let pca = try #require(reduced.principalComponents)
    #expect(pca.count < 3)
    for segment in reduced.segments {
      let scaled = zip(segment.centroid, reduced.scales).map { ($0 - $1.center) / $1.scale }
      let projected = pca.project(scaled)
      for (a, b) in zip(scaled, projected) { #expect(abs(a - b) < 1e-9) }
    }
  }

  @Test("a share outside (0, 1) is refused, naming --pca")
  func shareValidation() throws {
    for share in [0.0, 1.0, -0.2, 1.5, .nan] {
      #expect(throws: DiscoveryError.self) { try DiscoveryOptions(splitSalt: "s", varianceShare: share) }
    }
    do {
      _ = try DiscoveryOptions(splitSalt: "s", varianceShare: 1)
    } catch {
      #expect(error.field == "pca")
    }
  }
}
