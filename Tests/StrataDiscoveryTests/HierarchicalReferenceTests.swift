import StrataDiscovery
import StrataStats
import StrataTestSupport
import Testing

struct WardCase: Decodable, CustomTestStringConvertible, Sendable {
  var name: String
  var data: [[Double]]
  var merges: [[Double]]
  var testDescription: String { name }
}

struct KPrototypesCase: Decodable, CustomTestStringConvertible, Sendable {
  var name: String
  var numeric: [[Double]]
  var categorical: [[String]]
  var k: Int
  var gamma: Double
  var nInit: Int
  var cost: Double
  var testDescription: String { name }
  enum CodingKeys: String, CodingKey {
    case name, numeric, categorical, k, gamma, cost
    case nInit = "n_init"
  }
}

@Suite("Ward against scipy's linkage; k-prototypes against the kmodes package")
struct HierarchicalReferenceTests {
  @Test(
    "Ward merges equal scipy's linkage(method='ward'): ids, heights (1e-10) and sizes",
    arguments: try Fixture<
      WardCase
    >.load("ward_linkage", from: .module))
  func ward(_ c: WardCase) {
    let merges = WardClustering.linkage(FeatureMatrix(rows: c.data))
    #expect(merges.count == c.merges.count)
    for (ours, theirs) in zip(merges, c.merges) {
      #expect(ours.first == Int(theirs[0]) && ours.second == Int(theirs[1]), "\(ours) vs \(theirs)")
      #expect(isClose(ours.height, theirs[2], relativeTolerance: 1e-10))
      #expect(ours.size == Int(theirs[3]))
    }
    let labels = WardClustering.labels(merges, count: c.data.count, clusterCount: 3)
    #expect(Set(labels) == [0, 1, 2] && labels[0] == 0)
  }

  @Test(
    "k-prototypes cost is no worse than the kmodes package's on the same data and γ",
    arguments: try Fixture<
      KPrototypesCase
    >.load("kprototypes", from: .module))
  func kPrototypes(_ c: KPrototypesCase) throws {
    let numeric = FeatureMatrix(rows: c.numeric)
    let categorical = CategoricalColumns(
      names: c.categorical.indices.map { "c\($0)" }, columns: c.categorical.map { $0.map { Optional($0) } },
      rows: Array(0..<c.numeric.count))
    #expect(isClose(KPrototypes.defaultGamma(numeric), c.gamma, relativeTolerance: 1e-9))
    let result = try KPrototypes(clusterCount: c.k, restarts: c.nInit, gamma: c.gamma).fit(
      numeric, categorical, generator: try SeededGenerator(seed: 3))
    #expect(result.cost <= c.cost * (1 + 1e-12), "ours \(result.cost), kmodes \(c.cost)")
  }
}
