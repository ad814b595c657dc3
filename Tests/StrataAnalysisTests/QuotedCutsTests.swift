import Foundation
import StrataTestSupport
import Testing

@testable import StrataAnalysis

/// Quoted fields with line ends across chunk cuts (`DataChunks`): the chunk after such a cut starts at the record
/// across it and is read again from there, the rest still in chunks on every thread, with the same results for any
/// number of threads, from a file and from a pipe, with and without the duplicate check.
@Suite("Quoted line ends across cuts")
struct QuotedCutsTests {
  static let plan = CellSourcesTests.plan

  /// Rows with a `note` column: mostly `ok`, some quoted notes of one to three lines (a doubled quote, a comma), some
  /// a quote inside an unquoted field (`5" screen`, which the scanner keeps as a literal quote and reports), every
  /// `longEvery`th a note of many lines (longer than small chunks, so that one record spans several cuts); repeated
  /// units, blank lines and bad values as in `ChunkedReadTests.messyCSV`.
  static func notesCSV(rows: Int, seed: UInt64, lineEnd: String = "\n", longEvery: Int = 97) -> String {
    var random = SplitMix64(seed: seed)
    var text = "unit_id,variant,segment,converted,revenue,orders,items,note" + lineEnd
    for index in 0..<rows {
      let roll = Int.random(in: 0..<100, using: &random)
      var unit = "u\(index)"
      if roll < 4 && index > 0 { unit = "u\(Int.random(in: 0..<index, using: &random))" }  // a repeat
      let variant = Bool.random(using: &random) ? "control" : "treatment"
      let segment = ["north", "south", "west"][Int.random(in: 0..<3, using: &random)]
      let converted = roll == 6 ? "yes" : (Int.random(in: 0..<4, using: &random) == 0 ? "1" : "0")
      let revenue = roll < 12 ? "" : String(format: "%.2f", Double.random(in: 1...900, using: &random))
      let orders = Int.random(in: 1...6, using: &random)
      if roll == 8 {
        text += lineEnd
        continue
      }
      var note = "ok"
      if index % longEvery == longEvery - 1 {
        note = "\"" + (0..<40).map { "note line \($0), \"\"quoted\"\"" }.joined(separator: lineEnd) + "\""
      } else if roll >= 60 {
        note = ["\"Called twice.\nLeft a voicemail.\"", "\"x,y\n\"", "\"first\n\"\"second\"\"\nthird\""][roll % 3]
      } else if roll == 7 {
        note = "5\" screen"
      }
      text += "\(unit),\(variant),\(segment),\(converted),\(revenue),\(orders),\(orders + index % 3),\(note)\(lineEnd)"
    }
    return text
  }

  static func options(chunkSize: Int, threads: Int, check: Bool, strict: Bool = false) -> DataReadOptions {
    var options = PipeChunksTests.options(chunkSize: chunkSize, threads: threads)
    options.checkDuplicates = check
    options.strict = strict
    return options
  }

  @Test(
    "1 and 4 threads, file and pipe, with and without the check: the same summary bit for bit, every chunk merged (none read in one piece), the whole file's account",
    arguments: [true, false])
  func threadsFilesAndPipesAgree(check: Bool) throws {
    var moved = 0
    for (label, text) in [
      ("LF", Self.notesCSV(rows: 1200, seed: 5)), ("CRLF", Self.notesCSV(rows: 1200, seed: 6, lineEnd: "\r\n")),
      ("no last line end", String(Self.notesCSV(rows: 1200, seed: 7).dropLast())),
    ] {
      let path = try CellSourcesTests.write(text)
      let whole = try DataReader.read(
        paths: [path], plan: Self.plan, options: Self.options(chunkSize: 1 << 30, threads: 1, check: check))
      let headerEnd = try #require(Array(text.utf8).firstIndex(of: UInt8(ascii: "\n"))) + 1
      for chunkSize in [50, 97, 256, 1000, 4096] {
        let context = "\(label), chunk size \(chunkSize), check \(check)"
        let chunks = try DataChunks.ranges(path: path, data: headerEnd..<text.utf8.count, chunkSize: chunkSize)
        let file = try DataReader.read(
          paths: [path], plan: Self.plan, options: Self.options(chunkSize: chunkSize, threads: 1, check: check))
        #expect(file.chunksMerged == chunks.count, "\(context): \(file.chunksMerged) of \(chunks.count) merged")
        moved += file.chunksMoved
        ChunkedReadTests.expectSameAccount(file, whole, context)
        for threads in [1, 4] {
          let options = Self.options(chunkSize: chunkSize, threads: threads, check: check)
          if threads > 1 {
            let other = try DataReader.read(paths: [path], plan: Self.plan, options: options)
            PipeChunksTests.expectSame(other, file, "\(context), \(threads) threads")
            #expect(other.chunksMerged == chunks.count && other.chunksMoved == file.chunksMoved, "\(context)")
          }
          let pipe = try PipeChunksTests.readPiped(text, plan: Self.plan, options: options)
          PipeChunksTests.expectSame(pipe, file, "\(context), \(threads) threads, pipe")
          #expect(pipe.chunksMerged == chunks.count && pipe.chunksMoved == file.chunksMoved, "\(context), pipe")
          PipeChunksTests.expectNoSpoolLeft(options, context)
        }
        if check {
          // A pipe whose copy cannot be made is read row by row, cut record by record (`DataChunks.Cuts`).
          var rowByRow = Self.options(chunkSize: chunkSize, threads: 1, check: true)
          rowByRow.spoolDirectory = "/nonexistent/strata-spool-test"
          let rows = try PipeChunksTests.readPiped(text, plan: Self.plan, options: rowByRow)
          PipeChunksTests.expectSame(rows, file, "\(context), row by row")
          #expect(rows.chunksArrived == 0, "\(context)")
        }
      }
    }
    // Cuts fell inside quotes (and chunks were read again from a record's start) without stopping the chunks.
    #expect(moved > 50, "\(moved)")
  }

  @Test("--strict: the first bad row in file order, with its line, from 1 and 4 threads, a file and a pipe")
  func firstErrorInFileOrder() throws {
    var text = Self.notesCSV(rows: 300, seed: 11)
    // Every row well formed up to a bad value far into the file, after many quoted line ends across cuts.
    text = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      line.replacingOccurrences(of: ",yes,", with: ",1,").replacingOccurrences(of: "5\" screen", with: "5 screen")
    }.joined(separator: "\n")
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    // A record's first line (no note line starts with "u"), some way before the end.
    let bad = try #require((1..<(lines.count - 20)).last { lines[$0].hasPrefix("u") })
    let mutated = (lines[..<bad] + ["u-bad,control,north,maybe,1.0,1,1,ok"] + lines[bad...]).joined(separator: "\n")
    let path = try CellSourcesTests.write(mutated)
    var sequential = Self.options(chunkSize: 1 << 30, threads: 1, check: false, strict: true)
    sequential.checkDuplicates = false
    let expected = try #require(throws: DataError.self) {
      try DataReader.read(paths: [path], plan: Self.plan, options: sequential)
    }
    #expect(expected.line == bad + 1, "\(expected)")
    for chunkSize in [61, 200, 1000] {
      for threads in [1, 4] {
        let options = Self.options(chunkSize: chunkSize, threads: threads, check: false, strict: true)
        let context = "chunk size \(chunkSize), \(threads) threads"
        let fileError = try #require(throws: DataError.self) {
          try DataReader.read(paths: [path], plan: Self.plan, options: options)
        }
        #expect(fileError.line == expected.line && fileError.message == expected.message, "\(context): \(fileError)")
        try PipeChunksTests.expectSameFirstError(mutated, plan: Self.plan, options: options)
      }
    }
  }

  @Test(
    "a chunk's cut inside quotes is seen as an unlikely record start; a record's start, a blank line before one, a partial record are not"
  )
  func recordStartLooks() {
    func looks(_ text: String, fields: Int = 3) -> Bool {
      let bytes = Array(text.utf8)
      return bytes.withUnsafeBufferPointer { buffer in
        ChunkedUnitReader.looksLikeRecordStart(buffer.baseAddress!, count: buffer.count, fields: fields)
      }
    }
    #expect(looks("u1,a,\"x\ny\"\nu2,b,c\n"))
    #expect(looks("\n\r\nu1,a,b\r\n"))
    #expect(looks("u1,a,\"still open"))  // no record end in view: cannot tell
    #expect(!looks("y\",5,6\nu2,b,c\n"))  // a quoted field's rest: a quote inside an unquoted field
    #expect(!looks("second line\nu2,b,c\n"))  // too few fields
    #expect(!looks("5\" screen,a,b\n"))  // a real record with a literal quote: read by the merge, the same results
  }
}
