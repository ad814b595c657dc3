import Foundation
import StrataTestSupport
import Testing

/// A directory given where a file is read: one sentence saying it is a directory (was "cannot read the look log:
/// the file could not be read" and "cannot read the keys file", found by hrobust's sweep, cases 309, 367, 401).
@Suite("A directory named as the look log or the keys file")
struct UnreadableFileCLITests {
  let directory: URL

  init() throws {
    directory = try makeTemporaryDirectory("strata-looks")
  }

  @Test("looks list and analyze: --look-log naming a directory")
  func lookLogDirectory() throws {
    let log = directory.appendingPathComponent("looks")
    try FileManager.default.createDirectory(at: log, withIntermediateDirectories: true)
    let list = try runStrata(["looks", "list", "--look-log", log.path])
    #expect(list.status == 1 && list.stdout.isEmpty)
    #expect(
      list.stderr
        == "strata: error: \(log.path): is a directory, not a look log (a file of JSON lines, one per look, that strata analyze writes)\n"
    )
    let analyze = try runStrata([
      "analyze", "--experiment", AnalyzeCommandTests.experiment, "--data", AnalyzeCommandTests.data, "--look-log",
      log.path, "--json",
    ])
    #expect(analyze.status == 1 && analyze.stdout.isEmpty)
    #expect(analyze.stderr.contains("\(log.path): is a directory, not a look log"), "\(analyze.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: log.path).isEmpty)
  }

  @Test("keys new: --keys naming a directory")
  func keysDirectory() throws {
    let keys = directory.appendingPathComponent("keys")
    try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
    let run = try runStrata(["keys", "new", "--role", "client", "--name", "web", "--keys", keys.path])
    #expect(run.status == 1 && run.stdout.isEmpty)
    #expect(
      run.stderr
        == "strata: error: \(keys.path): is a directory, not a keys file (JSON lines that `strata keys new` writes)\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: keys.path).isEmpty)
  }
}
