import Foundation
import StrataTestSupport
import Testing

@testable import StrataAnalysis

/// The one-pass row (`UnitLevelRows.consumeFast`) with the names and line ends real files have: names of any length
/// and number (the wide table, `ByteNameTable.wideIndex` and `longIndex`), CRLF line ends, against the usual path.
@Suite("The one-pass row with names of any length and CRLF line ends")
struct FastRowsNamesTests {
  /// Name lengths around the tables' words (8, 16, 24 bytes) and beyond.
  static let lengths = [1, 7, 8, 9, 15, 16, 17, 24, 25, 40, 64, 65]
  /// Name counts around the short table's and the linear compare's limits.
  static let counts = [1, 2, 5, 8, 9, 32, 33, 2_000]
  static let digits = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)

  /// `count` names of exactly `length` bytes that share everything but their last bytes (`seg-1230` to `seg-1239`
  /// style: the stem, then the name's number in base 36, as few digits as the count needs); nil when they do not fit.
  static func names(count: Int, length: Int, stem: String = "high-engagement-gym-members-renewal-due-tier-")
    -> [String]?
  {
    var places = 1
    var room = digits.count
    while room < count {
      places += 1
      room *= digits.count
    }
    guard places <= length else { return nil }
    let prefix = (0..<(length - places)).map { Array(stem.utf8)[$0 % stem.utf8.count] }
    return (0..<count).map { index in
      var number = index
      var tail = [UInt8](repeating: 0, count: places)
      for place in (0..<places).reversed() {
        tail[place] = digits[number % digits.count]
        number /= digits.count
      }
      return String(decoding: prefix + tail, as: UTF8.self)
    }
  }

  /// Fields close to `name` that are no name of `names`: its last byte changed to another that no name there ends
  /// with at that length, a byte more, a byte less, its first byte changed.
  static func strangers(of name: String, in names: Set<String>) -> [String] {
    let bytes = Array(name.utf8)
    var fields: [[UInt8]] = [
      bytes + [UInt8(ascii: "z")], Array(bytes.dropLast()), [UInt8(ascii: "Q")] + bytes.dropFirst(),
    ]
    for last in [UInt8(ascii: "~"), UInt8(ascii: "Z"), UInt8(ascii: "_")] { fields.append(bytes.dropLast() + [last]) }
    return fields.map { String(decoding: $0, as: UTF8.self) }.filter { !$0.isEmpty && !names.contains($0) }
  }

  static let header = ["unit_id", "variant", "note", "segment", "converted", "revenue"]

  /// `names` as the variants (`asVariants`) or the segments of a plan, the other column's names short.
  static func plan(_ names: [String], asVariants: Bool) -> AnalysisPlan {
    AnalysisPlan(
      id: "names", variants: asVariants ? names : ["control", "v1"], segments: asVariants ? ["s1", "s2"] : names,
      metrics: FastRowsTests.plan.metrics)
  }

  @Test(
    "every name of every length and count is taken into its own cell, LF or CRLF, and its close strangers are left to the usual path",
    arguments: lengths)
  func takesNamesOfEveryLengthAndCount(length: Int) throws {
    for count in Self.counts {
      guard let names = Self.names(count: count, length: length) else { continue }
      let known = Set(names)
      // All of them up to 33 names, a sample of 2,000 (each check builds a reader and its tables).
      let checked = count <= 33 ? Array(names.indices) : Array(stride(from: 0, to: count, by: 97)) + [count - 1]
      for asVariants in [false, true] {
        let plan = Self.plan(names, asVariants: asVariants)
        for index in checked {
          let name = names[index]
          for lineEnd in ["\n", "\r\n"] {
            let row = asVariants ? "u1,\(name),n,s2,1,2.5\(lineEnd)" : "u1,v1,n,\(name),1,2.5\(lineEnd)"
            let result = try FastRowsTests.fast(row, header: Self.header, plan: plan)
            let cell = asVariants ? (index, 1) : (1, index)
            #expect(
              result.taken && result.used == 1 && result.cell?.variant == cell.0 && result.cell?.segment == cell.1,
              "\(count) names of \(length) bytes: \(row.debugDescription)")
          }
          // The name as the row's last field, before either line end.
          let lastName = ["unit_id", "converted", "revenue", "note", asVariants ? "segment" : "variant"]
          let last = asVariants ? "variant" : "segment"
          for lineEnd in ["\n", "\r\n"] {
            let row = (asVariants ? "u1,1,2.5,n,s2," : "u1,1,2.5,n,v1,") + name + lineEnd
            let result = try FastRowsTests.fast(row, header: lastName + [last], plan: plan)
            #expect(result.taken && result.used == 1, "last: \(row.debugDescription)")
          }
          // (One segment: every row belongs to it, whatever its segment field holds.)
          guard asVariants || count > 1 else { continue }
          for stranger in Self.strangers(of: name, in: known) where index % 7 == 0 || count <= 9 {
            let row = asVariants ? "u1,\(stranger),n,s2,1,2.5\n" : "u1,v1,n,\(stranger),1,2.5\n"
            let result = try FastRowsTests.fast(row, header: Self.header, plan: plan)
            #expect(!result.taken && result.used == 0, "\(row.debugDescription)")
          }
          // A carriage return anywhere but before the line feed, spaces around the name in a record without quotes,
          // a doubled quote: not taken; the name quoted, with spaces around it or not: taken into its cell, as the
          // usual path takes it.
          for odd in [name + "\r", "\r" + name, " " + name, name + " ", "\"\(name)\"\"\""] where index % 11 == 0 {
            let row = asVariants ? "u1,\(odd),n,s2,1,2.5\r\n" : "u1,v1,n,\(odd),1,2.5\r\n"
            let result = try FastRowsTests.fast(row, header: Self.header, plan: plan)
            #expect(!result.taken && result.used == 0, "\(row.debugDescription)")
          }
          for spaced in ["\"\(name)\"", "\" \(name)\"", "\"\(name)  \""] where index % 11 == 0 {
            let row = asVariants ? "u1,\(spaced),n,s2,1,2.5\r\n" : "u1,v1,n,\(spaced),1,2.5\r\n"
            let result = try FastRowsTests.fast(row, header: Self.header, plan: plan)
            let cell = asVariants ? (index, 1) : (1, index)
            #expect(
              result.taken && result.used == 1 && result.cell?.variant == cell.0 && result.cell?.segment == cell.1,
              "\(row.debugDescription)")
          }
        }
      }
    }
  }

  /// Names of every length whose words past the second differ only in one byte, and 20-byte names that differ only in
  /// their last byte: the wide table's key folds in every word (`ByteNameTable.tailHash`), so each is found.
  @Test func longNamesThatShareAllButOneByteAreTold() throws {
    var names: [String] = []
    for length in [17, 20, 24, 25, 33, 40, 64, 65] {
      let stem = String(repeating: "n", count: length - 1)
      names += (0..<10).map { "\(stem)\($0)" }
      // The byte that differs in the middle of a later word.
      if length > 20 {
        names += (0..<5).map { stem.prefix(18) + "\($0)" + stem.dropFirst(19) + "x" }
      }
    }
    names += (1230...1239).map { "segment-of-twenty-\($0 - 1230)-" }.map { String($0.prefix(20)) }
    names = Array(Set(names)).sorted()
    let table = ByteNameTable(names)
    #expect(table.hasWideTable && !table.hasShortTable)
    for (index, name) in names.enumerated() {
      var bytes = Array(name.utf8) + [UInt8](repeating: UInt8(ascii: ","), count: 16)
      let found = bytes.withUnsafeMutableBytes { table.longIndex($0.baseAddress!, name.utf8.count) }
      #expect(found == index, "\(name)")
      let row = "u1,v1,n,\(name),1,2.5\r\n"
      let result = try FastRowsTests.fast(row, header: Self.header, plan: Self.plan(names, asVariants: false))
      #expect(result.taken && result.cell?.segment == index, "\(row.debugDescription)")
    }
    for stranger in names.flatMap({ Self.strangers(of: $0, in: Set(names)) }) {
      var bytes = Array(stranger.utf8) + [UInt8](repeating: UInt8(ascii: ","), count: 16)
      let found = bytes.withUnsafeMutableBytes { table.longIndex($0.baseAddress!, stranger.utf8.count) }
      #expect(found == -1, "\(stranger)")
    }
  }

  /// Rows of `names`' segments (and a few strangers, quoted names and odd carriage returns), LF and CRLF line ends
  /// mixed, lines of CRLF alone and CRLF files from the header on among them.
  static func text(names: [String], rows: Int, seed: UInt64, crlf: Double) -> String {
    var random = SplitMix64(seed: seed)
    let unknown = names.prefix(3).flatMap { Self.strangers(of: $0, in: Set(names)) }
    var text = "unit_id,variant,note,segment,converted,revenue" + (crlf > 0.5 ? "\r\n" : "\n")
    for index in 0..<rows {
      let roll = Int.random(in: 0..<100, using: &random)
      var segment = names[Int.random(in: 0..<names.count, using: &random)]
      let variant = ["control", "v1"][Int.random(in: 0..<2, using: &random)]
      let converted = Bool.random(using: &random) ? "1" : "0"
      var revenue = String(format: "%.2f", Double.random(in: 0...900, using: &random))
      var note = ""
      let lineEnd = Double.random(in: 0..<1, using: &random) < crlf ? "\r\n" : "\n"
      switch roll {
      case 0: segment = unknown.isEmpty ? "x" : unknown[Int.random(in: 0..<unknown.count, using: &random)]
      case 1: segment = "\"\(segment)\""
      case 2: note = "a\rb"
      case 3: segment += "\r"
      case 4: revenue = ""
      case 5: revenue += "\r"
      case 6:
        text += "\r\n"
        continue
      default: break
      }
      text += "u\(index),\(variant),\(note),\(segment),\(converted),\(revenue)\(lineEnd)"
    }
    return text
  }

  @Test(
    "a file of such names and line ends read on the one-pass path gives the row-by-row read's summary bit for bit: 1 and 2 threads, from a file and from a pipe",
    arguments: [(9, 3), (16, 5), (17, 2), (25, 9), (40, 33), (65, 5), (9, 2_000), (24, 2_000)], [0.0, 0.5, 1.0])
  func fileMatchesRowByRow(shape: (length: Int, count: Int), crlf: Double) throws {
    let names = try #require(Self.names(count: shape.count, length: shape.length))
    let plan = Self.plan(names, asVariants: false)
    let text = Self.text(names: names, rows: 4_000, seed: UInt64(shape.length * 10_000 + shape.count), crlf: crlf)
    let path = try CellSourcesTests.write(text)
    for threads in [1, 2] {
      for chunkSize in [4096, 1 << 23] {
        let label =
          "\(shape.count) names of \(shape.length) bytes, CRLF \(crlf), \(threads) threads, chunk \(chunkSize)"
        let options = PipeChunksTests.options(chunkSize: chunkSize, threads: threads, spooled: false)
        let rows = try PipeChunksTests.readPiped(text, plan: plan, options: options)
        let file = try DataReader.read(paths: [path], plan: plan, options: options)
        PipeChunksTests.expectSame(rows, file, label)
        // A pipe copied to a temporary file first is read in chunks, on the one-pass path too.
        let spooled = PipeChunksTests.options(chunkSize: chunkSize, threads: threads, spooled: true)
        let pipe = try PipeChunksTests.readPiped(text, plan: plan, options: spooled)
        PipeChunksTests.expectSame(rows, pipe, label + ", spooled pipe")
        PipeChunksTests.expectNoSpoolLeft(spooled, label)
        #expect(file.rowsUsed > 3_400 && file.rowsUsed < file.rowsRead, "\(label)")
      }
    }
  }

  /// A reader takes the one-pass row for every set of names (the wide table), not only short or many ones.
  @Test func everyNameSetTakesTheOnePassRow() throws {
    for length in Self.lengths {
      for count in Self.counts {
        guard let names = Self.names(count: count, length: length) else { continue }
        for asVariants in [false, true] {
          var options = DataReadOptions(checkDuplicates: false)
          options.chunkSize = 1 << 20
          let rows = try UnitLevelRows(
            header: Self.header, plan: Self.plan(names, asVariants: asVariants), path: "data.csv", options: options)
          #expect(rows.takesFastRows, "\(count) names of \(length) bytes")
        }
      }
    }
  }
}
