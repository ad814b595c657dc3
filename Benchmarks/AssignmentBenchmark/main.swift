// Assignment throughput vs the bare MurmurHash3 loop (release mode):
//
//   swift run -c release assignment-benchmark          all loops, best of 7 interleaved rounds
//   swift run -c release assignment-benchmark N        loop N alone, 10 rounds (for valgrind --tool=callgrind)
//
// The "typical experiment" has 3 variants and 3 segment rules (plus the default segment). Units are
// pre-built, as an app holding its user's id and profile would have them, in two forms: short ids like
// `member-10000123` (15 bytes: a Swift `String` stores them inline) and UUID strings (36 bytes: stored
// out of line). For each form the bare loop hashes pre-built `salt:unit` keys into 10,000 buckets
// (`bareHashBuckets` in BareHash.swift: four never-inlined copies, the floor is the fastest): the least
// any assignment must pay. Times are the thread's CPU time over 1,000,000 units, best of 7 rounds;
// rounds interleave the loops, so a busy machine slows all of them alike. Every loop of an id set must
// compute the same buckets as its bare loop (checked).
import StrataAssignment

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// CPU time of this thread: on a shared machine, wall time also counts the time spent waiting for a core.
func threadCPUSeconds() -> Double {
  var time = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
  return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

let unitCount = 1_000_000
let rounds = 7

/// One set of unit ids, as `String`s and as the bare loop's pre-built `salt:unit` keys.
struct UnitIDs {
  let units: [String]
  /// The keys back to back; key `i` ends at `keyEnds[i]` and its unit id starts `prefixLength` bytes in.
  let keyBytes: [UInt8]
  let keyEnds: [Int]
  let prefixLength: Int

  init(_ units: [String], salt: String) {
    self.units = units
    var bytes: [UInt8] = []
    var ends: [Int] = []
    for unit in units {
      bytes += Array("\(salt):\(unit)".utf8)
      ends.append(bytes.count)
    }
    keyBytes = bytes
    keyEnds = ends
    prefixLength = salt.utf8.count + 1
  }
}

/// `count` lowercase version-4-shaped UUID strings from a fixed SplitMix64 sequence.
func uuidStrings(count: Int) -> [String] {
  var state: UInt64 = 0x5EED
  func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  let digits = Array("0123456789abcdef".utf8)
  return (0..<count).map { _ in
    let high = next()
    let low = next()
    var bytes: [UInt8] = []
    for index in 0..<32 {
      let word = index < 16 ? high : low
      bytes.append(digits[Int((word >> UInt64(4 * (index % 16))) & 0xF)])
      if [7, 11, 15, 19].contains(index) { bytes.append(UInt8(ascii: "-")) }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}

let holdoutAndLayer = "holdout + layer"

do {
  let experiment = try Experiment(
    id: "gym-renewal-2026",
    variants: [Variant(key: "control"), Variant(key: "reminder_progress"), Variant(key: "reminder_social")],
    segments: [
      Segment(name: "high", rule: try Rule("checkins_90d >= 24")),
      Segment(name: "medium", rule: try Rule("checkins_90d >= 8")),
      Segment(name: "new", rule: try Rule("membership_months < 3")),
      Segment(name: "low"),
    ])
  // The same experiment with a global holdout (5%) and in a layer (half the buckets), as email-subject.yaml has:
  // each unit also takes the holdout hash and, unless held out, the layer hash.
  let layered = try Experiment(
    id: experiment.id, variants: experiment.variants, layer: Layer(name: "renewal", buckets: 0..<5000),
    holdout: Holdout(salt: "global-holdout-2026", share: ExactDecimal(tenThousandths: 500)),
    segments: experiment.segments)
  var generator = SystemRandomNumberGenerator()
  let short = UnitIDs((0..<unitCount).map { "member-\(10_000_000 + $0)" }, salt: experiment.salt)
  let uuids = UnitIDs(uuidStrings(count: unitCount), salt: experiment.salt)
  // A pool of 4,096 profiles (an app has its user's profile at hand; 1M separate arrays would measure
  // cache misses, not assignment).
  let profileCount = 4096
  let attributes: [[AttributeValue?]] = (0..<profileCount).map { _ in
    experiment.attributeSlots([
      "checkins_90d": .number(Double(Int.random(in: 0..<60, using: &generator))),
      "membership_months": .number(Double(Int.random(in: 0..<48, using: &generator))),
    ])
  }
  // Units are taken in runs of `unitsPerProfile` sharing one profile array, as a caller holding a
  // user's profile would pass it (so the loops do not time the retain of an array fetched from an array).
  let unitsPerProfile = unitCount / profileCount + 1
  func runs(_ body: (Range<Int>, [AttributeValue?]) -> Void) {
    for (run, profile) in attributes.enumerated() {
      body(min(run * unitsPerProfile, unitCount)..<min((run + 1) * unitsPerProfile, unitCount), profile)
    }
  }

  func bareLoop<Copy: Placement>(_ ids: UnitIDs, _ copy: Copy.Type) -> Int {
    ids.keyBytes.withUnsafeBytes { bytes in
      ids.keyEnds.withUnsafeBufferPointer { bareHashBuckets(copy, keys: bytes, ends: $0) } &- Copy.tag
    }
  }
  func compactLoop(_ ids: UnitIDs) -> Int {
    var sum = 0
    runs { range, profile in
      for index in range {
        sum &+= experiment.assignCompact(unit: ids.units[index], attributes: profile).bucket ?? 0
      }
    }
    return sum
  }
  func compactBytesLoop(_ ids: UnitIDs) -> Int {
    var sum = 0
    ids.keyBytes.withUnsafeBytes { bytes in
      runs { range, profile in
        for index in range {
          let start = (index == 0 ? 0 : ids.keyEnds[index - 1]) + ids.prefixLength
          let unit = UnsafeRawBufferPointer(rebasing: bytes[start..<ids.keyEnds[index]])
          sum &+= experiment.assignCompact(unitUTF8: unit, attributes: profile).bucket ?? 0
        }
      }
    }
    return sum
  }
  // compactLoop and compactBytesLoop for `layered` (copies, so that the loops above stay as they were measured).
  func layeredLoop(_ ids: UnitIDs) -> Int {
    var sum = 0
    runs { range, profile in
      for index in range {
        sum &+= layered.assignCompact(unit: ids.units[index], attributes: profile).bucket ?? 0
      }
    }
    return sum
  }
  func layeredBytesLoop(_ ids: UnitIDs) -> Int {
    var sum = 0
    ids.keyBytes.withUnsafeBytes { bytes in
      runs { range, profile in
        for index in range {
          let start = (index == 0 ? 0 : ids.keyEnds[index - 1]) + ids.prefixLength
          let unit = UnsafeRawBufferPointer(rebasing: bytes[start..<ids.keyEnds[index]])
          sum &+= layered.assignCompact(unitUTF8: unit, attributes: profile).bucket ?? 0
        }
      }
    }
    return sum
  }
  func namedLoop() -> Int {
    var sum = 0
    runs { range, profile in
      for index in range {
        sum &+= experiment.assign(unit: short.units[index], attributes: profile).bucket ?? 0
      }
    }
    return sum
  }
  func segmentLoop() -> Int {
    var sum = 0
    runs { range, profile in
      for _ in range { sum &+= experiment.resolveSegment(profile) }
    }
    return sum
  }
  func variantHashLoop() -> Int {
    var sum = 0
    for unit in short.units { sum &+= Int(experiment.variantHash(unit: unit) % 10_000) }
    return sum
  }
  func variantHashBytesLoop() -> Int {
    var sum = 0
    short.keyBytes.withUnsafeBytes { bytes in
      var start = 0
      for end in short.keyEnds {
        let unit = UnsafeRawBufferPointer(rebasing: bytes[(start + short.prefixLength)..<end])
        sum &+= Int(experiment.variantHash(unitUTF8: unit) % 10_000)
        start = end
      }
    }
    return sum
  }
  /// A timed loop; `group` names the id set, whose bare loop (the fastest of its copies) it is compared
  /// with and whose buckets it must reproduce.
  struct Loop {
    let name: String
    let group: String
    let run: () -> Int
  }
  let copies: [(String, (UnitIDs) -> Int)] = [
    ("A", { bareLoop($0, CopyA.self) }), ("B", { bareLoop($0, CopyB.self) }),
    ("C", { bareLoop($0, CopyC.self) }), ("D", { bareLoop($0, CopyD.self) }),
  ]
  var loops: [Loop] = []
  for (label, ids) in [("short id", short), ("UUID", uuids)] {
    for (copy, body) in copies {
      let name = "bare MurmurHash3 (salt:unit -> bucket), \(label)s, copy \(copy)"
      loops.append(Loop(name: name, group: label, run: { body(ids) }))
    }
    loops.append(Loop(name: "assignCompact(unit:), \(label) String", group: label, run: { compactLoop(ids) }))
    loops.append(Loop(name: "assignCompact(unitUTF8:), \(label) bytes", group: label, run: { compactBytesLoop(ids) }))
  }
  loops.append(Loop(name: "assign(unit:) with names, short id String", group: "short id", run: namedLoop))
  loops.append(Loop(name: "segment resolution alone", group: "", run: segmentLoop))
  loops.append(Loop(name: "variant hash alone, short id String", group: "", run: variantHashLoop))
  loops.append(Loop(name: "variant hash alone, short id bytes", group: "", run: variantHashBytesLoop))
  // Not checked against the bare loop: held-out units and units outside the layer have no bucket.
  for (label, ids) in [("short id", short), ("UUID", uuids)] {
    loops.append(
      Loop(
        name: "assignCompact(unit:), \(label) String, \(holdoutAndLayer)", group: "",
        run: { layeredLoop(ids) }))
    loops.append(
      Loop(
        name: "assignCompact(unitUTF8:), \(label) bytes, \(holdoutAndLayer)", group: "",
        run: { layeredBytesLoop(ids) }))
  }

  if CommandLine.arguments.count > 1 {
    guard let only = Int(CommandLine.arguments[1]), loops.indices.contains(only) else {
      print("usage: assignment-benchmark [N]   run loop N alone, 10 rounds (for valgrind --tool=callgrind):")
      for (index, loop) in loops.enumerated() { print("  \(index)  \(loop.name)") }
      exit(1)
    }
    var sum = 0
    for _ in 0..<10 { sum &+= loops[only].run() }
    print("\(loops[only].name): checksum \(sum)")
  } else {
    var fastest = [Double](repeating: .infinity, count: loops.count)
    var checksums = [Int](repeating: 0, count: loops.count)
    for _ in 0..<rounds {
      for (index, loop) in loops.enumerated() {
        let start = threadCPUSeconds()
        checksums[index] = loop.run()
        fastest[index] = min(fastest[index], threadCPUSeconds() - start)
      }
    }
    // Every loop of a group computes the very buckets of that group's bare loop.
    for (index, loop) in loops.enumerated() where !loop.group.isEmpty {
      guard let bare = loops.firstIndex(where: { $0.group == loop.group }), checksums[index] == checksums[bare] else {
        fatalError("\(loop.name): checksum \(checksums[index]) differs from its bare loop's")
      }
    }
    /// Fixed decimals without Foundation or libm.
    func decimals(_ x: Double, _ places: Int) -> String {
      var scale = 1
      for _ in 0..<places { scale *= 10 }
      let scaled = Int(x * Double(scale) + 0.5)
      let fraction = String(scaled % scale)
      return "\(scaled / scale).\(String(repeating: "0", count: places - fraction.count))\(fraction)"
    }
    func nanoseconds(_ index: Int) -> Double { fastest[index] / Double(unitCount) * 1e9 }
    let width = loops.map(\.name.count).max() ?? 0
    for index in loops.indices {
      let name = loops[index].name
      let padding = String(repeating: " ", count: width - name.count)
      print("\(name)\(padding)  \(decimals(nanoseconds(index), 1)) ns  \(decimals(1e3 / nanoseconds(index), 1)) M/s")
    }
    print("ratio to the bare hash (its fastest copy; goal <= 1.5):")
    for group in ["short id", "UUID"] {
      let bare = loops.indices.filter { loops[$0].name.hasPrefix("bare") && loops[$0].group == group }
      let times = bare.map(nanoseconds)
      let floor = times.min() ?? .nan
      let slowest = times.max() ?? .nan
      print("  bare floor, \(group)s: \(decimals(floor, 1)) ns", terminator: "")
      print(" (copies \(decimals(floor, 1))-\(decimals(slowest, 1)) ns)")
      for index in loops.indices where loops[index].group == group && !loops[index].name.hasPrefix("bare") {
        print("  \(loops[index].name): \(decimals(nanoseconds(index) / floor, 2))")
      }
    }
    print("with a holdout and a layer, against the same loop without (same ids, same form):")
    for index in loops.indices where loops[index].name.hasSuffix(", \(holdoutAndLayer)") {
      let plainName = String(loops[index].name.dropLast(holdoutAndLayer.count + 2))
      guard let plain = loops.firstIndex(where: { $0.name == plainName }) else { continue }
      print("  \(loops[index].name): \(decimals(nanoseconds(index) / nanoseconds(plain), 2))")
    }
  }
} catch {
  print("benchmark setup failed: \(error)")
}
