import StrataAssignment
import Testing

/// Every variant with a positive weight owns a bucket, and an active one at a positive traffic (task hleft).
///
/// More than 10,000 variants, a weight under one ten-thousandth of the total, or a traffic too small for a variant's
/// range validated, and assignment by hash never gave that variant a unit. The layout itself is unchanged. A traffic
/// too small is refused by the initializer; a variant without buckets is reported by `variantWithoutBuckets()`, since
/// stratified assignment deals it by weight (the online paths refuse it, `validate` notes it).
@Suite("A variant with a positive weight gets a bucket")
struct BucketCoverageTests {
  static func variants(_ weights: [ExactDecimal]) -> [Variant] {
    weights.enumerated().map { Variant(key: "v\($0.offset)", weight: $0.element) }
  }

  static func decimal(_ text: String) -> ExactDecimal {
    guard let value = ExactDecimal(parsing: text) else { preconditionFailure("a decimal: \(text)") }
    return value
  }

  static func refusal(_ make: () throws(DefinitionError) -> Experiment) -> DefinitionError? {
    do {
      return try make().variantWithoutBuckets()
    } catch {
      return error
    }
  }

  @Test("a definition that leaves a weighted variant without buckets is refused, naming the field")
  func starvedVariantsAreRefused() {
    let cases: [(String, () throws(DefinitionError) -> Experiment, String, String)] = [
      (
        "10,001 variants",
        { () throws(DefinitionError) in
          try Experiment(id: "e", variants: Self.variants(Array(repeating: 1, count: 10_001)))
        },
        "variants",
        "10,001 variants with a positive weight cannot each get one of the 10,000 buckets, so assignment by hash would "
          + "never choose some of them; use at most 10,000 (stratified assignment deals them all)"
      ),
      (
        "a weight of 0.0001 beside 1",
        { () throws(DefinitionError) in
          try Experiment(id: "e", variants: Self.variants([Self.decimal("0.0001"), 1]))
        },
        "variants[0].weight",
        "0.0001 of a total weight of 1.0001 gives variant \"v0\" none of the 10,000 buckets (less than one in 10,000, "
          + "rounded down), so assignment by hash would never choose it; raise its weight, or make it 0 to leave the "
          + "variant out (stratified assignment deals it by weight)"
      ),
      (
        "a first variant of 1 beside 20,000 (the last one gets the rounding's leftover bucket)",
        { () throws(DefinitionError) in try Experiment(id: "e", variants: Self.variants([1, 0, 20_000])) },
        "variants[0].weight", "1 of a total weight of 20001 gives variant \"v0\" none"
      ),
      (
        "traffic 0.0002 over 3 equal variants",
        { () throws(DefinitionError) in
          try Experiment(id: "e", variants: Self.variants([1, 1, 1]), traffic: Self.decimal("0.0002"))
        },
        "traffic",
        "0.0002 leaves variant \"v0\" none of its 3333 buckets (rounded down), so assignment would give it no units; "
          + "use a traffic of at least 0.0004, or 0 to stop assignment"
      ),
      (
        "traffic 0.0099 with weights 1 and 99",
        { () throws(DefinitionError) in
          try Experiment(id: "e", variants: Self.variants([1, 99]), traffic: Self.decimal("0.0099"))
        },
        "traffic",
        "0.0099 leaves variant \"v0\" none of its 100 buckets (rounded down), so assignment would give it "
          + "no units; use a traffic of at least 0.01"
      ),
      (
        "a segment's weight",
        { () throws(DefinitionError) in
          try Experiment(
            id: "e", variants: Self.variants([1, 1]),
            segments: [
              Segment(name: "vip", rule: try? Rule("visits > 3"), weights: ["v1": 100_000]), Segment(name: "rest"),
            ])
        },
        "segments[0].weights", "1 of a total weight of 100001 gives variant \"v0\" none"
      ),
      (
        "a segment's traffic",
        { () throws(DefinitionError) in
          try Experiment(
            id: "e", variants: Self.variants([1, 3]),
            segments: [Segment(name: "all", traffic: Self.decimal("0.0003"))])
        },
        "segments[0].traffic", "0.0003 leaves variant \"v0\" none of its 2500 buckets"
      ),
    ]
    for (label, make, field, message) in cases {
      guard let error = Self.refusal(make) else {
        Issue.record("\(label): accepted")
        continue
      }
      #expect(error.field == field, "\(label): \(error)")
      #expect(error.message.hasPrefix(message), "\(label): \(error.message)")
    }
  }

  /// The least traffic a message names is enough ("traffic 0.0099 with weights 1 and 99": 0.01).
  @Test("the edges stay valid: 10,000 variants, one bucket of 10,000, a weight of 0, traffic 0 and the named least")
  func edgesAreValid() throws {
    let edges: [(String, () throws(DefinitionError) -> Experiment)] = [
      (
        "10,000 variants",
        { () throws(DefinitionError) in
          try Experiment(id: "e", variants: Self.variants(Array(repeating: 1, count: 10_000)))
        }
      ),
      (
        "0.0001 of 1",
        { () throws(DefinitionError) in
          try Experiment(id: "e", variants: Self.variants([Self.decimal("0.0001"), Self.decimal("0.9999")]))
        }
      ),
      ("a weight of 0", { () throws(DefinitionError) in try Experiment(id: "e", variants: Self.variants([0, 1, 1])) }),
      (
        "traffic 0",
        { () throws(DefinitionError) in try Experiment(id: "e", variants: Self.variants([1, 99]), traffic: 0) }
      ),
      (
        "traffic 0.0004 of 3",
        { () throws(DefinitionError) in
          try Experiment(id: "e", variants: Self.variants([1, 1, 1]), traffic: Self.decimal("0.0004"))
        }
      ),
      (
        "traffic 0.01 of 1:99",
        { () throws(DefinitionError) in
          try Experiment(id: "e", variants: Self.variants([1, 99]), traffic: Self.decimal("0.01"))
        }
      ),
    ]
    for (label, make) in edges {
      #expect(Self.refusal(make) == nil, "\(label)")
    }
    // 1:99 at 0.01: widths 100 and 9,900, active 1 and 99.
    let experiment = try Experiment(id: "e", variants: Self.variants([1, 99]), traffic: Self.decimal("0.01"))
    #expect(experiment.layouts[0].starts == [0, 100] && experiment.layouts[0].activeEnds == [1, 199])
  }
}
