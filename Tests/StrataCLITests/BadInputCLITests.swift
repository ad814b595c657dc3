import Foundation
import StrataTestSupport
import Testing

/// Bad input found by an adversarial pass on 2026-12-07 (task hbad): each test failed on main a48b47a (a hang, or
/// a message that did not say what was wrong) and passes now.
@Suite("Bad input: hangs and unclear messages")
struct BadInputCLITests {
  static let root = packageRootURL()
  static let gym = root.appendingPathComponent("experiments/gym-renewal.yaml").path
  static let gymData = root.appendingPathComponent("experiments/data/gym-renewal.csv").path

  /// `strata` with `arguments` under coreutils' `timeout`: a hang ends with SIGKILL after `seconds` instead of
  /// stalling the run (a SIGTERM from `timeout` did not end the hung process started from the test).
  static func runStrataWithin(seconds: Int, _ arguments: [String]) throws -> StrataRun {
    try runExecutable(
      URL(fileURLWithPath: "/usr/bin/timeout"), ["-s", "KILL", "\(seconds)", strataExecutableURL().path] + arguments)
  }

  @Test("analyze ends on a CSV with one revenue value of 1e75 or 1e80 (REML's Fisher scoring looped for ever)")
  func hugeValueDoesNotHang() throws {
    let directory = try makeTemporaryDirectory("strata-bad-input")
    defer { try? FileManager.default.removeItem(at: directory) }
    var lines = try String(contentsOfFile: Self.gymData, encoding: .utf8).split(
      separator: "\n", omittingEmptySubsequences: false)
    #expect(lines[2] == "M219611,control,medium,1,480.00")
    for value in ["1e75", "1e80"] {
      lines[2] = "M219611,control,medium,1,\(value)"
      let data = directory.appendingPathComponent("huge.csv")
      try lines.joined(separator: "\n").write(to: data, atomically: true, encoding: .utf8)
      let run = try Self.runStrataWithin(
        seconds: 60, ["analyze", "--experiment", Self.gym, "--data", data.path, "--no-look-log", "--json"])
      #expect(run.status == 0, "\(value): exit \(run.status): \(run.stderr.prefix(300))")
      guard run.status == 0 else { continue }
      let json = try run.json()
      #expect(json["pooled"] != nil)
    }
  }

  static let members = root.appendingPathComponent("experiments/data/gym-members.csv").path
  static let audience = root.appendingPathComponent("experiments/data/gym-audience.csv").path

  /// The four commands that read a CSV header, each given `file`.
  static func readers(of file: String, output directory: URL) -> [[String]] {
    [
      ["analyze", "--experiment", gym, "--data", file, "--no-look-log", "--json"],
      ["assign", "--experiment", gym, "--input", file, "--output", directory.appendingPathComponent("a.csv").path],
      [
        "discover", "--input", file, "--unit", "member_id", "--features", "checkins_90d", "--output",
        directory.appendingPathComponent("d.yaml").path,
      ],
    ]
  }

  @Test("a UTF-16 CSV is named as such in one sentence (the header's names were echoed with a NUL between bytes)")
  func utf16FilesAreNamed() throws {
    let directory = try makeTemporaryDirectory("strata-bad-input")
    defer { try? FileManager.default.removeItem(at: directory) }
    for (source, encoding, name) in [
      (Self.gymData, String.Encoding.utf16LittleEndian, "UTF-16LE"), (Self.members, .utf16, "UTF-16"),
      (Self.audience, .utf16BigEndian, "UTF-16BE"),
    ] {
      let text = try String(contentsOfFile: source, encoding: .utf8)
      let file = directory.appendingPathComponent("utf16.csv")
      // `.utf16` writes a byte-order mark; the explicit endiannesses write none.
      try text.write(to: file, atomically: true, encoding: encoding)
      for arguments in Self.readers(of: file.path, output: directory) {
        let run = try runStrata(arguments)
        #expect(run.status == 1, "\(arguments[0]) \(encoding): \(run.stderr.prefix(300))")
        #expect(
          run.stderr.contains("utf16.csv:1: is UTF-16 text"), "\(arguments[0]) \(encoding): \(run.stderr.prefix(300))")
        #expect(!run.stderr.contains("\\u{0}") && run.stderr.split(separator: "\n").count == 1)
        #expect(run.stderr.contains("(e.g. iconv -f \(name) -t UTF-8 < IN > OUT)"), "\(encoding): \(run.stderr)")
      }
      // The command it suggests gives the file's text back (plain UTF-16 without a mark is read in one byte order
      // only, so the form is named).
      let iconv = Process()
      iconv.executableURL = URL(fileURLWithPath: "/usr/bin/iconv")
      iconv.arguments = ["-f", name, "-t", "UTF-8", file.path]
      let output = Pipe()
      iconv.standardOutput = output
      try iconv.run()
      let converted = output.fileHandleForReading.readDataToEndOfFile()
      iconv.waitUntilExit()
      #expect(String(decoding: converted, as: UTF8.self) == text, "\(name)")
    }
  }

  @Test("discover names CR-only line ends as analyze and assign do (it echoed the file as the header)")
  func discoverNamesCarriageReturnLineEnds() throws {
    let directory = try makeTemporaryDirectory("strata-bad-input")
    defer { try? FileManager.default.removeItem(at: directory) }
    let text = try String(contentsOfFile: Self.audience, encoding: .utf8).replacingOccurrences(of: "\n", with: "\r")
    let file = directory.appendingPathComponent("cr.csv")
    try text.write(to: file, atomically: true, encoding: .utf8)
    let run = try runStrata(Self.readers(of: file.path, output: directory)[2])
    #expect(run.status == 1)
    #expect(run.stderr.contains("cr.csv:1: lines end with a carriage return alone"), "\(run.stderr.prefix(300))")
    #expect(run.stderr.count < 400)
  }
}
