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

  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("strata-bad-input-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// `strata` with `arguments` under coreutils' `timeout`: a hang ends with SIGKILL after `seconds` instead of
  /// stalling the run (a SIGTERM from `timeout` did not end the hung process started from the test).
  static func runStrataWithin(seconds: Int, _ arguments: [String]) throws -> StrataRun {
    try runExecutable(
      URL(fileURLWithPath: "/usr/bin/timeout"), ["-s", "KILL", "\(seconds)", strataExecutableURL().path] + arguments)
  }

  @Test("analyze ends on a CSV with one revenue value of 1e75 or 1e80 (REML's Fisher scoring looped for ever)")
  func hugeValueDoesNotHang() throws {
    let directory = try Self.temporaryDirectory()
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
}
