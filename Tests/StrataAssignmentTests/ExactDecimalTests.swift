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
}
