import Foundation
import StrataTestSupport
import Testing

@testable import StrataAnalysis

#if canImport(Glibc)
  import Glibc
#endif

/// A pipe is read once, row by row, but cut into the chunks a regular file of the same bytes is cut into
/// (`DataChunks.Cuts`), each into cells of its own merged in order: so the same data gives the same summary, to the
/// last bit, whether it arrives as a file or through a pipe, at any chunk size and number of threads.
@Suite("A pipe reads as the file")
struct PipeChunksTests {
  static let plan = CellSourcesTests.plan

  /// With `spooled`, pipes are copied into a fresh directory (`spoolDirectory`, `InputSpool`); without, the copy's
  /// directory does not exist, so pipes are read row by row with the duplicate table in memory (and a note says so).
  static func options(chunkSize: Int, threads: Int, spooled: Bool = true) -> DataReadOptions {
    var options = DataReadOptions(threads: threads)
    options.chunkSize = chunkSize
    options.spoolDirectory = spooled ? spoolDirectory() : "/nonexistent/strata-spool-test"
    return options
  }

  /// A fresh, empty directory for pipes' temporary copies.
  static func spoolDirectory() -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("strata-spool-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory.path
  }

  /// The spool directory of `options` is empty (when it exists); then it is removed.
  static func expectNoSpoolLeft(_ options: DataReadOptions, _ label: String) {
    guard let directory = options.spoolDirectory, FileManager.default.fileExists(atPath: directory) else { return }
    #expect((try? FileManager.default.contentsOfDirectory(atPath: directory)) == [], "\(label): a file was left")
    _ = rmdir(directory)
  }

  /// A named pipe (not a regular file: the sequential reader reads it) in a fresh directory, named `name`, that a
  /// thread writes `text` into once a reader opens it (as much of it as the reader takes).
  static func fifo(_ text: String, name: String = "data.csv") throws -> String {
    let directory = try makeTemporaryDirectory("strata-fifo")
    let fifo = directory.appendingPathComponent(name).path
    #expect(mkfifo(fifo, 0o600) == 0)
    let writer = Thread {
      // A reader that stops at an error closes the pipe: the write then fails (EPIPE) instead of raising SIGPIPE,
      // which would end the tests' process (blocked in this thread, it is dropped when the thread ends).
      var blocked = sigset_t()
      sigemptyset(&blocked)
      sigaddset(&blocked, SIGPIPE)
      pthread_sigmask(SIG_BLOCK, &blocked, nil)
      let handle = FileHandle(forWritingAtPath: fifo)
      try? handle?.write(contentsOf: Data(text.utf8))
      try? handle?.close()
    }
    writer.start()
    return fifo
  }

  /// Reads `text` through a named pipe (``fifo(_:name:)``).
  static func readPiped(_ text: String, plan: AnalysisPlan, options: DataReadOptions) throws -> DataSummary {
    try DataReader.read(paths: [try fifo(text)], plan: plan, options: options)
  }

  /// A file of `prefix` and a pipe of it stop at the same line with the same message under `--strict`.
  ///
  /// `options` sets `strict`; the first bad row stops the read. `prefix` should fit a pipe's buffer, so that its writer is done before
  /// the reader stops (a write to a pipe nobody reads any more would end the tests' process).
  static func expectSameFirstError(_ prefix: String, plan: AnalysisPlan, options: DataReadOptions) throws {
    let prefixPath = try CellSourcesTests.write(prefix, name: "prefix.csv")
    var fileError: DataError? = nil
    var rowsError: DataError? = nil
    do { _ = try DataReader.read(paths: [prefixPath], plan: plan, options: options) } catch {
      fileError = error as? DataError
    }
    do { _ = try readPiped(prefix, plan: plan, options: options) } catch {
      rowsError = error as? DataError
    }
    #expect(fileError != nil && fileError?.line == rowsError?.line && fileError?.message == rowsError?.message)
  }

  static func expectSame(_ pipe: DataSummary, _ file: DataSummary, _ label: String) {
    #expect(bits(pipe.statistics) == bits(file.statistics), "\(label): cells")
    #expect(pipe.issues == file.issues, "\(label): \(pipe.issues) vs \(file.issues)")
    #expect(pipe.rowsRead == file.rowsRead && pipe.rowsUsed == file.rowsUsed && pipe.bytes == file.bytes, "\(label)")
    #expect(bits(pipe.regressionCells) == bits(file.regressionCells), "\(label): Lin's cell moments")
    #expect(bits(pipe.regressionSums) == bits(file.regressionSums), "\(label): Lin's HC sums")
  }

  /// Every stored value of `value`, walked field by field (`Mirror`), each `Double` as its bit pattern: equal lists
  /// mean equal bits, so -0 against +0 or a NaN differs where `==` on the doubles would not see it (or never match).
  static func bits<Value>(_ value: Value) -> [String] {
    var out: [String] = []
    func walk(_ value: Any, _ path: String) {
      if let number = value as? Double {
        out.append("\(path)=0x\(String(number.bitPattern, radix: 16))")
        return
      }
      let mirror = Mirror(reflecting: value)
      if mirror.children.isEmpty {
        out.append("\(path)=\(value)")
        return
      }
      for (index, child) in mirror.children.enumerated() {
        walk(child.value, "\(path).\(child.label ?? String(index))")
      }
    }
    walk(value, "")
    return out
  }

  @Test("the summaries are compared bit for bit: -0 differs from +0, a NaN matches the same NaN")
  func bitComparison() {
    let negative = ColumnMoments(count: 1, mean: -0.0, m2: 0, sum: -0.0)
    let positive = ColumnMoments(count: 1, mean: 0.0, m2: 0, sum: 0.0)
    #expect(negative == positive)  // what `==` on the doubles says
    #expect(Self.bits(negative) != Self.bits(positive))
    let missing = ColumnMoments(count: 1, mean: .nan, m2: 0, sum: .nan)
    #expect(missing != missing)
    #expect(Self.bits(missing) == Self.bits(missing))
    #expect(Self.bits([negative]).count == Self.bits(negative).count)
  }

  @Test("the online duplicate table keeps every key while it grows and frees its old tables behind the rehash")
  func onlineTableGrows() {
    let set = UnitHashSet()
    var expected = Set<UInt64>()
    var state: UInt64 = 17
    var batch: [UInt64] = []
    var flags = [Bool](repeating: false, count: 256)
    var disagreements = 0
    // 600,000 hashes, every tenth one repeating an earlier one: the table grows from 2¹⁶ to 2²⁰ slots, the last
    // two rehashes from tables of several 2 MiB steps.
    for index in 0..<600_000 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      batch.append(index % 10 == 9 ? batch[0] : state)
      if batch.count == 256 {
        flags.withUnsafeMutableBufferPointer { flags in
          batch.withUnsafeBufferPointer { set.insert(batch: $0, inserted: flags) }
        }
        for (hash, inserted) in zip(batch, flags) where expected.insert(UnitHashSet.key(hash)).inserted != inserted {
          disagreements += 1
        }
        batch.removeAll(keepingCapacity: true)
      }
    }
    #expect(disagreements == 0)
    #expect(set.count == expected.count && expected.count > 500_000)
    // Every key is still there after the growth.
    let again = Array(expected.prefix(256))
    again.withUnsafeBufferPointer { hashes in
      flags.withUnsafeMutableBufferPointer { set.insert(batch: hashes, inserted: $0) }
    }
    #expect(!flags.contains(true))
  }

  /// The messy rows (repeats, bad rows, blank lines, quoted ids with commas, quotes and line ends) with LF or CRLF
  /// line ends, and without a line end after the last row.
  static let texts: [(String, String)] = [
    ("LF", ChunkedReadTests.messyCSV(rows: 1500, seed: 41, quoted: true)),
    ("CRLF", ChunkedReadTests.messyCSV(rows: 1500, seed: 42, lineEnd: "\r\n", quoted: true)),
    ("no last line end", String(ChunkedReadTests.messyCSV(rows: 1500, seed: 43, quoted: true).dropLast())),
  ]

  @Test(
    "a pipe read record by record is cut where its file is: at line-end cuts, moved back to the start of a record across one"
  )
  func cutsFallWhereTheFileIsCut() throws {
    var sawCleanCut = false
    var sawQuotedCut = false
    for (label, text) in Self.texts {
      let path = try CellSourcesTests.write(text)
      for chunkSize in Array(1...120) + [333, 1000, 4096, text.utf8.count] {
        var recordEnds: [Int] = []
        var starts: [Int] = []
        var stream: DataChunks.Cuts? = nil
        var scanner = try CSVScanner(path: path)
        defer { scanner.close() }
        try scanner.forEachRecord { record in
          if stream == nil {
            stream = DataChunks.Cuts(dataStart: record.end, chunkSize: chunkSize)
          } else if stream?.startsChunk(record) == true {
            starts.append(recordEnds.last ?? 0)
          }
          recordEnds.append(record.end)
          return true
        }
        let dataEnd = text.utf8.count
        let headerEnd = try #require(recordEnds.first)
        let ranges = try DataChunks.ranges(path: path, data: headerEnd..<dataEnd, chunkSize: chunkSize)
        let context = "\(label), chunk size \(chunkSize)"
        // Each line-end cut moved back to the last record end at or before it; chunks left empty collapse.
        var expected: [Int] = []
        for range in ranges.dropFirst() {
          let start = try #require(recordEnds.last { $0 <= range.lowerBound })
          if start == range.lowerBound { sawCleanCut = true } else { sawQuotedCut = true }
          if start > headerEnd && expected.last != start { expected.append(start) }
        }
        #expect(starts == expected, "\(context)")
      }
    }
    #expect(sawCleanCut && sawQuotedCut)
  }

  @Test(
    "a pipe gives the file's cells and account: plain, 0/1 and ratio metrics, repeats, quoted line ends; through a temporary copy (none left) and row by row",
    arguments: [1, 2], [true, false])
  func pipeGivesTheFileSummary(threads: Int, spooled: Bool) throws {
    for (label, text) in Self.texts {
      let path = try CellSourcesTests.write(text)
      let whole = try DataReader.read(
        paths: [path], plan: Self.plan, options: Self.options(chunkSize: 1 << 30, threads: 1, spooled: false))
      #expect(whole.issues.entries[.duplicateUnit]?.count ?? 0 > 20, "\(label)")
      for chunkSize in [97, 1000, 4096, 1 << 23] {
        let options = Self.options(chunkSize: chunkSize, threads: threads, spooled: spooled)
        let file = try DataReader.read(paths: [path], plan: Self.plan, options: options)
        let pipe = try Self.readPiped(text, plan: Self.plan, options: options)
        let context = "\(label), chunk size \(chunkSize), \(threads) threads, spooled \(spooled)"
        Self.expectSame(pipe, file, context)
        #expect(pipe.spooledBytes == (spooled ? text.utf8.count : 0), "\(context)")
        #expect(pipe.files.count == 1 && pipe.file == pipe.files[0] && pipe.file.hasSuffix("/data.csv"), "\(context)")
        Self.expectNoSpoolLeft(options, context)
        if chunkSize < 4096 {
          // Chunks move the last digits, so the equality above says the pipe was cut where the file is.
          #expect(file.statistics != whole.statistics, "\(label), chunk size \(chunkSize)")
        }
      }
    }
  }

  @Test(
    "without the duplicate check a pipe is read as it arrives, in the file's chunks with no copy: the file's cells, account and errors",
    arguments: [1, 2])
  func withoutTheCheckReadAsItArrives(threads: Int) throws {
    var sawMoved = false
    for (label, text) in Self.texts {
      let path = try CellSourcesTests.write(text)
      for chunkSize in [97, 211, 1000, 4096, 1 << 23] {
        var options = Self.options(chunkSize: chunkSize, threads: threads)
        options.checkDuplicates = false
        let context = "\(label), chunk size \(chunkSize), \(threads) threads"
        let file = try DataReader.read(paths: [path], plan: Self.plan, options: options)
        let pipe = try Self.readPiped(text, plan: Self.plan, options: options)
        Self.expectSame(pipe, file, context)
        #expect(!pipe.duplicatesChecked && pipe.spooledBytes == 0, "\(context)")
        // Cut as the file is, every chunk merged (none stops without --strict), the same starts moved.
        let chunks = try DataChunks.ranges(
          path: path, data: (Array(text.utf8).firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0)..<text.utf8.count,
          chunkSize: chunkSize)
        #expect(pipe.chunksArrived == chunks.count && pipe.chunksMerged == chunks.count, "\(context)")
        #expect(file.chunksMerged == chunks.count && file.chunksMoved == pipe.chunksMoved, "\(context)")
        if pipe.chunksMoved > 0 { sawMoved = true }
        Self.expectNoSpoolLeft(options, context)
        // --strict: the first bad row of the file, with its line and message.
        options.strict = true
        let fileError = try #require(throws: DataError.self) {
          try DataReader.read(paths: [path], plan: Self.plan, options: options)
        }
        let pipeError = try #require(throws: DataError.self) {
          try Self.readPiped(text, plan: Self.plan, options: options)
        }
        #expect(pipeError.line == fileError.line && pipeError.message == fileError.message, "\(context), --strict")
      }
    }
    // Quoted line ends fell across cuts: those chunks were read again from the bytes as they arrived.
    #expect(sawMoved)
  }

  @Test("without the check, a chunk whose quoted fields were unquoted in place is read again as it arrived")
  func withoutTheCheckUnquotedChunkReadAgain() throws {
    // Every row's unit quoted, every seventh with a line end inside its quotes (such records are unquoted in the
    // chunk's bytes), so that some cut falls inside one: the chunk after it is read again from the record's start,
    // from the bytes as they arrived (the record's in the chunk before, the rest in its own).
    var text = "unit_id,variant,segment,converted,revenue,orders,items\n"
    for index in 0..<400 {
      let unit = index % 7 == 3 ? "\"u\(index)\nsecond line\"" : "\"u\(index) \"\"q\"\"\""
      text += "\(unit),\(index % 2 == 0 ? "control" : "treatment"),north,\(index % 3 == 0 ? 1 : 0),\(index).5,1,2\n"
    }
    let path = try CellSourcesTests.write(text)
    var sawMoved = 0
    for threads in [1, 2] {
      for chunkSize in [997, 2000, 4096] {
        var options = Self.options(chunkSize: chunkSize, threads: threads)
        options.checkDuplicates = false
        let context = "chunk size \(chunkSize), \(threads) threads"
        let file = try DataReader.read(paths: [path], plan: Self.plan, options: options)
        let pipe = try Self.readPiped(text, plan: Self.plan, options: options)
        Self.expectSame(pipe, file, context)
        #expect(file.rowsUsed == 400 && pipe.chunksArrived >= 1, "\(context): \(file.rowsUsed), \(pipe.chunksArrived)")
        let chunks = try DataChunks.ranges(path: path, data: 55..<text.utf8.count, chunkSize: chunkSize)
        #expect(pipe.chunksMerged == chunks.count && file.chunksMoved == pipe.chunksMoved, "\(context)")
        if pipe.chunksMoved > 0 { sawMoved += 1 }
      }
    }
    #expect(sawMoved >= 2, "\(sawMoved)")
  }

  @Test("without the check: Lin's regression, a record too long and aggregated data from a pipe as from the file")
  func withoutTheCheckLinLongRecordAggregated() throws {
    let plan = RegressionRowsTests.plan()
    let linPath = RegressionRowsTests.data
    let linText = try String(contentsOfFile: linPath, encoding: .utf8)
    for threads in [1, 2] {
      for chunkSize in [977, 4096, 1 << 23] {
        var options = Self.options(chunkSize: chunkSize, threads: threads)
        options.checkDuplicates = false
        let context = "Lin, chunk size \(chunkSize), \(threads) threads"
        let file = try DataReader.read(paths: [linPath], plan: plan, options: options)
        let pipe = try Self.readPiped(linText, plan: plan, options: options)
        #expect(file.regressionCells != nil && file.regressionSums != nil, "\(context)")
        Self.expectSame(pipe, file, context)
        #expect(pipe.chunksArrived >= 1, "\(context)")
        Self.expectNoSpoolLeft(options, context)
      }
      // A record longer than the scanner takes: refused with the file's message and line.
      let long =
        ChunkedReadTests.messyCSV(rows: 1500, seed: 44) + "u-long,control,a," + String(repeating: "7", count: 12 << 20)
        + "\nu-after,control,a,1,2,3,4\n"
      let longPath = try CellSourcesTests.write(long)
      var options = Self.options(chunkSize: 1 << 20, threads: threads)
      options.checkDuplicates = false
      let fileError = try #require(throws: DataError.self) {
        try DataReader.read(paths: [longPath], plan: Self.plan, options: options)
      }
      let pipeError = try #require(throws: DataError.self) {
        try Self.readPiped(long, plan: Self.plan, options: options)
      }
      #expect(pipeError.message == fileError.message && pipeError.line == fileError.line, "\(threads) threads")
    }
    // Aggregated data is read row by row (no chunks), as before.
    let aggregated = try String(
      contentsOfFile: packageRootURL().appendingPathComponent("experiments/data/basket-bundle-cells.csv").path,
      encoding: .utf8)
    let basket = AnalysisPlan(
      definition: try ExperimentLoader.loadDefinition(
        contentsOf: packageRootURL().appendingPathComponent("experiments/basket-bundle.yaml")))
    var options = Self.options(chunkSize: 1000, threads: 2)
    options.checkDuplicates = false
    let file = try DataReader.read(paths: [try CellSourcesTests.write(aggregated)], plan: basket, options: options)
    let pipe = try Self.readPiped(aggregated, plan: basket, options: options)
    Self.expectSame(pipe, file, "aggregated")
    #expect(pipe.chunksArrived == 0)
  }

  @Test("Lin's regression from a pipe gives the cell moments and HC sums of the file read twice, beyond one chunk")
  func linAcrossChunks() throws {
    let plan = RegressionRowsTests.plan()
    let path = RegressionRowsTests.data
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var whole: DataSummary? = nil
    for chunkSize in [1 << 23, 4096, 977] {
      for (threads, spooled) in [(1, true), (2, true), (1, false), (2, false)] {
        let options = Self.options(chunkSize: chunkSize, threads: threads, spooled: spooled)
        let file = try DataReader.read(paths: [path], plan: plan, options: options)
        let pipe = try Self.readPiped(text, plan: plan, options: options)
        let context = "chunk size \(chunkSize), \(threads) threads, spooled \(spooled)"
        #expect(pipe.spooledBytes == (spooled ? text.utf8.count : 0), "\(context)")
        Self.expectNoSpoolLeft(options, context)
        #expect(file.regressionCells != nil && file.regressionSums != nil, "\(context)")
        Self.expectSame(pipe, file, context)
        let (a, b) = try (Analyzer(plan: plan).analyze(pipe), Analyzer(plan: plan).analyze(file))
        let pairs = zip(a.metrics.flatMap(\.comparisons), b.metrics.flatMap(\.comparisons))
        #expect(
          pairs.allSatisfy {
            $0.absoluteLift.bitPattern == $1.absoluteLift.bitPattern
              && $0.pValue.map(\.bitPattern) == $1.pValue.map(\.bitPattern)
          }, "\(context)")
        if let whole, chunkSize < 4096 {
          #expect(file.regressionCells != whole.regressionCells, "the chunks move the last digits (\(context))")
        }
        if whole == nil { whole = file }
      }
    }
  }

  @Test("Lin over two parts, one piped: each part's chunks merged first, as for two files")
  func linOverParts() throws {
    let plan = RegressionRowsTests.plan()
    let text = try String(contentsOfFile: RegressionRowsTests.data, encoding: .utf8)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let header = lines.removeFirst()
    let half = lines.count / 2
    let firstText = ([header] + lines[..<half]).joined(separator: "\n") + "\n"
    let secondText = ([header] + lines[half...]).joined(separator: "\n")
    let first = try CellSourcesTests.write(firstText, name: "a.csv")
    let second = try CellSourcesTests.write(secondText, name: "b.csv")
    for (threads, spooled) in [(1, true), (2, true), (1, false), (2, false)] {
      let options = Self.options(chunkSize: 977, threads: threads, spooled: spooled)
      let files = try DataReader.read(paths: [first, second], plan: plan, options: options)
      let fifo = try Self.fifo(secondText, name: "b.csv")
      let piped = try DataReader.read(paths: [first, fifo], plan: plan, options: options)
      #expect(files.regressionCells != nil)
      Self.expectSame(piped, files, "two parts, \(threads) threads, spooled \(spooled)")
      #expect(piped.files == [first, fifo] && piped.spooledBytes == (spooled ? secondText.utf8.count : 0))
      Self.expectNoSpoolLeft(options, "two parts")
    }
  }

  @Test("a pipe is copied only when the duplicate check will run: not aggregated data, no unit column or no check")
  func copiedOnlyForTheCheck() throws {
    let unitLevel = ChunkedReadTests.messyCSV(rows: 300, seed: 44, quoted: true)
    var lines = unitLevel.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    // The unit column renamed: the rows are read, without the check.
    lines[0] = lines[0].replacingOccurrences(of: Self.plan.unitColumn, with: "someone")
    let noUnit = lines.joined(separator: "\n")
    #expect(noUnit != unitLevel)
    let aggregated = try String(
      contentsOfFile: packageRootURL().appendingPathComponent("experiments/data/basket-bundle-cells.csv").path,
      encoding: .utf8)
    let basket = try ExperimentLoader.loadDefinition(
      contentsOf: packageRootURL().appendingPathComponent("experiments/basket-bundle.yaml"))
    for (label, text, plan, check, copied) in [
      ("unit-level", unitLevel, Self.plan, true, true), ("no check", unitLevel, Self.plan, false, false),
      ("no unit column", noUnit, Self.plan, true, false),
      ("aggregated", aggregated, AnalysisPlan(definition: basket), true, false),
    ] {
      var options = Self.options(chunkSize: 1000, threads: 2)
      options.checkDuplicates = check
      let file = try DataReader.read(paths: [try CellSourcesTests.write(text)], plan: plan, options: options)
      let pipe = try Self.readPiped(text, plan: plan, options: options)
      Self.expectSame(pipe, file, label)
      #expect(pipe.spooledBytes == (copied ? text.utf8.count : 0), "\(label)")
      #expect(pipe.duplicatesChecked == (check && label != "no unit column" && label != "aggregated"), "\(label)")
      Self.expectNoSpoolLeft(options, label)
    }
  }

  @Test("an error names the pipe as given and the file's line, through the copy and row by row")
  func errorsNameThePipe() throws {
    var options = Self.options(chunkSize: 500, threads: 2, spooled: false)
    options.strict = true
    let text = Self.texts[0].1
    let path = try CellSourcesTests.write(text)
    let fileError = try #require(throws: DataError.self) {
      try DataReader.read(paths: [path], plan: Self.plan, options: options)
    }
    for spooled in [true, false] {
      options.spoolDirectory = spooled ? Self.spoolDirectory() : "/nonexistent/strata-spool-test"
      let fifo = try Self.fifo(text)
      let pipeError = try #require(throws: DataError.self) {
        try DataReader.read(paths: [fifo], plan: Self.plan, options: options)
      }
      #expect(pipeError.file == fifo, "spooled \(spooled)")
      #expect(pipeError.line == fileError.line && pipeError.message == fileError.message, "spooled \(spooled)")
      Self.expectNoSpoolLeft(options, "spooled \(spooled)")
    }
  }

  @Test(
    "a record longer than a chunk's reader takes, with no line end for megabytes, is refused from a pipe as from the file",
    arguments: [1, 2])
  func aRecordWithoutLineEndIsRefusedAsFromTheFile(threads: Int) throws {
    // 12 MiB without a line end after 1,500 rows: a pipe's chunk is cut inside it (`PipeChunks.longestSearch`) instead
    // of holding the pipe in memory until a line end; the read stops at that record, with the file's line.
    let rows = ChunkedReadTests.messyCSV(rows: 1500, seed: 44)
    let long = "u-long,control,a," + String(repeating: "7", count: 12 << 20) + "\n"
    let text = rows + long + "u-after,control,a,1,2,3,4\n"
    let path = try CellSourcesTests.write(text)
    for chunkSize in [4096, 1 << 20, 1 << 23] {
      let options = Self.options(chunkSize: chunkSize, threads: threads)
      let fileError = try #require(throws: DataError.self) {
        try DataReader.read(paths: [path], plan: Self.plan, options: options)
      }
      let pipeError = try #require(throws: DataError.self) {
        try Self.readPiped(text, plan: Self.plan, options: options)
      }
      #expect(fileError.message.contains("longer than 4194304 bytes"), "\(fileError)")
      #expect(pipeError.message == fileError.message && pipeError.line == fileError.line, "chunk size \(chunkSize)")
      Self.expectNoSpoolLeft(options, "chunk size \(chunkSize)")
    }
  }

  @Test("a file whose lines end in CR alone is refused from a pipe as from the file")
  func carriageReturnsRefused() throws {
    let text = ChunkedReadTests.messyCSV(rows: 50, seed: 7).replacingOccurrences(of: "\n", with: "\r")
    let path = try CellSourcesTests.write(text)
    let options = Self.options(chunkSize: 64, threads: 2)
    let fileError = try #require(throws: DataError.self) {
      try DataReader.read(paths: [path], plan: Self.plan, options: options)
    }
    let pipeError = try #require(throws: DataError.self) { try Self.readPiped(text, plan: Self.plan, options: options) }
    #expect(fileError.message.contains("carriage return alone"))
    #expect(pipeError.message == fileError.message && pipeError.line == fileError.line)
    Self.expectNoSpoolLeft(options, "CR line ends")
  }
}
