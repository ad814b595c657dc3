@testable import StrataAssignment
import StrataTestSupport
import Testing

/// The assignment hot path finishes a prefix's hash state from registers
/// (`MurmurHash3.State.finalize(appending:)`) and reads a `String`'s bytes in place: both must give the
/// published hash, bit for bit, for every prefix length, unit length, alignment and kind of string.
@Suite("MurmurHash3 fast paths equal the reference hash")
struct MurmurHash3FastPathTests {
  static func randomBytes(_ count: Int, _ generator: inout SplitMix64) -> [UInt8] {
    (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
  }

  @Test("finalize(appending:) after a prefix of 0–11 bytes equals the one-shot hash, units of 0–300 bytes")
  func finalizeAppendingMatchesOneShot() {
    var generator = SplitMix64(seed: 2026)
    for prefixLength in 0...11 {  // every pending count 0–3, with 0–2 blocks already mixed
      for unitLength in 0...300 {
        let prefix = MurmurHash3FastPathTests.randomBytes(prefixLength, &generator)
        let unit = MurmurHash3FastPathTests.randomBytes(unitLength, &generator)
        let expected = MurmurHash3.x86_32(prefix + unit)
        var state = MurmurHash3.State()
        prefix.withUnsafeBytes { state.combine($0) }
        let fast = unit.withUnsafeBytes { state.finalize(appending: $0) }
        #expect(fast == expected, "prefix \(prefixLength) unit \(unitLength)")
      }
    }
  }

  @Test("finalize(appending:) reads unaligned pieces correctly: the unit at every offset 0–7 of a buffer")
  func finalizeAppendingUnaligned() {
    var generator = SplitMix64(seed: 7)
    for _ in 0..<200 {
      let prefix = MurmurHash3FastPathTests.randomBytes(Int(generator.next() % 20), &generator)
      let unitLength = Int(generator.next() % 64)
      let padded = MurmurHash3FastPathTests.randomBytes(unitLength + 8, &generator)
      var state = MurmurHash3.State()
      prefix.withUnsafeBytes { state.combine($0) }
      for offset in 0..<8 {
        let unit = Array(padded[offset..<(offset + unitLength)])
        let fast = padded.withUnsafeBytes {
          state.finalize(appending: UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + unitLength)]))
        }
        #expect(fast == MurmurHash3.x86_32(prefix + unit), "offset \(offset) length \(unitLength)")
        // The state itself is not changed by finalize(appending:).
        #expect(state.finalize() == MurmurHash3.x86_32(prefix))
      }
    }
  }

  @Test(
    "a unit id's variant hash is the same from a String (small, large, non-ASCII, from a Substring) and from its bytes")
  func stringAndBytePathsAgree() throws {
    let experiment = try Experiment(
      id: "gym-renewal-2026",
      variants: [Variant(key: "control"), Variant(key: "reminder_progress"), Variant(key: "reminder_social")],
      segments: [Segment(name: "high", rule: try Rule("checkins_90d >= 24")), Segment(name: "low")])
    var generator = SplitMix64(seed: 11)
    var units = ["", "a", "member-10000123", "member-100001234", "Zoë", "é", "e\u{301}", "🏋️‍♀️ gym", "会员-42"]
    // Random ids of 0–40 scalars (ASCII, Latin, CJK, emoji), so both small (≤ 15 UTF-8 bytes, stored
    // inline) and heap-allocated strings occur.
    let scalars: [ClosedRange<UInt32>] = [0x20...0x7E, 0xC0...0x17F, 0x4E00...0x4FFF, 0x1F300...0x1F5FF]
    for _ in 0..<500 {
      var text = ""
      for _ in 0..<Int(generator.next() % 41) {
        let range = scalars[Int(generator.next() % 4)]
        let value = range.lowerBound + UInt32(generator.next() % UInt64(range.count))
        text.unicodeScalars.append(Unicode.Scalar(value)!)
      }
      units.append(text)
    }
    let profile = experiment.attributeSlots(["checkins_90d": 30])
    for unit in units {
      let reference = MurmurHash3.x86_32(Array((experiment.salt + ":" + unit).utf8))
      let fromSubstring = String(("<" + unit + ">").dropFirst().dropLast())
      let bytes = Array(unit.utf8)
      let fromBytes = bytes.withUnsafeBytes { experiment.variantHash(unitUTF8: $0) }
      #expect(experiment.variantHash(unit: unit) == reference, "\(unit)")
      #expect(experiment.variantHash(unit: fromSubstring) == reference, "\(unit)")
      #expect(fromBytes == reference, "\(unit)")
      let compact = bytes.withUnsafeBytes { experiment.assignCompact(unitUTF8: $0, attributes: profile) }
      #expect(experiment.assignCompact(unit: unit, attributes: profile) == compact, "\(unit)")
      // Each way of reading a `String`, called directly: the inline small-string words, the bytes in
      // place (also for small strings when the inline read is switched off), and the out-of-line copy
      // for non-contiguous (bridged) strings, which Linux never produces.
      let state = experiment.engine.variantState
      #expect(StringUnit(unit, readsSmallStrings: true).hash(after: state) == reference, "\(unit)")
      #expect(StringUnit(unit, readsSmallStrings: false).hash(after: state) == reference, "\(unit)")
      #expect(StringUnit(unit, readsSmallStrings: true).outOfLineHash(after: state) == reference, "\(unit)")
      #expect(compact.bucket == Int(reference % 10_000), "\(unit)")
    }
  }

  static func randomUnits(_ count: Int, seed: UInt64) -> [String] {
    var generator = SplitMix64(seed: seed)
    let scalars: [ClosedRange<UInt32>] = [0x20...0x7E, 0xC0...0x17F, 0x4E00...0x4FFF, 0x1F300...0x1F5FF]
    var units = ["", "a", "member-10000123", "member-100001234", "é", "🏋️‍♀️", "ünït-1234567890"]
    for _ in 0..<count {
      var text = ""
      for _ in 0..<Int(generator.next() % 24) {
        let range = scalars[Int(generator.next() % 4)]
        if let scalar = Unicode.Scalar(range.lowerBound + UInt32(generator.next() % UInt64(range.count))) {
          text.unicodeScalars.append(scalar)
        }
      }
      units.append(text)
    }
    return units
  }

  @Test("small strings are read from the String value itself: the layout check passes and every read is exact")
  func smallStringWords() {
    #if _endian(little) && _pointerBitWidth(_64)
      #expect(SmallUTF8.layoutVerified)
    #endif
    let units = Self.randomUnits(2000, seed: 5) + (0...20).map { String(repeating: "ß", count: $0) }
    for unit in units {
      let bytes = Array(unit.utf8)
      guard let small = SmallUTF8(unit) else {
        // Only ids longer than 15 bytes live outside the String value.
        #expect(bytes.count > 15 || !SmallUTF8.layoutVerified, "\(unit)")
        continue
      }
      #expect(bytes.count <= 15, "\(unit)")
      #expect(small.count == bytes.count && small.bytes == bytes, "\(unit)")
    }
  }

  @Test("finalize from two words (the small-string path) equals the one-shot hash, prefixes of 0–11 bytes, ids of 0–15")
  func finalizeFromWordsMatchesOneShot() {
    var generator = SplitMix64(seed: 31)
    for prefixLength in 0...11 {
      for count in 0...15 {
        for _ in 0..<8 {
          let prefix = MurmurHash3FastPathTests.randomBytes(prefixLength, &generator)
          let unit = MurmurHash3FastPathTests.randomBytes(count, &generator)
          var low: UInt64 = 0
          var high: UInt64 = 0
          for (index, byte) in unit.enumerated() {
            if index < 8 {
              low |= UInt64(byte) << UInt64(8 * index)
            } else {
              high |= UInt64(byte) << UInt64(8 * (index - 8))
            }
          }
          var state = MurmurHash3.State()
          prefix.withUnsafeBytes { state.combine($0) }
          let fast = state.finalize(appendingLow: low, high: high, count: count, pending: state.tailCount)
          #expect(fast == MurmurHash3.x86_32(prefix + unit), "prefix \(prefixLength) id \(count)")
        }
      }
    }
  }

  @Test("with consent, eligibility, a holdout and a layer, a String id and its bytes get the same assignment")
  func stringAndBytePathsAgreeOnEveryRule() throws {
    let experiment = try Experiment(
      id: "weekend-warriors", unit: "user_id", salt: "ww-2026",
      variants: [Variant(key: "control"), Variant(key: "streak")],
      layer: Layer(name: "onboarding", buckets: 2000..<9000),
      holdout: Holdout(salt: "global-2026", share: ExactDecimal(parsing: "0.1") ?? 0),
      eligibility: try Rule("age >= 18"), consent: "marketing_ok",
      segments: [Segment(name: "weekend", rule: try Rule("weekend_share > 0.6")), Segment(name: "other")])
    var reasons: [AssignmentReason: Int] = [:]
    for (index, unit) in Self.randomUnits(3000, seed: 17).enumerated() {
      let profile = experiment.attributeSlots([
        "marketing_ok": .bool(index % 13 != 0), "age": .number(Double(14 + index % 50)),
        "weekend_share": .number(Double(index % 10) / 10),
      ])
      let fromBytes = Array(unit.utf8).withUnsafeBytes { experiment.assignCompact(unitUTF8: $0, attributes: profile) }
      let fromString = experiment.assignCompact(unit: unit, attributes: profile)
      #expect(fromString == fromBytes, "\(unit)")
      reasons[fromString.reason, default: 0] += 1
    }
    // Every exclusion occurs, so every path was compared.
    for reason in [AssignmentReason.assigned, .noConsent, .notEligible, .holdout, .layer] {
      #expect(reasons[reason, default: 0] > 0, "\(reason)")
    }
  }
}
