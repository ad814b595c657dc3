import Foundation
import StrataAssignment
import StrataStats
import StrataTestSupport
import Testing

@testable import StrataDiscovery

/// The shortcuts taken for speed and memory must not change any result: each is compared with the plain way.
@Suite("Bounded Lloyd iterations, the silhouettes of several k at once, reading only the discovery half")
struct ExactShortcutsTests {
  /// Rows from `groups` planted groups in `columns` dimensions, overlapping enough that rows change cluster for
  /// several iterations, and a few repeated rows (ties).
  static func rows(count: Int, columns: Int, groups: Int, seed: UInt64) -> FeatureMatrix {
    var random = SplitMix64(seed: seed)
    let centres = (0..<groups).map { _ in (0..<columns).map { _ in Double.random(in: -3...3, using: &random) } }
    var values: [Double] = []
    for i in 0..<count {
      if i % 50 == 49 {
        values += values[0..<columns]  // a repeat of the first row
        continue
      }
      let centre = centres[Int.random(in: 0..<groups, using: &random)]
      values += centre.map { $0 + Double.random(in: -2...2, using: &random) }
    }
    return FeatureMatrix(rowCount: count, columnCount: columns, values: values)
  }

  @Test("k-means with Hamerly's bounds gives exactly the plain Lloyd result (labels, centroids, inertia)")
  func boundedEqualsPlain() throws {
    for (seed, columns, groups) in [(1, 2, 3), (2, 10, 5), (3, 4, 8), (4, 1, 2)] as [(UInt64, Int, Int)] {
      let data = Self.rows(count: 3_000, columns: columns, groups: groups, seed: seed)
      for k in [1, 2, 3, 5, 8, 12] {
        let kmeans = try KMeans(clusterCount: k, restarts: 3)
        let bounded = try kmeans.fit(data, generator: try SeededGenerator(seed: seed), bounded: true)
        let plain = try kmeans.fit(data, generator: try SeededGenerator(seed: seed), bounded: false)
        #expect(bounded == plain, "seed \(seed), d = \(columns), k = \(k)")
        #expect(plain.iterations > 1 || k == 1)
      }
    }
    // Far from the origin (large values, small distances between them) and with a tolerance of 0 (iterations run
    // until no label changes).
    var shifted = Self.rows(count: 2_000, columns: 3, groups: 4, seed: 9)
    for index in shifted.values.indices { shifted.values[index] += 1e6 }
    let kmeans = try KMeans(clusterCount: 4, restarts: 2, tolerance: 0)
    #expect(
      try kmeans.fit(shifted, generator: try SeededGenerator(seed: 5), bounded: true)
        == kmeans.fit(shifted, generator: try SeededGenerator(seed: 5), bounded: false))
  }

  @Test("the fitted labels and inertia are those of measuring every row against every final centre, one at a time")
  func blockedDistancesEqualScalar() throws {
    for (seed, columns, groups) in [(11, 10, 5), (12, 3, 4), (13, 7, 9)] as [(UInt64, Int, Int)] {
      let data = Self.rows(count: 2_500, columns: columns, groups: groups, seed: seed)
      for k in [1, 2, 3, 4, 5, 7, 8, 9, 13] {
        let fit = try KMeans(clusterCount: k, restarts: 2).fit(data, generator: try SeededGenerator(seed: seed))
        var labels = [Int](repeating: -1, count: data.rowCount)
        let plain = KMeans.assign(data, fit.centroids, &labels)
        #expect(labels == fit.labels, "seed \(seed), k = \(k)")
        #expect(plain.inertia.bitPattern == fit.inertia.bitPattern, "seed \(seed), k = \(k)")
      }
    }
  }

  @Test("audience cells read as the assignment spec's numbers, with strtod's value, and the same cells refused")
  func cellNumbers() {
    var random = SplitMix64(seed: 4)
    var cells = [
      "0", "-0", "12", "-3.5", "1e3", "1E-3", "2.5e+2", "007.250", "123456789012345", "1234567890123456",
      "0.1", "-0.30000000000000004", "9007199254740993", "1e22", "1e23", "4.9e-324", "1e-400", "1e400",
      ".5", "5.", "+1", "-", "", "1e", "1e+", "1.2.3", "--1", "1-2", "0x10", "inf", "nan", "1,5", "1.e5", "-.5",
    ]
    for _ in 0..<2_000 {
      let digits = Int.random(in: 1...19, using: &random)
      var text = Bool.random(using: &random) ? "-" : ""
      for position in 0..<digits {
        if position == Int.random(in: 1...max(1, digits - 1), using: &random) && position > 0 { text += "." }
        text += String(Int.random(in: 0...9, using: &random))
      }
      if Int.random(in: 0..<4, using: &random) == 0 { text += "e\(Int.random(in: -30...30, using: &random))" }
      cells.append(text)
    }
    for cell in cells {
      let bytes = Array(cell.utf8)
      let read = bytes.withUnsafeBufferPointer { AudienceReader.number($0[...]) }
      let spec = AttributeValue.parseNumber(bytes).flatMap { $0.isFinite ? $0 : nil }
      #expect(read?.bitPattern == spec?.bitPattern, "\(cell)")
    }
  }

  @Test("segment means taken from the file read again equal those from the values in memory, bit for bit")
  func meansFromFileAgain() throws {
    let directory = try makeTemporaryDirectory("strata-means")
    defer { try? FileManager.default.removeItem(at: directory) }
    var random = SplitMix64(seed: 21)
    var csv = "unit_id,a,b,c\n"
    for i in 0..<3_000 {
      let values = (0..<3).map { f -> String in
        if (i + f) % 89 == 0 { return "" }
        return String(format: "%.4f", Double.random(in: -50...50, using: &random) + Double(i % 3) * 40)
      }
      csv += "m\(i),\(values.joined(separator: ","))\n"
    }
    let input = directory.appendingPathComponent("audience.csv").path
    try csv.write(toFile: input, atomically: true, encoding: .utf8)
    for missing in [MissingValuePolicy.impute, .drop] {
      let options = try DiscoveryOptions(clusterCounts: 2...4, seed: 3, missing: missing, splitSalt: "means")
      let read = try AudienceReader.read(
        path: input, unitColumn: "unit_id", numeric: ["a", "b", "c"], categorical: [],
        discoveryHalf: try HonestSplit(salt: "means"))
      let inMemory = Audience(
        file: input, units: read.units, numericNames: read.numericNames, numeric: read.numeric)
      #expect(read.source != nil && inMemory.source == nil)
      var withoutIDs = try AudienceReader.read(
        path: input, unitColumn: "unit_id", numeric: ["a", "b", "c"], categorical: [],
        discoveryHalf: try HonestSplit(salt: "means"), keepUnitIDs: false)
      #expect(withoutIDs.units.isEmpty && withoutIDs.count == read.count)
      withoutIDs.discoveryOnlySalt = "means"
      let fromFile = try SegmentDiscovery.run(withoutIDs, options: options)
      var memoryHalf = inMemory
      memoryHalf.discoveryOnlySalt = "means"
      let fromMemory = try SegmentDiscovery.run(memoryHalf, options: options)
      #expect(fromFile.segments == fromMemory.segments && fromFile.candidates == fromMemory.candidates)
      #expect(fromFile.overallMeans.map(\.bitPattern) == fromMemory.overallMeans.map(\.bitPattern))
      #expect(fromFile.discoveryLabels == fromMemory.discoveryLabels && fromFile.discoveryUnits.isEmpty)
    }
    // A file changed after it was read is an error, not means from other values.
    let audience = try AudienceReader.read(
      path: input, unitColumn: "unit_id", numeric: ["a", "b", "c"], categorical: [],
      discoveryHalf: try HonestSplit(salt: "means"))
    try (csv + "late,1,2,3\n").write(toFile: input, atomically: false, encoding: .utf8)
    let options = try DiscoveryOptions(clusterCounts: 2...3, seed: 3, splitSalt: "means")
    #expect(throws: DiscoveryError.self) { try SegmentDiscovery.run(audience, options: options) }
  }

  @Test("the second read of the file stops at a short or long row with one sentence naming file, line and fields")
  func meansFromFileAgainCheckFieldCounts() throws {
    let directory = try makeTemporaryDirectory("strata-fields")
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("audience.csv").path
    for (rows, line, fields) in [("m1,1,2\nm2,3\nm3,5,6\n", 3, 2), ("m1,1,2\nm2,3,4\nm3,5,6,7\n", 4, 4)] {
      // The file as it is when read again (its identity taken now, as if it had been read unchanged before).
      try ("unit_id,a,b\n" + rows).write(toFile: input, atomically: false, encoding: .utf8)
      let identity = try #require(FileIdentity.of(input))
      let source = AudienceSource(path: input, identity: identity, kept: [0b111], records: 3)
      let error = #expect(throws: DiscoveryError.self) {
        try AudienceReader.featureSums(
          source, numeric: ["a", "b"], unitColumn: "unit_id", rows: RowSelection(nil, count: 3), labels: [0, 0, 0],
          rank: [0])
      }
      #expect(
        error?.description
          == "\(input):\(line): the row has \(fields) fields, the header has 3: the file changed while it was read; "
          + "run the command again")
    }
    // The header is read by the first read's lookup: a column gone is named, as a change between the two reads.
    try "unit_id,a\nm1,1\n".write(toFile: input, atomically: false, encoding: .utf8)
    let source = AudienceSource(path: input, identity: try #require(FileIdentity.of(input)), kept: [1], records: 1)
    let error = #expect(throws: DiscoveryError.self) {
      try AudienceReader.featureSums(
        source, numeric: ["a", "b"], unitColumn: "unit_id", rows: RowSelection(nil, count: 1), labels: [0], rank: [0])
    }
    #expect(error?.line == 1 && error?.field == "b")
    #expect(
      error?.description
        == "\(input):1: b: the file changed between its two reads: the first found column \"b\" (a feature given in "
        + "--features) in the header, the second finds the columns unit_id, a; run the command again once the file is "
        + "complete")
  }

  @Test("the silhouettes of several labellings at once equal each one's alone, bit for bit")
  func silhouettesTogether() throws {
    let data = Self.rows(count: 600, columns: 3, groups: 4, seed: 7)
    var labelings: [[Int]] = []
    var counts: [Int] = []
    for k in 2...6 {
      labelings.append(
        try KMeans(clusterCount: k, restarts: 1).fit(data, generator: try SeededGenerator(seed: 1)).labels)
      counts.append(k)
    }
    var random = SplitMix64(seed: 3)
    labelings.append((0..<600).map { _ in Int.random(in: 0..<3, using: &random) })
    counts.append(4)  // cluster 3 empty
    let together = try ClusterQuality.silhouettes(data, labelings: labelings, clusterCounts: counts)
    for (m, labels) in labelings.enumerated() {
      let alone = try ClusterQuality.silhouette(data, labels: labels, clusterCount: counts[m])
      #expect(together[m].bitPattern == alone.bitPattern, "labelling \(m)")
    }
  }

  @Test("reading only the discovery half keeps exactly its units and values, and still catches every repeated id")
  func discoveryHalfReader() throws {
    let directory = try makeTemporaryDirectory("strata-reader")
    defer { try? FileManager.default.removeItem(at: directory) }
    // 20,000 units (the id table grows several times), a missing value now and then, a blank line.
    var csv = "unit_id, a ,b\n"
    for i in 0..<20_000 {
      csv += "user-\(i * 7919 % 100_003),\(i % 97 == 0 ? "" : String(Double(i) / 8)),\(i % 13)\n"
      if i == 10 { csv += "\n" }
    }
    let input = directory.appendingPathComponent("audience.csv").path
    try csv.write(toFile: input, atomically: true, encoding: .utf8)
    let split = try HonestSplit(salt: "reader")
    let all = try AudienceReader.read(path: input, unitColumn: "unit_id", numeric: ["a", "b"], categorical: [])
    let half = try AudienceReader.read(
      path: input, unitColumn: "unit_id", numeric: ["a", "b"], categorical: [], discoveryHalf: split)
    let kept = all.units.indices.filter { split.half(all.units[$0]) == .discovery }
    #expect(all.count == 20_000 && all.totalCount == 20_000 && half.totalCount == 20_000)
    #expect(kept.count > 9_000 && kept.count < 11_000)
    #expect(half.units == kept.map { all.units[$0] })
    for f in 0..<2 {
      #expect(half.numeric[f].map(\.bitPattern) == kept.map { all.numeric[f][$0].bitPattern })
    }
    // The same discovery result either way.
    let options = try DiscoveryOptions(clusterCounts: 2...3, seed: 2, splitSalt: "reader")
    let fromAll = try SegmentDiscovery.run(all, options: options)
    let fromHalf = try SegmentDiscovery.run(half, options: options)
    #expect(fromAll.segments == fromHalf.segments && fromAll.candidates == fromHalf.candidates)
    #expect(fromHalf.audienceCount == 20_000 && fromHalf.discoveryCount == kept.count)

    // A repeated id is an error whichever half it falls in, naming the line of its first row.
    let confirmationUnit = all.units.first { split.half($0) == .confirmation } ?? ""
    let discoveryUnit = all.units.first { split.half($0) == .discovery } ?? ""
    for unit in [confirmationUnit, discoveryUnit] {
      let repeated = directory.appendingPathComponent("repeated.csv").path
      try (csv + "\(unit),1,2\n").write(toFile: repeated, atomically: true, encoding: .utf8)
      let firstLine = csv.split(separator: "\n", omittingEmptySubsequences: false).firstIndex {
        $0.hasPrefix("\(unit),")
      }.map { $0 + 1 }
      #expect(throws: DiscoveryError.self) {
        try AudienceReader.read(
          path: repeated, unitColumn: "unit_id", numeric: ["a", "b"], categorical: [], discoveryHalf: split)
      }
      do {
        _ = try AudienceReader.read(
          path: repeated, unitColumn: "unit_id", numeric: ["a", "b"], categorical: [], discoveryHalf: split)
      } catch {
        #expect("\(error)".contains("repeated.csv:20003: unit_id: unit \"\(unit)\" appears twice"), "\(error)")
        #expect("\(error)".contains("first on line \(firstLine ?? -1)"), "\(error)")
      }
    }
  }
}
