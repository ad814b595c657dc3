import Foundation
import StrataTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Inputs found by feeding every command bad values: each now one sentence naming the flag or file, exit 1 or 64.
@Suite("Bad flags and files found by the sweep")
struct FlagSweepCLITests {
  @Test("plan --n counts units: a fractional one is refused (was a power for 1.5 units); a whole one still works")
  func fractionalUnits() throws {
    let base = ["plan", "--metric", "proportion", "--baseline", "0.5"]
    for extra in [["--mde", "0.05", "--n", "1.5"], ["--n", "1000.25"]] {
      let run = try runStrata(base + extra)
      #expect(run.status == 1, "\(extra): \(run.stdout)")
      #expect(run.stderr.hasPrefix("strata: error: --n: must be a whole number of units per variant, got "))
    }
    let whole = try runStrata(base + ["--mde", "0.05", "--n", "1000", "--json"])
    #expect(whole.status == 0, "\(whole.stderr)")
  }

  @Test("a negative value after an option names it and how to write it (was 'Missing value for')")
  func negativeValueAfterOption() throws {
    let cases: [([String], String)] = [
      (["calc", "proportions", "--a", "300,2000", "--b", "255,2000", "--alpha", "-0.1"], "--alpha=-0.1"),
      (["calc", "ttest", "--a", "-100,5,1", "--b", "100,5.2,1"], "--a=-100,5,1"),
      (["simulate", "pooling", "--tau", "-.5"], "--tau=-.5"),
    ]
    for (arguments, spelled) in cases {
      let run = try runStrata(arguments)
      #expect(run.status == 64, "\(arguments): \(run.stderr)")
      #expect(
        run.stderr.contains("a value that starts with '-' is read as an option here; write \(spelled)"), "\(run.stderr)"
      )
      #expect(!run.stderr.contains("Missing value"), "\(run.stderr)")
    }
    // Written with '=', the value reaches the command, which names what is wrong with it.
    let written = try runStrata(["calc", "proportions", "--a", "300,2000", "--b", "255,2000", "--alpha=-0.1"])
    #expect(written.status != 0 && written.stderr.contains("alpha"), "\(written.stderr)")
    // A value really missing keeps the parser's message.
    let missing = try runStrata(["calc", "proportions", "--a", "300,2000", "--b", "255,2000", "--alpha"])
    #expect(missing.status == 64 && missing.stderr.contains("Missing value for '--alpha"), "\(missing.stderr)")
  }

  @Test("simulate pooling --flat-prior without --tau-prior-scale is a usage error (it was ignored)")
  func flatPriorAlone() throws {
    let run = try runStrata(["simulate", "pooling", "--flat-prior", "--campaigns", "5"])
    #expect(run.status == 64)
    #expect(run.stderr.contains("--flat-prior applies with --tau-prior-scale"), "\(run.stderr)")
    let both = try runStrata(
      ["simulate", "pooling", "--flat-prior", "--tau-prior-scale", "0.01", "--campaigns", "5", "--json"])
    #expect(both.status == 0, "\(both.stderr)")
  }

  @Test("an SQLite path that is a directory or not a database: one sentence naming it (was GRDB's statement)")
  func sqlitePaths() throws {
    let directory = try makeTemporaryDirectory("strata-assign")
    let text = directory.appendingPathComponent("notes.txt").path
    try String(repeating: "not a database\n", count: 100).write(toFile: text, atomically: true, encoding: .utf8)
    let notDatabase = try runStrata(["looks", "list", "--database", "sqlite:\(text)", "--experiment", "x"])
    #expect(notDatabase.status == 1)
    #expect(notDatabase.stderr == "strata: error: \(text): cannot open the database (it is not an SQLite database)\n")
    let audit = try runStrata(["audit", "verify", "--database", "sqlite:\(text)"])
    #expect(audit.status == 1)
    #expect(audit.stderr == "strata: error: \(text): cannot open the database (it is not an SQLite database)\n")
    let folder = try runStrata(["audit", "verify", "--database", "sqlite:\(directory.path)"])
    #expect(folder.status == 1)
    #expect(
      folder.stderr
        == "strata: error: \(directory.path): cannot open the database (it is a directory, not a database file)\n")
  }

  @Test("analyze --data naming one file twice (or through a link) is refused: its rows would count twice")
  func sameDataFileTwice() throws {
    let directory = try makeTemporaryDirectory("strata-assign")
    let link = directory.appendingPathComponent("again.csv").path
    #expect(symlink(AnalyzeCommandTests.data, link) == 0)
    for second in [AnalyzeCommandTests.data, link] {
      let run = try runStrata([
        "analyze", "--experiment", AnalyzeCommandTests.experiment, "--data", AnalyzeCommandTests.data, second,
        "--no-look-log", "--no-duplicate-check",
      ])
      #expect(run.status == 1)
      #expect(
        run.stderr
          == "strata: error: --data \(second) is the same file as --data \(AnalyzeCommandTests.data): the parts of "
          + "a data set add up, so its rows would count twice; give each file once\n", "\(run.stderr)")
    }
  }

  @Test("serve --experiments naming a file or nothing: one sentence saying so (was Foundation's error 256)")
  func experimentsNotADirectory() throws {
    let directory = try makeTemporaryDirectory("strata-assign")
    let database = "sqlite:" + directory.appendingPathComponent("s.db").path
    let missing = directory.appendingPathComponent("missing").path
    let cases = [
      (
        AssignCommandTests.gym,
        "\(AssignCommandTests.gym): is a file, not a directory (--experiments names a directory; every *.yaml in it is "
          + "served)"
      ),
      (missing, "\(missing): no such experiments directory"),
    ]
    for (path, sentence) in cases {
      let run = try runStrata(["serve", "--experiments", path, "--database", database, "--port", "0"])
      #expect(run.status == 1)
      #expect(run.stderr.contains(sentence), "\(run.stderr)")
    }
  }

  @Test(
    "discover: an output naming the input is refused even with --force (it replaced the audience); two outputs on one path"
  )
  func discoverOutputOverInput() throws {
    let directory = try makeTemporaryDirectory("strata-assign")
    let audience = directory.appendingPathComponent("audience.csv").path
    let original = try String(contentsOfFile: DiscoverCommandTests.audience, encoding: .utf8)
    try original.write(toFile: audience, atomically: true, encoding: .utf8)
    let base = ["discover", "--input", audience, "--unit", "member_id", "--features", "checkins_90d", "--force"]
    let overInput = try runStrata(base + ["--output", audience])
    #expect(overInput.status == 1)
    #expect(
      overInput.stderr
        == "strata: error: --output \(audience) is the same file as --input \(audience); writing there would replace "
        + "it, so choose another path\n", "\(overInput.stderr)")
    #expect(try String(contentsOfFile: audience, encoding: .utf8) == original)
    let output = directory.appendingPathComponent("d.yaml").path
    let twice = try runStrata(base + ["--output", output, "--confirmation-output", output])
    #expect(twice.status == 1)
    #expect(
      twice.stderr
        == "strata: error: --confirmation-output \(output) and --output \(output) name the same file; give two paths\n",
      "\(twice.stderr)")
  }
}
