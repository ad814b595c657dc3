import StrataAssignment
import Testing

@Suite("Exact decimals and bucket layouts")
struct ExactDecimalTests {
  @Test("parses decimals exactly and rejects everything else")
  func parsing() {
    #expect(ExactDecimal(parsing: "0.5")?.tenThousandths == 5000)
    #expect(ExactDecimal(parsing: "33.3334")?.tenThousandths == 333_334)
    #expect(ExactDecimal(parsing: "7")?.tenThousandths == 70000)
    for bad in ["", ".", "-1", "0.12345", "1e3", "1,5", "1.2.3", "2000000"] {
      #expect(ExactDecimal(parsing: bad) == nil, "\(bad)")
    }
    #expect(ExactDecimal(parsing: "0.0500")?.description == "0.05")
  }

  @Test("layouts tile the buckets by cumulative weight and shrink each range from its start")
  func layout() {
    let full = BucketLayout(weights: [1, 1, 1], traffic: 10_000)
    #expect(full.starts == [0, 3333, 6666])
    #expect(full.activeEnds == [3333, 6666, 10_000])
    let half = BucketLayout(weights: [1, 1, 1], traffic: 5000)
    #expect(half.starts == full.starts)
    #expect(half.activeEnds == [1666, 4999, 8333])
    #expect(BucketLayout(weights: [50, 25, 25], traffic: 10_000).blockCounts == [2, 1, 1])
    #expect(BucketLayout(weights: [0, 10, 30], traffic: 10_000).blockCounts == [0, 1, 3])
    #expect(half.variant(forBucket: 1666) == nil)
    #expect(half.variant(forBucket: 6666) == 2)
  }

  /// Segments without weights or traffic of their own share the experiment's layout (made once); those with
  /// either get their own.
  @Test("each segment's layout: the experiment's, or its own weights and traffic")
  func segmentLayouts() throws {
    let experiment = try Experiment(
      id: "layouts", variants: [Variant(key: "a", weight: 1), Variant(key: "b", weight: 3), Variant(key: "c")],
      traffic: ExactDecimal(tenThousandths: 8000),
      segments: [
        Segment(name: "plain", rule: try Rule("x == 1")),
        Segment(name: "weighted", rule: try Rule("x == 2"), weights: ["c": ExactDecimal(tenThousandths: 0)]),
        Segment(name: "also_plain", rule: try Rule("x == 3")),
        Segment(name: "half", rule: try Rule("x == 4"), traffic: ExactDecimal(tenThousandths: 5000)),
      ])
    let shared = BucketLayout(weights: [10_000, 30_000, 10_000], traffic: 8000)
    #expect(
      experiment.layouts == [
        shared, BucketLayout(weights: [10_000, 30_000, 0], traffic: 8000), shared,
        BucketLayout(weights: [10_000, 30_000, 10_000], traffic: 5000), shared,
      ])
  }
}
