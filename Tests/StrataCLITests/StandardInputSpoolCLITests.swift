import Foundation
import StrataTestSupport
import Testing

/// `analyze --data -` through a temporary copy, and without one.
///
/// It copies a pipe into a temporary file in `$TMPDIR` (removed at once; a regular file on standard input is read in
/// place) and reads it as the file, so that its duplicate check is the file's deferred one (`InputSpool`); when the copy cannot be made or written it reads
/// the rows as they arrive with the duplicate table in memory, and says so in one note. Either way the outputs are the
/// file's byte for byte (the path read as `-`, errors naming `<stdin>`), and no file is left behind.
@Suite("Standard input through a temporary copy")
struct StandardInputSpoolCLITests {
  static let root = packageRootURL()
  let directory: URL

  init() throws {
    directory = try makeTemporaryDirectory("strata-assign")
  }

  func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

  /// gym-renewal's rows with repeated units (row 3 again after row 10, rows 100–299 again at the end), with LF or CRLF
  /// line ends, or with every unit id quoted.
  static func repeatedUnits(_ variant: String) throws -> String {
    let text = try String(
      contentsOf: root.appendingPathComponent("experiments/data/gym-renewal.csv"), encoding: .utf8)
    var lines = text.split(separator: "\n").map(String.init)
    let header = lines.removeFirst()
    var rows = Array(lines[..<10]) + [lines[2]] + lines[10...] + lines[100..<300]
    if variant == "quoted" {
      rows = rows.map { row in
        guard let comma = row.firstIndex(of: ",") else { return row }
        return "\"\(row[..<comma])\"\(row[comma...])"
      }
    }
    let lineEnd = variant == "crlf" ? "\r\n" : "\n"
    return ([header] + rows).joined(separator: lineEnd) + lineEnd
  }

  @Test(
    "analyze --data - with repeated units: the file's outputs through the copy (none left in TMPDIR), and row by row when TMPDIR is missing, a file or too small",
    arguments: ["lf", "crlf", "quoted"])
  func repeatsThroughTheCopy(_ variant: String) throws {
    let data = path("repeats-data.csv")
    try Self.repeatedUnits(variant).write(toFile: data, atomically: true, encoding: .utf8)
    let spool = path("spool")
    try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
    try "not a directory\n".write(toFile: path("a-file"), atomically: true, encoding: .utf8)
    let experiment = Self.root.appendingPathComponent("experiments/gym-renewal.yaml").path
    let quotedPath = try StandardInputCLITests.jsonString(data)
    var sawRepeats = false
    for options in ["--json --threads 1", "--json --threads 2", "--threads 2", "--json --threads 2 --strict"] {
      let command = "\"$0\" analyze --experiment \"$1\" --no-look-log \(options) --data"
      let file = try shell(command + " \"$2\"", [experiment, data])
      let expected = file.stdout.replacingOccurrences(of: quotedPath, with: "\"-\"")
        .replacingOccurrences(of: data, with: "-")
      let expectedError = file.stderr.replacingOccurrences(of: data, with: "<stdin>")
      if options.contains("--strict") {
        #expect(file.status == 1 && file.stderr.contains(":12: row repeats unit"), "\(file.stderr)")
      } else {
        #expect(file.status == 0 && file.stderr.isEmpty, "\(file.stderr)")
        sawRepeats = sawRepeats || file.stdout.contains("\"duplicate_unit\"") || file.stdout.contains("duplicate unit")
      }
      let cases: [(label: String, script: String, note: String?)] = [
        ("copied", "cat \"$2\" | TMPDIR=\"$3\" " + command + " -", nil),
        ("TMPDIR missing", "cat \"$2\" | TMPDIR=\"$3/missing\" " + command + " -", "no temporary copy could be made"),
        // A regular file on standard input is read in place: no copy is tried, so no note even without a TMPDIR.
        ("< FILE, TMPDIR missing", "TMPDIR=\"$3/missing\" " + command + " - < \"$2\"", nil),
        ("TMPDIR a file", "cat \"$2\" | TMPDIR=\"$4\" " + command + " -", "no temporary copy could be made"),
        // At most 32 kB (or 64) per file for strata alone, SIGXFSZ as the shell leaves it (it ended strata with
        // exit 153 and nothing said before strata ignored it during the copy): the copy's write fails with EFBIG and
        // stops (standard output is a pipe, which the limit does not touch).
        (
          "TMPDIR too small",
          "cat \"$2\" | (ulimit -f 64; TMPDIR=\"$3\" exec " + command + " -)",
          "the temporary copy in"
        ),
      ]
      for (label, script, note) in cases {
        let piped = try shell(script, [experiment, data, spool, path("a-file")])
        let context = "\(variant), \(options), \(label)"
        #expect(piped.status == file.status, "\(context): \(piped.stderr)")
        #expect(piped.stdout == expected, "\(context)")
        if let note {
          let lines = piped.stderr.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
          #expect(lines.first?.hasPrefix("strata: note: <stdin>: \(note)") == true, "\(context): \(piped.stderr)")
          #expect(lines.count == 2 && String(lines[1]) == expectedError, "\(context): \(piped.stderr)")
        } else {
          #expect(piped.stderr == expectedError, "\(context): \(piped.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool) == [], "\(context): a file was left")
      }
    }
    #expect(sawRepeats)
  }

  /// The benchmark's rows (`Benchmarks/analyze_bench.yaml`), `rows` of them (about 23 bytes each), with the units of
  /// rows 5 and 400,000 again at rows 450,000 and 900,000 (when there are so many): repeats in the second and third
  /// chunks of 8 MiB.
  static func benchmarkRows(_ rows: Int) -> String {
    var text = "unit_id,variant,segment,converted,revenue\n"
    text.reserveCapacity(rows * 26)
    let variants = ["control", "v1", "v2"]
    for row in 0..<rows {
      let unit = row == 450_000 ? 5 : row == 900_000 ? 400_000 : row
      text += "u\(unit),\(variants[row % 3]),s\(row % 5 + 1),\(row % 7 == 0 ? 1 : 0),\(row % 97).\(row % 89)\n"
    }
    return text
  }

  @Test(
    "a pipe longer than a chunk: read as it arrives, the file's outputs with repeats in later chunks, and when the copy stops after a chunk was read",
    arguments: ["--json --threads 1", "--json --threads 2", "--json --threads 2 --strict"])
  func pipeBeyondAChunk(_ options: String) throws {
    let data = path("long-data.csv")
    try Self.benchmarkRows(1_100_000).write(toFile: data, atomically: true, encoding: .utf8)
    let spool = path("spool")
    try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
    let experiment = Self.root.appendingPathComponent("Benchmarks/analyze_bench.yaml").path
    let command = "\"$0\" analyze --experiment \"$1\" --no-look-log \(options) --data"
    let file = try shell(command + " \"$2\"", [experiment, data])
    let expected = file.stdout.replacingOccurrences(of: try StandardInputCLITests.jsonString(data), with: "\"-\"")
    let expectedError = file.stderr.replacingOccurrences(of: data, with: "<stdin>")
    if options.contains("--strict") {
      #expect(file.status == 1 && file.stderr.contains(":450002: row repeats unit \"u5\""), "\(file.stderr)")
    } else {
      #expect(file.status == 0 && file.stderr.isEmpty && file.stdout.contains("\"duplicate_unit\""), "\(file.stderr)")
    }
    // 12 MiB (/bin/sh counts 512-byte blocks): the copy stops in the second chunk, after the first was read and its
    // units logged.
    for (label, limit, note) in [("copied", "", nil), ("copy stopped", "ulimit -f 24576; ", "the temporary copy in")] {
      let piped = try shell(
        "cat \"$2\" | (\(limit)TMPDIR=\"$3\" exec " + command + " -)", [experiment, data, spool])
      let context = "\(options), \(label)"
      #expect(piped.status == file.status, "\(context): \(piped.stderr)")
      #expect(piped.stdout == expected, "\(context)")
      if let note {
        let lines = piped.stderr.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        #expect(
          lines.first?.hasPrefix("strata: note: <stdin>: \(note) \(spool) stopped after 12582912 bytes") == true,
          "\(context): \(piped.stderr)")
        #expect(lines.count == 2 && String(lines[1]) == expectedError, "\(context): \(piped.stderr)")
      } else {
        #expect(piped.stderr == expectedError, "\(context): \(piped.stderr)")
      }
      #expect(try FileManager.default.contentsOfDirectory(atPath: spool) == [], "\(context): a file was left")
    }
  }

  /// Runs `script` with `/bin/sh` in the temporary directory.
  ///
  /// `$0` is `strata`, `$1`... are `arguments`.
  func shell(_ script: String, _ arguments: [String]) throws -> StrataRun {
    try runExecutable(
      URL(fileURLWithPath: "/bin/sh"), ["-c", script, strataExecutableURL().path] + arguments,
      currentDirectory: directory, environment: ["SOURCE_DATE_EPOCH": "1795305600"])
  }
}
