import StrataAssignment
import StrataTestSupport
import Testing

/// Properties of the spec over many random units (seeded, so every run checks the same units).
@Suite("Assignment properties")
struct AssignmentPropertyTests {
  static func randomUnit(_ generator: inout SplitMix64) -> String {
    let length = Int(generator.next() % 24)
    let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789-_é☕🏋️")
    return String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
  }

  static func experiment(
    id: String, traffic: ExactDecimal = 1, layer: Layer? = nil, holdout: Holdout? = nil, consent: String? = nil
  ) throws -> Experiment {
    try Experiment(
      id: id, variants: [Variant(key: "control"), Variant(key: "a"), Variant(key: "b", weight: 2)],
      traffic: traffic, layer: layer, holdout: holdout, consent: consent,
      segments: [Segment(name: "high", rule: try Rule("score >= 50")), Segment(name: "low")])
  }

  @Test("experiments in one layer with disjoint ranges never share a unit")
  func layersAreExclusive() throws {
    let ranges = [0..<3000, 3000..<3500, 3500..<10_000]
    let experiments = try ranges.enumerated().map { index, range in
      try Self.experiment(id: "exp\(index)", layer: Layer(name: "homepage", buckets: range))
    }
    var generator = SplitMix64(seed: 1)
    var inExperiment = [0, 0, 0]
    for index in 0..<20_000 {
      let unit = "\(index)" + Self.randomUnit(&generator)
      let assigned = experiments.map { $0.assign(unit: unit, attributes: ["score": .number(70)]).eligible }
      #expect(assigned.filter { $0 }.count == 1, "unit \(unit) is in \(assigned.filter { $0 }.count) experiments")
      for (index, flag) in assigned.enumerated() where flag { inExperiment[index] += 1 }
    }
    // Each experiment got roughly its share of the layer (binomial sd ≈ 65 units on 20,000).
    #expect(
      abs(inExperiment[0] - 6000) < 400 && abs(inExperiment[1] - 1000) < 250 && abs(inExperiment[2] - 13000) < 400,
      "\(inExperiment)")
  }

  @Test("held-out units get no variant in any experiment sharing the holdout, and the share is right")
  func holdoutsHoldOut() throws {
    let holdout = Holdout(salt: "global-2026", share: ExactDecimal(parsing: "0.05") ?? 0)
    let first = try Self.experiment(id: "first", holdout: holdout)
    let second = try Self.experiment(id: "second", traffic: ExactDecimal(parsing: "0.5") ?? 0, holdout: holdout)
    var generator = SplitMix64(seed: 2)
    var heldOut = 0
    let count = 40_000
    for index in 0..<count {
      let unit = "member-\(index)-\(generator.next() % 1000)"
      let a = first.assign(unit: unit, attributes: ["score": .number(10)])
      let b = second.assign(unit: unit, attributes: ["score": .number(10)])
      #expect((a.reason == .holdout) == (b.reason == .holdout))
      if a.reason == .holdout {
        heldOut += 1
        #expect(a.variant == nil && b.variant == nil && !a.eligible)
      }
    }
    // 5% of 40,000 = 2000, sd ≈ 44.
    #expect(abs(heldOut - 2000) < 200)
  }

  @Test("a unit without consent is never assigned, whatever else it has")
  func consentIsNeverViolated() throws {
    let experiment = try Self.experiment(id: "consent", consent: "email_opt_in")
    var generator = SplitMix64(seed: 3)
    let values: [AttributeValue?] = [
      nil, "false", "0", "no", "", "TRUE", "true", "1", .bool(true), .bool(false), .number(1),
    ]
    for _ in 0..<20_000 {
      let unit = Self.randomUnit(&generator)
      let consent = values[Int(generator.next() % UInt64(values.count))]
      var attributes: [String: AttributeValue] = ["score": .number(Double(generator.next() % 100))]
      if let consent { attributes["email_opt_in"] = consent }
      let result = experiment.assign(unit: unit, attributes: attributes)
      let consented = consent?.boolValue == true
      if !consented {
        #expect(result.reason == .noConsent && result.variant == nil && result.bucket == nil && result.segment == nil)
      } else {
        #expect(result.eligible)
      }
    }
  }

  @Test("a stratified batch never deals a variant to a unit without consent")
  func stratifiedConsent() throws {
    let experiment = try Self.experiment(id: "consent-batch", consent: "sms_opt_in")
    var generator = SplitMix64(seed: 7)
    let values: [AttributeValue?] = [nil, "false", "true", "TRUE", "0", "1", "maybe"]
    let units: [(unit: String, attributes: [AttributeValue?])] = (0..<3000).map { index in
      let consent = values[Int(generator.next() % UInt64(values.count))]
      return (
        "u\(index)",
        experiment.attributeSlots(
          ["sms_opt_in": consent, "score": .number(Double(index % 100))].compactMapValues { $0 })
      )
    }
    let results = try experiment.assignStratified(units)
    for (unit, result) in zip(units, results) {
      let consented = unit.attributes[experiment.attributeNames.firstIndex(of: "sms_opt_in") ?? 0]?.boolValue == true
      #expect(consented == (result.reason == .stratified), "\(unit.unit)")
      if !consented { #expect(result.variant == nil && result.reason == .noConsent) }
    }
  }

  @Test("raising traffic never moves an assigned unit; it only adds units")
  func rampingTrafficKeepsAssignments() throws {
    let levels = ["0.01", "0.1", "0.25", "0.5", "0.9", "1"].compactMap { ExactDecimal(parsing: $0) }
    let experiments = try levels.map { try Self.experiment(id: "ramp", traffic: $0) }
    var generator = SplitMix64(seed: 4)
    for _ in 0..<10_000 {
      let unit = Self.randomUnit(&generator)
      let attributes: [String: AttributeValue] = ["score": .number(Double(generator.next() % 100))]
      var previous: Assignment?
      for experiment in experiments {
        let result = experiment.assign(unit: unit, attributes: attributes)
        #expect(result.bucket == experiments[0].assign(unit: unit, attributes: attributes).bucket)
        if let variant = previous?.variant { #expect(result.variant == variant, "unit \(unit) moved") }
        previous = result
      }
      #expect(previous?.eligible == true)
    }
  }

  @Test("assignments are stable: the same unit gets the same answer every time and from every entry point")
  func stable() throws {
    let experiment = try Self.experiment(id: "stable")
    var generator = SplitMix64(seed: 5)
    for _ in 0..<2000 {
      let unit = Self.randomUnit(&generator)
      let first = experiment.assign(unit: unit, attributes: ["score": "60"])
      #expect(experiment.assign(unit: unit, attributes: ["score": "60"]) == first)
      var bytes = Array(unit.utf8)
      let viaBytes = bytes.withUnsafeMutableBytes {
        experiment.assign(unitUTF8: UnsafeRawBufferPointer($0), attributes: experiment.attributeSlots(["score": "60"]))
      }
      #expect(viaBytes == first)
      let expectedBucket = Int(MurmurHash3.x86_32("stable:" + unit) % 10_000)
      #expect(first.bucket == expectedBucket)
    }
  }

  @Test("stratified batches: each variant within one block of its target per segment, whatever the order")
  func stratifiedBalance() throws {
    let experiment = try Self.experiment(id: "strat", traffic: ExactDecimal(parsing: "0.8") ?? 0)
    var generator = SplitMix64(seed: 6)
    let units: [(unit: String, attributes: [AttributeValue?])] = (0..<5000).map { index in
      ("u\(index)-\(generator.next() % 100_000)", [AttributeValue.number(Double(generator.next() % 100))])
    }
    let results = try experiment.assignStratified(units)
    var shuffled = Array(units.indices)
    shuffled.shuffle(using: &generator)
    let reordered = try experiment.assignStratified(shuffled.map { units[$0] })
    for (position, original) in shuffled.enumerated() { #expect(reordered[position] == results[original]) }
    for segment in experiment.segmentNames {
      let dealt = results.filter { $0.segment == segment && $0.reason == .stratified }
      let counts = (0..<3).map { variant in dealt.filter { $0.variantIndex == variant }.count }
      let targets = [0.25, 0.25, 0.5].map { $0 * Double(dealt.count) }
      for variant in 0..<3 { #expect(abs(Double(counts[variant]) - targets[variant]) <= 4, "\(segment) \(counts)") }
      #expect(results.filter { $0.segment == segment && $0.reason == .traffic }.count > 0)
    }
    #expect(throws: DuplicateUnitError.self) { try experiment.assignStratified([units[0], units[1], units[0]]) }
    // Canonically equivalent but different bytes: two units, as the spec says (no normalization).
    let accents = try experiment.assignStratified([("\u{E9}", [.number(60)]), ("e\u{301}", [.number(60)])])
    #expect(accents.count == 2)
  }
}
