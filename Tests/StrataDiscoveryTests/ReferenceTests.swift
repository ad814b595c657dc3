import StrataDiscovery
import StrataStats
import StrataTestSupport
import Testing

struct QualityCase: Decodable, CustomTestStringConvertible, Sendable {
  var name: String
  var data: [[Double]]
  var labels: [Int]
  var k: Int
  var silhouette: Double
  var daviesBouldin: Double
  var testDescription: String { name }
  enum CodingKeys: String, CodingKey {
    case name, data, labels, k, silhouette
    case daviesBouldin = "davies_bouldin"
  }
}

struct InertiaCase: Decodable, CustomTestStringConvertible, Sendable {
  var name: String
  var data: [[Double]]
  var k: Int
  var nInit: Int
  var inertia: Double
  var testDescription: String { name }
  enum CodingKeys: String, CodingKey {
    case name, data, k, inertia
    case nInit = "n_init"
  }
}

struct SplitCase: Decodable, CustomTestStringConvertible, Sendable {
  var salt: String
  var unit: String
  var key: String
  var hash: UInt32
  var bucket: Int
  var half: String
  var testDescription: String { key }
}

@Suite("Cluster quality and k-means against scikit-learn; the split against its published vectors")
struct ReferenceTests {
  @Test(
    "silhouette and Davies–Bouldin equal scikit-learn's to 1e-10",
    arguments: try Fixture<QualityCase>.load(
      "cluster_quality", from: .module))
  func quality(_ c: QualityCase) throws {
    let data = FeatureMatrix(rows: c.data)
    let silhouette = try ClusterQuality.silhouette(data, labels: c.labels, clusterCount: c.k)
    let daviesBouldin = try ClusterQuality.daviesBouldin(data, labels: c.labels, clusterCount: c.k)
    #expect(isClose(silhouette, c.silhouette, relativeTolerance: 1e-10, absoluteTolerance: 1e-12))
    #expect(isClose(daviesBouldin, c.daviesBouldin, relativeTolerance: 1e-10))
  }

  @Test(
    "k-means inertia is within 1% of scikit-learn's best of the same n_init",
    arguments: try Fixture<InertiaCase>
      .load("kmeans_inertia", from: .module))
  func inertia(_ c: InertiaCase) throws {
    let data = FeatureMatrix(rows: c.data)
    let result = try KMeans(clusterCount: c.k, restarts: c.nInit).fit(data, generator: try SeededGenerator(seed: 42))
    #expect(result.inertia <= c.inertia * 1.01, "ours \(result.inertia), scikit-learn \(c.inertia)")
    // The reported inertia is the sum of squared distances to the reported centroids.
    var check = 0.0
    for (i, label) in result.labels.enumerated() { check += data.squaredDistance(i, to: result.centroids, row: label) }
    #expect(isClose(check, result.inertia, relativeTolerance: 1e-12))
  }

  @Test("the honest split matches its published vectors (mmh3-checked)")
  func split() throws {
    let cases = try Fixture<SplitCase>.load("split-cases", from: .module)
    #expect(cases.count > 600)
    var discovery = 0
    for c in cases {
      let split = try HonestSplit(salt: c.salt)
      #expect(split.key(c.unit) == c.key)
      #expect(split.bucket(c.unit) == c.bucket, "\(c.key)")
      #expect(split.half(c.unit).rawValue == c.half, "\(c.key)")
      if c.half == "discovery" { discovery += 1 }
    }
    // Both halves are well represented (a binomial count this far from half would be a broken split).
    #expect(abs(Double(discovery) / Double(cases.count) - 0.5) < 0.1)
  }
}
