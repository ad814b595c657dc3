import Foundation
import StrataTestSupport
import Testing

/// A write to standard output that fails (a full disk: `/dev/full`) ends the command with one sentence on
/// stderr and exit 1, not exit 0 with the output lost.
///
/// `/dev/full` is only written to, as standard output.
@Suite("A failed write of standard output")
struct StandardOutputFailureCLITests {
  static let sentence = "strata: error: could not write standard output: No space left on device"

  static var fullDeviceExists: Bool { FileManager.default.fileExists(atPath: "/dev/full") }

  @Test(
    "every kind of command: text, JSON written in chunks, a table; one sentence, exit 1",
    .enabled(if: fullDeviceExists))
  func commandsExitOne() throws {
    let commands: [[String]] = [
      ["calc", "proportions", "--a", "300,2000", "--b", "255,2000"],
      ["calc", "proportions", "--a", "300,2000", "--b", "255,2000", "--json"],
      ["calc", "boundaries", "--looks", "3", "--spending", "obf", "--json"],
      ["analyze", "--experiment", AnalyzeCommandTests.experiment, "--data", AnalyzeCommandTests.data, "--no-look-log"],
      [
        "analyze", "--experiment", AnalyzeCommandTests.experiment, "--data", AnalyzeCommandTests.data,
        "--no-look-log", "--json",
      ],
      ["validate", AnalyzeCommandTests.experiment],
      ["plan", "--metric", "proportion", "--baseline", "0.58", "--mde", "0.05", "--variants", "3"],
    ]
    for command in commands {
      let run = try runStrata(command, standardOutput: "/dev/full")
      #expect(run.status == 1, "\(command): \(run.stderr)")
      #expect(run.stderr == Self.sentence + "\n", "\(command): \(run.stderr)")
    }
  }

  @Test("a look recorded before its output was lost is named, with its undo", .enabled(if: fullDeviceExists))
  func recordedLookIsNamed() throws {
    let directory = try makeTemporaryDirectory("strata-looks")
    let log = directory.appendingPathComponent("gym.looks.jsonl").path
    for json in [false, true] {
      try? FileManager.default.removeItem(atPath: log)
      let run = try runStrata(
        [
          "analyze", "--experiment", AnalyzeCommandTests.experiment, "--data", AnalyzeCommandTests.data, "--look-log",
          log,
        ]
          + (json ? ["--json"] : []), standardOutput: "/dev/full")
      #expect(run.status == 1, "\(run.stderr)")
      let expected =
        "\(Self.sentence); look 1 of 3 was recorded in \(log) all the same "
        + "(undo: strata looks drop --look-log \(log) --look 1)"
      #expect(run.stderr.contains(expected), "\(run.stderr)")
      #expect(try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").count == 1)
    }
  }

  @Test(
    "help and the version on a full standard output: one sentence, exit 1 (the parser's own exit was 0)",
    .enabled(if: fullDeviceExists),
    arguments: [
      ["--help"], ["-h"], ["help"], ["calc", "proportions", "--help"], ["analyze", "--help"], ["--version"],
    ])
  func helpAndVersionExitOne(arguments: [String]) throws {
    let run = try runStrata(arguments, standardOutput: "/dev/full")
    #expect(run.status == 1, "\(arguments): \(run.stderr)")
    #expect(run.stderr == Self.sentence + "\n", "\(arguments): \(run.stderr)")
  }

  @Test("help and the version on a working standard output: printed, exit 0, nothing on stderr")
  func helpAndVersionStillPrint() throws {
    let help = try runStrata(["calc", "proportions", "--help"])
    #expect(help.status == 0 && help.stderr.isEmpty, "\(help.stderr)")
    #expect(help.stdout.contains("USAGE: strata calc proportions"), "\(help.stdout)")
    let version = try runStrata(["--version"])
    #expect(version.status == 0 && version.stderr.isEmpty && version.stdout.contains("0.1.0"))
  }

  @Test("help on a pipe whose reader has gone: SIGPIPE ends it as usual (status 141 in a shell)")
  func helpOnClosedPipe() throws {
    let pipe = Pipe()
    try pipe.fileHandleForReading.close()
    let process = Process()
    process.executableURL = strataExecutableURL()
    process.arguments = ["--help"]
    process.standardOutput = pipe.fileHandleForWriting
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    try pipe.fileHandleForWriting.close()
    process.waitUntilExit()
    #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGPIPE)
  }
}
