import Foundation
import StrataTestSupport
import Testing

@testable import StrataAnalysis

#if canImport(Glibc)
  import Glibc
#endif

/// A regular file is read in chunks on several threads: the result must not depend on the number of threads, the
/// account of rows (issues with their lines, first examples, counts) must be the whole file's, and errors the first
/// in file order, wherever the chunk boundaries fall.
@Suite("Chunked reading")
struct ChunkedReadTests {
  static let plan = CellSourcesTests.plan

  /// Unit-level rows with every kind of bad row, blank lines, repeated units (near and far) and, with `quoted`,
  /// quoted unit ids holding commas, doubled quotes and line ends.
  static func messyCSV(rows: Int, seed: UInt64, lineEnd: String = "\n", quoted: Bool = false) -> String {
    var random = SplitMix64(seed: seed)
    var text = "unit_id,variant,segment,converted,revenue,orders,items" + lineEnd
    for index in 0..<rows {
      let roll = Int.random(in: 0..<100, using: &random)
      var unit = "u\(index)"
      if roll < 4 && index > 0 { unit = "u\(Int.random(in: 0..<index, using: &random))" }  // a repeat
      if quoted && roll >= 90 { unit = roll < 95 ? "\"u\(index)\nline two\"" : "\"u\(index), \"\"q\"\"\"" }
      let variant = roll == 4 ? "holdout" : (Bool.random(using: &random) ? "control" : "treatment")
      let segment = roll == 5 ? "east" : ["north", "south", "west"][Int.random(in: 0..<3, using: &random)]
      let converted = roll == 6 ? "yes" : (Int.random(in: 0..<4, using: &random) == 0 ? "1" : "0")
      let revenue = roll < 15 ? "" : String(format: "%.2f", Double.random(in: 1...900, using: &random))
      let orders = Int.random(in: 1...6, using: &random)
      if roll == 7 { unit = "" }
      if roll == 8 {
        text += lineEnd
        continue
      }
      let extra = roll == 9 ? ",surplus" : ""
      text += "\(unit),\(variant),\(segment),\(converted),\(revenue),\(orders),\(orders + index % 3)\(extra)\(lineEnd)"
    }
    return text
  }

  static func options(chunkSize: Int, threads: Int, strict: Bool = false) -> DataReadOptions {
    var options = DataReadOptions(strict: strict, threads: threads)
    options.chunkSize = chunkSize
    return options
  }

  /// Reads with each number of threads, expects identical summaries, and returns the one.
  static func readAgreeing(_ paths: [String], chunkSize: Int, threads: [Int] = [1, 2, 3, 8]) throws -> DataSummary {
    let first = try DataReader.read(paths: paths, plan: plan, options: options(chunkSize: chunkSize, threads: 1))
    for count in threads.dropFirst() {
      let other = try DataReader.read(paths: paths, plan: plan, options: options(chunkSize: chunkSize, threads: count))
      #expect(other == first, "chunk size \(chunkSize): \(count) threads differ from 1")
    }
    return first
  }

  static func expectSameAccount(_ x: DataSummary, _ y: DataSummary, _ label: String) {
    #expect(x.issues == y.issues, "\(label): \(x.issues) vs \(y.issues)")
    #expect(x.rowsRead == y.rowsRead && x.rowsUsed == y.rowsUsed && x.bytes == y.bytes, "\(label)")
    CellSourcesTests.expectSameCells(x.statistics, y.statistics, label)
  }

  @Test("any number of threads gives the same summary, and the account of the whole file")
  func threadCountsAgree() throws {
    let text = Self.messyCSV(rows: 3000, seed: 17)
    let path = try CellSourcesTests.write(text)
    let whole = try Self.readAgreeing([path], chunkSize: 1 << 30, threads: [1, 4])
    #expect(whole.issues.entries[.duplicateUnit]?.count ?? 0 > 50)
    for chunkSize in [64, 1000, 4096] {
      let chunks = try DataChunks.ranges(path: path, data: 0..<text.utf8.count, chunkSize: chunkSize)
      #expect(chunks.count > 1 && chunks.count >= text.utf8.count / (chunkSize + 64))
      let chunked = try Self.readAgreeing([path], chunkSize: chunkSize)
      Self.expectSameAccount(chunked, whole, "chunk size \(chunkSize)")
    }
  }

  @Test("chunk boundaries at every byte: inside a CRLF, on a line end, inside a quoted line end")
  func boundariesEverywhere() throws {
    for (lineEnd, quoted) in [("\r\n", false), ("\n", true), ("\r\n", true)] {
      let text = Self.messyCSV(rows: 60, seed: 5, lineEnd: lineEnd, quoted: quoted)
      let path = try CellSourcesTests.write(text)
      let whole = try Self.readAgreeing([path], chunkSize: 1 << 30, threads: [1])
      for chunkSize in Array(1...160) + [500, 1000, text.utf8.count - 1, text.utf8.count] {
        let chunked = try Self.readAgreeing([path], chunkSize: chunkSize, threads: [1, 3])
        Self.expectSameAccount(chunked, whole, "\(lineEnd == "\n" ? "LF" : "CRLF") chunk size \(chunkSize)")
      }
    }
  }

  @Test("strict reading reports the first bad row of the file, with its line, wherever the chunks fall")
  func strictFirstError() throws {
    func rows(_ count: Int, replacing: [Int: String]) -> String {
      var text = "unit_id,variant,segment,converted,revenue,orders,items\n"
      for index in 0..<count { text += replacing[index] ?? "u\(index),control,north,1,2.5,1,2\n" }
      return text
    }
    let cases: [(String, [Int: String], Int, String)] = [
      (
        "a repeat in a later chunk before a bad number",
        [250: "u3,control,north,1,1,1,1\n", 260: "u260,control,north,x,1,1,1\n"], 252, "repeats unit \"u3\""
      ),
      (
        "a bad number before a repeat", [250: "u250,control,north,x,1,1,1\n", 260: "u3,control,north,1,1,1,1\n"], 252,
        "\"x\" for metric"
      ),
      ("a repeat within one chunk", [101: "u100,treatment,south,0,1,1,1\n"], 103, "repeats unit \"u100\""),
      ("an unknown variant in the last row", [399: "u399,holdout,north,0,1,1,1\n"], 401, "unknown variant"),
    ]
    for (label, replacing, line, phrase) in cases {
      let path = try CellSourcesTests.write(rows(400, replacing: replacing))
      for chunkSize in [1 << 30, 100, 1000, 3000] {
        for threads in [1, 2, 8] {
          do {
            _ = try DataReader.read(
              paths: [path], plan: Self.plan,
              options: Self.options(chunkSize: chunkSize, threads: threads, strict: true))
            Issue.record("\(label): no error")
          } catch let error as DataError {
            #expect(error.line == line, "\(label), chunk size \(chunkSize), \(threads) threads: \(error)")
            #expect(error.message.contains(phrase), "\(label): \(error)")
          }
        }
      }
    }
  }

  @Test("issue line numbers are the file's across chunks")
  func lineNumbersAcrossChunks() throws {
    var text = "unit_id,variant,segment,converted,revenue,orders,items\n"
    for index in 0..<500 {
      text += index % 97 == 40 ? "u\(index),holdout,north,1,1,1,1\n" : "u\(index),control,west,0,3,1,1\n"
      if index % 50 == 0 { text += "\n" }
    }
    let summary = try Self.readAgreeing([try CellSourcesTests.write(text)], chunkSize: 700)
    // Row i sits on line i + 2 plus one blank line per 50 rows before it (after rows 0, 50, ...).
    let expected = [40, 137, 234, 331, 428].map { $0 + 2 + ($0 / 50 + 1) }
    #expect(summary.issues.entries[.unknownVariant]?.firstLines == expected)
  }

  @Test("a file within one chunk reads exactly as the sequential reader reads a pipe")
  func singleChunkIsExact() throws {
    let text = Self.messyCSV(rows: 2000, seed: 3, quoted: true)
    let regular = try DataReader.read(paths: [try CellSourcesTests.write(text)], plan: Self.plan)
    let piped = try DataReader.read(
      paths: [try PipeChunksTests.fifo(text)], plan: Self.plan, options: DataReadOptions(threads: 4))
    #expect(piped.statistics == regular.statistics)
    #expect(piped.issues == regular.issues && piped.rowsRead == regular.rowsRead && piped.bytes == regular.bytes)
  }

  @Test("cells fetched ahead of their updates (thousands of segments) hold what direct updates hold")
  func prefetchedCellsAgree() throws {
    // The same rows under a plan with 3,000 more (empty) segments, whose cells are too large for the direct path.
    var wide = Self.plan
    wide.segments += (1...3_000).map { "extra-\($0)" }
    #expect(SufficientStatistics(plan: wide).memoryBytes > UnitLevelRows.prefetchBytes)
    #expect(SufficientStatistics(plan: Self.plan).memoryBytes <= UnitLevelRows.prefetchBytes)
    let text = Self.messyCSV(rows: 3000, seed: 29, quoted: true)
    let path = try CellSourcesTests.write(text)
    func expectAgree(_ narrow: DataSummary, _ wideSummary: DataSummary, _ label: String) {
      // The unknown-segment examples list the plan's segments, so the rows are compared by counts and lines.
      let counts = { (summary: DataSummary) in summary.issues.entries.mapValues { [$0.count] + $0.firstLines } }
      #expect(counts(narrow) == counts(wideSummary), "\(label)")
      #expect(narrow.rowsRead == wideSummary.rowsRead && narrow.rowsUsed == wideSummary.rowsUsed, "\(label)")
      for variant in Self.plan.variants.indices {
        for segment in wide.segments.indices {
          let cell = wideSummary.statistics.cell(variant: variant, segment: segment)
          if segment < Self.plan.segments.count {
            #expect(cell == narrow.statistics.cell(variant: variant, segment: segment), "\(label)")
          } else {
            #expect(cell.units == 0 && cell.columns.allSatisfy { $0 == ColumnMoments() }, "\(label)")
          }
        }
      }
    }
    for (chunkSize, threads) in [(1 << 30, 1), (700, 1), (700, 4)] {
      let options = Self.options(chunkSize: chunkSize, threads: threads)
      let narrow = try DataReader.read(paths: [path], plan: Self.plan, options: options)
      #expect(narrow.issues.entries[.duplicateUnit]?.count ?? 0 > 50)
      expectAgree(narrow, try DataReader.read(paths: [path], plan: wide, options: options), "chunks of \(chunkSize)")
      var unchecked = options
      unchecked.checkDuplicates = false
      expectAgree(
        try DataReader.read(paths: [path], plan: Self.plan, options: unchecked),
        try DataReader.read(paths: [path], plan: wide, options: unchecked), "no duplicate check, \(chunkSize)")
      // Strict reading stops at the same first bad row.
      let strict = Self.options(chunkSize: chunkSize, threads: threads, strict: true)
      let lines = [Self.plan, wide].map { plan -> Int? in
        do {
          _ = try DataReader.read(paths: [path], plan: plan, options: strict)
          return nil
        } catch let error as DataError {
          return error.line
        } catch {
          return -1
        }
      }
      #expect(lines[0] != nil && lines[0] == lines[1], "strict, \(chunkSize): \(lines)")
    }
  }

  @Test("several files share one exact duplicate check when read in chunks")
  func partsShareTheCheck() throws {
    let first = try CellSourcesTests.write(Self.messyCSV(rows: 800, seed: 11))
    let second = try CellSourcesTests.write(Self.messyCSV(rows: 900, seed: 12), name: "second.csv")
    let whole = try Self.readAgreeing([first, second], chunkSize: 1 << 30, threads: [1])
    let chunked = try Self.readAgreeing([first, second], chunkSize: 512)
    Self.expectSameAccount(chunked, whole, "two parts")
    #expect(chunked.issues.entries[.duplicateUnit]?.count ?? 0 > 500)  // the second file repeats u0…u799
  }

  /// Reads `texts` as named pipes, one part each: the sequential reader, which checks duplicates row by row in the
  /// online table.
  static func readPiped(_ texts: [String], strict: Bool = false) throws -> DataSummary {
    let paths = try texts.enumerated().map { index, text in try PipeChunksTests.fifo(text, name: "part\(index).csv") }
    return try DataReader.read(paths: paths, plan: plan, options: DataReadOptions(strict: strict, threads: 4))
  }

  /// The same rows used and dropped, with the same counts and lines (the first examples name different files).
  static func expectSameRows(_ x: DataSummary, _ y: DataSummary, _ label: String) {
    let counts = { (summary: DataSummary) in summary.issues.entries.mapValues { [$0.count] + $0.firstLines } }
    #expect(counts(x) == counts(y), "\(label): \(x.issues) vs \(y.issues)")
    #expect(x.rowsRead == y.rowsRead && x.rowsUsed == y.rowsUsed && x.bytes == y.bytes, "\(label)")
    CellSourcesTests.expectSameCells(x.statistics, y.statistics, label)
  }

  @Test("repeated units at the first and last rows, quoted, with CRLF: chunked reads drop what a pipe's read drops")
  func repeatsLikeAPipe() throws {
    let header = "unit_id,variant,segment,converted,revenue,orders,items"
    for lineEnd in ["\n", "\r\n"] {
      var rows: [String] = []
      for index in 0..<300 {
        let unit = index % 7 == 3 ? "\"u\(index), \"\"x\"\"\"" : "u\(index)"
        rows.append("\(unit),\(index % 2 == 0 ? "control" : "treatment"),north,\(index % 3 == 0 ? 1 : 0),\(index),1,1")
      }
      rows[1] = rows[0].replacingOccurrences(of: "control", with: "treatment")  // the first row's unit, at once
      rows[150] = rows[10]  // a plain id repeated far away
      rows[151] = rows[3]  // a quoted id with a comma and quotes, repeated
      rows[152] = rows[3]  // and again
      rows[299] = rows[0]  // the last row repeats the first
      rows[298] = rows[297]
      let text = header + lineEnd + rows.joined(separator: lineEnd) + lineEnd
      let piped = try Self.readPiped([text])
      #expect(piped.issues.entries[.duplicateUnit]?.count == 6)
      let path = try CellSourcesTests.write(text)
      for chunkSize in [1 << 30, 40, 64, 333, 1000, 4096] {
        let chunked = try Self.readAgreeing([path], chunkSize: chunkSize, threads: [1, 2, 3])
        Self.expectSameAccount(chunked, piped, "chunk size \(chunkSize)")
      }
      do {
        _ = try DataReader.read(
          paths: [path], plan: Self.plan, options: Self.options(chunkSize: 100, threads: 2, strict: true))
        Issue.record("strict: no error")
      } catch let error as DataError {
        #expect(error.line == 3 && error.message.contains("repeats unit \"u0\""), "\(error)")
      }
    }
  }

  @Test("progress is reported on the second read that repeated units cause, as on the first")
  func progressOnBothReads() throws {
    final class Calls: @unchecked Sendable {
      let lock = NSLock()
      var values: [(bytes: Int, total: Int)] = []
      func add(_ bytes: Int, _ total: Int) {
        lock.lock()
        values.append((bytes, total))
        lock.unlock()
      }
    }
    var rows = (0..<400).map { "u\($0),\($0 % 2 == 0 ? "control" : "treatment"),north,0,\($0),1,1" }
    let unique = try CellSourcesTests.write(
      "unit_id,variant,segment,converted,revenue,orders,items\n" + rows.joined(separator: "\n") + "\n")
    rows[350] = rows[20]
    let repeated = try CellSourcesTests.write(
      "unit_id,variant,segment,converted,revenue,orders,items\n" + rows.joined(separator: "\n") + "\n",
      name: "repeated.csv")
    for threads in [1, 2] {
      for (path, reads) in [(unique, 1), (repeated, 2)] {
        let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let calls = Calls()
        var options = Self.options(chunkSize: 1000, threads: threads)
        options.progress = { calls.add($0, $1) }
        let summary = try DataReader.read(paths: [path], plan: Self.plan, options: options)
        #expect(summary.issues.entries[.duplicateUnit]?.count == (reads == 2 ? 1 : nil))
        #expect(calls.values.allSatisfy { $0.total == size && $0.bytes <= size })
        let ends = calls.values.filter { $0.bytes == size }.count
        let restarts = zip(calls.values, calls.values.dropFirst()).filter { $1.bytes < $0.bytes }.count
        #expect(ends == reads && restarts == reads - 1, "\(threads) threads, \(reads) reads: \(calls.values)")
      }
    }
  }

  @Test("parts read from pipes and from files share one duplicate check, whichever comes first")
  func pipesAndFilesShareTheCheck() throws {
    let texts = [Self.messyCSV(rows: 700, seed: 21), Self.messyCSV(rows: 900, seed: 22)]
    let piped = try Self.readPiped(texts)
    #expect(piped.issues.entries[.duplicateUnit]?.count ?? 0 > 600)  // the second part repeats u0…u699
    let files = [try CellSourcesTests.write(texts[0]), try CellSourcesTests.write(texts[1], name: "second.csv")]
    Self.expectSameRows(try Self.readAgreeing(files, chunkSize: 300), piped, "two files")
    for (pipeFirst, label) in [(true, "pipe, then file"), (false, "file, then pipe")] {
      let fifo = try PipeChunksTests.fifo(texts[pipeFirst ? 0 : 1], name: "part.csv")
      let paths = pipeFirst ? [fifo, files[1]] : [files[0], fifo]
      let mixed = try DataReader.read(paths: paths, plan: Self.plan, options: Self.options(chunkSize: 300, threads: 2))
      Self.expectSameRows(mixed, piped, label)
    }
  }

  @Test("the log finds every repeated key and where it first occurs, on any number of threads")
  func logFindsRepeats() {
    var random = SplitMix64(seed: 9)
    for bits in [0, 3, 6, 8, 11] {
      let set = UnitHashSet()
      set.partitionBits = bits
      var chunks: [[UInt64]] = []
      var seenKeys: [UInt64: Int] = [:]
      var order: [UInt64] = []  // distinct keys, first occurrence first
      var expected: [UInt64: Int] = [:]
      let base = 2  // chunks 0 and 1 are an earlier part
      for chunk in 0..<6 {
        var hashes: [UInt64] = []
        for _ in 0..<(chunk == 3 ? 0 : 500) {  // chunk 3 holds no keys (a chunk of blank or rejected rows)
          let key: UInt64 =
            !order.isEmpty && Int.random(in: 0..<50, using: &random) == 0
            ? order[Int.random(in: 0..<order.count, using: &random)] : random.next() | 2
          if let first = seenKeys[key], chunk >= base { expected[key] = first }
          if seenKeys[key] == nil {
            seenKeys[key] = chunk
            order.append(key)
          }
          hashes.append(key)
        }
        if chunk == 4 { hashes.append(0) }  // hash 0 is stored as key 1
        if chunk == 5 {
          hashes.append(1)
          expected[1] = 4
        }
        chunks.append(hashes)
        let grouped = PartitionedHashes(hashes, bits: bits, arena: set.arena)
        #expect(grouped.allKeys.sorted() == hashes.map(UnitHashSet.key).sorted())
        for partition in 0..<(1 << bits) {
          let part = grouped.keys(in: partition)
          #expect(part.allSatisfy { Int(bits == 0 ? 0 : $0 >> UInt64(64 - bits)) == partition })
          #expect(
            part
              == hashes.map(UnitHashSet.key).filter { Int(bits == 0 ? 0 : $0 >> UInt64(64 - bits)) == partition })
        }
        set.appendToLog(grouped)
      }
      #expect(!expected.isEmpty)
      for threads in [1, 2, 5] {
        #expect(set.repeats(since: base, threads: threads) == expected, "bits \(bits), \(threads) threads")
      }
      #expect(set.repeats(since: 6, threads: 2).isEmpty)
      // Moved into the online table, every key is there (and key 1, from hash 0).
      set.foldLog()
      #expect(set.logCount == 0 && set.log.isEmpty)
      var inserted = [Bool](repeating: true, count: order.count)
      inserted.withUnsafeMutableBufferPointer { flags in
        order.withUnsafeBufferPointer { set.insert(batch: $0, inserted: flags) }
      }
      #expect(!inserted.contains(true) && set.count == order.count + 1)
    }
  }

  @Test("keys crowding the same home slots are found repeated as a sequential check finds them")
  func crowdedLogFindsRepeats() {
    // Every key of a partition has one of four low parts, so nearly every key's home slot is taken and the search
    // sets it aside for its second pass; the partitions follow one another in each thread's table without clearing
    // it. The reference is a plain set over the keys in file order.
    var random = SplitMix64(seed: 23)
    for bits in [0, 2, 5, 8] {
      let set = UnitHashSet()
      set.partitionBits = bits
      let base = 1  // chunk 0 is an earlier part
      var seen: Set<UInt64> = []
      var firstChunk: [UInt64: Int] = [:]
      var expected: [UInt64: Int] = [:]
      var distinct: [UInt64] = []
      for chunk in 0..<5 {
        var hashes: [UInt64] = []
        for _ in 0..<300 {
          let key: UInt64
          if !distinct.isEmpty && Int.random(in: 0..<6, using: &random) == 0 {
            key = distinct[Int.random(in: 0..<distinct.count, using: &random)]
          } else {
            let top = random.next() & ~UInt64(0xFFFF_FFFF)  // the partition and the rest of the high bits
            key = top | UInt64(Int.random(in: 1...4, using: &random))
          }
          if seen.contains(key) {
            if chunk >= base { expected[key] = firstChunk[key] }
          } else {
            seen.insert(key)
            firstChunk[key] = chunk
            distinct.append(key)
          }
          hashes.append(key)
        }
        set.appendToLog(PartitionedHashes(hashes, bits: bits, arena: set.arena))
      }
      #expect(expected.count > 50)
      for threads in [1, 2, 3] {
        #expect(set.repeats(since: base, threads: threads) == expected, "bits \(bits), \(threads) threads")
      }
      #expect(set.repeats(since: 0, threads: 2).count >= expected.count)
    }
  }

  @Test("with 256 partitions or more a key takes 7 bytes and keeps all 64 bits: keys one bit apart stay apart")
  func sevenByteKeys() {
    var random = SplitMix64(seed: 57)
    for bits in [8, 12] {
      let set = UnitHashSet()
      set.partitionBits = bits
      let shift = UInt64(64 - bits)
      // Hashes 0 and 1 (both key 1), the extremes, and random keys with each of six bits flipped: bits 0 and 7 (the
      // first stored byte), 8, 55 (the last stored byte), 56 and 63 (the top byte, the partition's).
      var hashes: [UInt64] = [0, 1, 2, .max, .max - 1, 1 << 56, (1 << 56) - 1, (1 << 56) + 1, 1 << 63]
      for _ in 0..<60 {
        let hash = random.next()
        hashes.append(hash)
        for bit in [0, 7, 8, 55, 56, 63] { hashes.append(hash ^ (1 << UInt64(bit))) }
      }
      // Chunk 0 holds them all, chunk 1 every third again and one new, chunk 2 holds none.
      let chunks = [hashes, stride(from: 0, to: hashes.count, by: 3).map { hashes[$0] } + [42], []]
      var firstChunk: [UInt64: Int] = [:]
      var expected: [UInt64: Int] = [:]
      for (index, chunk) in chunks.enumerated() {
        let grouped = PartitionedHashes(chunk, bits: bits, arena: set.arena)
        #expect(grouped.layout == KeyLayout(bits: bits) && grouped.layout.width == 7)
        #expect(grouped.bytes == chunk.count * 7 + (1 << bits) + ((1 << bits) + 1) * 8)
        for partition in 0..<(1 << bits) {
          #expect(grouped.keys(in: partition) == chunk.map(UnitHashSet.key).filter { Int($0 >> shift) == partition })
        }
        set.appendToLog(grouped)
        for key in chunk.map(UnitHashSet.key) {
          if let first = firstChunk[key] { expected[key] = first } else { firstChunk[key] = index }
        }
      }
      #expect(expected[1] == 0 && expected.count == (hashes.count + 2) / 3)  // chunk 1 repeats, key 1 among them
      for threads in [1, 2] {
        #expect(set.repeats(since: 0, threads: threads) == expected, "bits \(bits), \(threads) threads")
      }
      // Moved into the online table, every key is there in full.
      set.foldLog()
      let keys = Array(firstChunk.keys)
      var inserted = [Bool](repeating: true, count: keys.count)
      inserted.withUnsafeMutableBufferPointer { flags in
        keys.withUnsafeBufferPointer { set.insert(batch: $0, inserted: flags) }
      }
      #expect(!inserted.contains(true) && set.count == keys.count)
    }
  }

  @Test("a row hash buffer that outgrows its room keeps every hash in order, its partition counts and their groups")
  func hashScratchGrows() {
    var random = SplitMix64(seed: 41)
    for bits in [0, 3, 8] {
      var scratch = HashScratch(capacity: 1, bits: bits)  // room for 64: grows twice below
      defer { scratch.free() }
      for round in 0..<2 {  // emptied and filled again, as the chunked reader reuses it
        let hashes = (0..<(200 + round)).map { _ in random.next() }
        for hash in hashes { scratch.append(hash) }
        #expect(Array(scratch.hashes) == hashes)
        let arena = LogArena()
        let grouped = PartitionedHashes(scratch, arena: arena)
        for partition in 0..<(1 << bits) {
          let inPartition = hashes.map(UnitHashSet.key).filter {
            Int(bits == 0 ? 0 : $0 >> UInt64(64 - bits)) == partition
          }
          #expect(grouped.keys(in: partition) == inPartition)
        }
        scratch.removeAll()
        #expect(scratch.count == 0)
      }
    }
  }

  @Test("a cell table emptied for the next chunk equals a fresh one")
  func emptiedTableIsFresh() {
    let fresh = SufficientStatistics(variantCount: 2, segmentCount: 3, metricCount: 2, pairCount: 1)
    var table = fresh
    table.addUnit(variant: 1, segment: 2)
    table.add(3.5, metric: 1, variant: 1, segment: 2)
    table.addMissing(metric: 0, variant: 0, segment: 1)
    table.addZeroFilled(metric: 0, variant: 1, segment: 0)
    table.add(1, 2, pair: 0, variant: 0, segment: 0)
    #expect(table != fresh)
    table.reset()
    #expect(table == fresh)
  }

  @Test("chunks cover the data and end after a line end")
  func chunkRanges() throws {
    let text = "h\nab\r\ncd\n\nefghij\nk"
    let path = try CellSourcesTests.write(text)
    let bytes = Array(text.utf8)
    for chunkSize in 1...bytes.count + 1 {
      let ranges = try DataChunks.ranges(path: path, data: 2..<bytes.count, chunkSize: chunkSize)
      #expect(ranges.first?.lowerBound == 2 && ranges.last?.upperBound == bytes.count)
      for (range, next) in zip(ranges, ranges.dropFirst()) {
        #expect(range.upperBound == next.lowerBound && bytes[range.upperBound - 1] == UInt8(ascii: "\n"))
        #expect(range.count >= chunkSize)
      }
    }
  }
}
