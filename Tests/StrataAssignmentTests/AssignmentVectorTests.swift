import StrataAssignment
import Testing

@Suite("Assignment spec vectors (assignment-cases.json)")
struct AssignmentVectorTests {
  let file: VectorFile
  let experiments: [String: Experiment]

  init() throws {
    file = try VectorFile.load()
    experiments = try Dictionary(uniqueKeysWithValues: file.experiments.map { ($0.id, try $0.experiment()) })
  }

  @Test("the vectors are spec version 1")
  func specVersion() {
    #expect(file.specVersion == 1)
  }

  @Test("hashes and buckets match the published values (mmh3-checked), by both hash entry points")
  func hashes() {
    #expect(file.hashes.count > 10)
    for c in file.hashes {
      #expect(MurmurHash3.x86_32(c.key) == c.hash, "\(c.key)")
      var key = c.key
      let fast = key.withUTF8 { MurmurHash3.x86_32(buffer: UnsafeRawBufferPointer($0)) }
      #expect(fast == c.hash, "\(c.key)")
      #expect(Int(c.hash % 10_000) == c.bucket)
    }
  }

  @Test("online assignments match every vector: segment, variant, bucket, eligibility, reason")
  func onlineCases() throws {
    #expect(file.cases.count > 500)
    for c in file.cases {
      let experiment = try #require(experiments[c.experiment ?? ""])
      let result = experiment.assign(unit: c.unit, attributes: c.attributes.mapValues(\.value))
      #expect(result.expected == c.expected, "\(c.experiment ?? "") unit \(c.unit.debugDescription)")
    }
  }

  @Test("stratified batches match the vectors, in input order and reversed")
  func stratifiedCases() throws {
    for batch in file.stratified {
      let experiment = try #require(experiments[batch.experiment])
      let units = batch.units.map { ($0.unit, experiment.attributeSlots($0.attributes.mapValues(\.value))) }
      let results = try experiment.assignStratified(units)
      let reversed = Array(try experiment.assignStratified(units.reversed()).reversed())
      #expect(results.count == batch.expected.count)
      for (index, expected) in batch.expected.enumerated() where index < results.count {
        #expect(results[index].expected == expected, "\(batch.experiment) unit \(units[index].0)")
        #expect(reversed[index].expected == expected, "\(batch.experiment) reversed, unit \(units[index].0)")
      }
    }
  }
}
