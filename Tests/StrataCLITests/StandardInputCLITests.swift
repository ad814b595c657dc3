import Foundation
import StrataTestSupport
import Testing

/// `-` is standard input (and `assign --output -` standard output), as for every Unix tool.
///
/// Each run goes through `/bin/sh`, so standard input is a real pipe (`cat FILE |`) or a redirected file (`< FILE`);
/// the same command on the file is the reference. Everything is written in a temporary directory.
@Suite("Standard input as -")
struct StandardInputCLITests {
  static let root = packageRootURL()
  let directory: URL

  init() throws {
    directory = try makeTemporaryDirectory("strata-assign")
  }

  func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

  /// Runs `script` with `/bin/sh` in the temporary directory.
  ///
  /// `$0` is `strata`, `$1`... are `arguments`. Looks are recorded at a fixed time, so two runs print the same
  /// timestamps.
  func shell(_ script: String, _ arguments: [String]) throws -> StrataRun {
    try runExecutable(
      URL(fileURLWithPath: "/bin/sh"), ["-c", script, strataExecutableURL().path] + arguments,
      currentDirectory: directory, environment: ["SOURCE_DATE_EPOCH": "1795305600"])
  }

  /// `"path"` as the JSON writes a string.
  static func jsonString(_ text: String) throws -> String {
    String(
      decoding: try JSONSerialization.data(withJSONObject: [text], options: .withoutEscapingSlashes), as: UTF8.self
    )
    .dropFirst().dropLast().description
  }

  @Test(
    "analyze --data - gives the file's JSON byte for byte, apart from data.file",
    arguments: ["gym-renewal", "basket-bundle", "email-factorial", "lin"])
  func analyzeJSONMatchesTheFile(_ example: String) throws {
    // Lin's regression reads a file twice and keeps a pipe's rows: both must agree.
    let experiment =
      example == "lin"
      ? AnalyzeLinCLITests.experiment : Self.root.appendingPathComponent("experiments/\(example).yaml").path
    let data =
      example == "lin"
      ? AnalyzeLinCLITests.data : Self.root.appendingPathComponent("experiments/data/\(example).csv").path
    let command = "\"$0\" analyze --experiment \"$1\" --no-look-log --json --data"
    let file = try shell(command + " \"$2\"", [experiment, data])
    #expect(file.status == 0, "\(file.stderr)")
    let quoted = try Self.jsonString(data)
    #expect(file.stdout.contains(quoted), "the file's JSON does not name \(data)")
    let expected = file.stdout.replacingOccurrences(of: quoted, with: "\"-\"")
    for script in [command + " - < \"$2\"", "cat \"$2\" | " + command + " -"] {
      let piped = try shell(script, [experiment, data])
      #expect(piped.status == 0, "\(script): \(piped.stderr)")
      #expect(piped.stdout == expected, "\(script)")
    }
    let json = try #require(try JSONSerialization.jsonObject(with: Data(expected.utf8)) as? [String: Any])
    let account = try #require(json["data"] as? [String: Any])
    #expect(account["file"] as? String == "-")
  }

  @Test("analyze: a fixed design on standard input keeps no look log; files named - and -.looks.jsonl are not read")
  func fixedDesignWritesNoLookLog() throws {
    let experiment = Self.root.appendingPathComponent("experiments/basket-bundle.yaml").path
    let data = Self.root.appendingPathComponent("experiments/data/basket-bundle.csv").path
    try "not,a,data,file\n".write(toFile: path("-"), atomically: true, encoding: .utf8)
    try "not a look log\n".write(toFile: path("-.looks.jsonl"), atomically: true, encoding: .utf8)
    let run = try shell("\"$0\" analyze --experiment \"$1\" --json --data - < \"$2\"", [experiment, data])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.isEmpty, "\(run.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["-", "-.looks.jsonl"])
    #expect(try String(contentsOfFile: path("-.looks.jsonl"), encoding: .utf8) == "not a look log\n")
  }

  @Test("analyze: - twice is a usage error in one sentence")
  func standardInputTwiceIsRefused() throws {
    let experiment = Self.root.appendingPathComponent("experiments/basket-bundle.yaml").path
    let run = try shell("\"$0\" analyze --experiment \"$1\" --data - - --json < /dev/null", [experiment])
    #expect(run.status == 64)
    #expect(run.stderr.contains("--data - (standard input) can be given only once"), "\(run.stderr)")
    #expect(run.stdout.isEmpty)
  }

  @Test("analyze: a sequential plan on standard input needs --look-log FILE or --no-look-log")
  func sequentialPlanNeedsALookLog() throws {
    let experiment = Self.root.appendingPathComponent("experiments/gym-renewal.yaml").path
    let data = Self.root.appendingPathComponent("experiments/data/gym-renewal.csv").path
    let refused = try shell("\"$0\" analyze --experiment \"$1\" --json --data - < \"$2\"", [experiment, data])
    #expect(refused.status == 1)
    #expect(
      refused.stderr
        == "strata: error: --data - (standard input) with a sequential plan needs --look-log FILE to record the look in, or --no-look-log\n"
    )
    #expect(refused.stdout.isEmpty)
    let logged = try shell(
      "\"$0\" analyze --experiment \"$1\" --json --data - --look-log \"$3\" < \"$2\"",
      [experiment, data, path("looks.jsonl")])
    #expect(logged.status == 0, "\(logged.stderr)")
    #expect(logged.stderr.contains("Recorded look 1 of 3 in \(path("looks.jsonl"))"), "\(logged.stderr)")
    #expect(FileManager.default.fileExists(atPath: path("looks.jsonl")))
    #expect(!FileManager.default.fileExists(atPath: path("-.looks.jsonl")))
  }

  @Test("analyze: a sequential plan on a data path that is not a regular file (/dev/fd/0, a pipe) needs a look log")
  func sequentialPlanOnAPipePathNeedsALookLog() throws {
    let experiment = Self.root.appendingPathComponent("experiments/gym-renewal.yaml").path
    let data = Self.root.appendingPathComponent("experiments/data/gym-renewal.csv").path
    let refused = try shell(
      "cat \"$2\" | \"$0\" analyze --experiment \"$1\" --json --data /dev/fd/0", [experiment, data])
    #expect(refused.status == 1)
    #expect(
      refused.stderr
        == "strata: error: --data /dev/fd/0 (not a regular file) with a sequential plan needs --look-log FILE to record the look in, or --no-look-log\n"
    )
    #expect(refused.stdout.isEmpty)
    let file = try shell("\"$0\" analyze --experiment \"$1\" --json --no-look-log --data \"$2\"", [experiment, data])
    #expect(file.status == 0, "\(file.stderr)")
    let unlogged = try shell(
      "cat \"$2\" | \"$0\" analyze --experiment \"$1\" --json --no-look-log --data /dev/fd/0", [experiment, data])
    #expect(unlogged.status == 0, "\(unlogged.stderr)")
    #expect(
      unlogged.stdout.replacingOccurrences(of: "\"/dev/fd/0\"", with: "\"DATA\"")
        == file.stdout.replacingOccurrences(of: try Self.jsonString(data), with: "\"DATA\""))
    let logged = try shell(
      "cat \"$2\" | \"$0\" analyze --experiment \"$1\" --json --data /dev/fd/0 --look-log \"$3\"",
      [experiment, data, path("looks.jsonl")])
    #expect(logged.status == 0, "\(logged.stderr)")
    #expect(logged.stderr.contains("Recorded look 1 of 3 in \(path("looks.jsonl"))"), "\(logged.stderr)")
  }

  @Test("analyze: a sequential plan on /dev/stdin redirected from a regular file needs a look log, as on -")
  func sequentialPlanOnADevicePathNeedsALookLog() throws {
    let experiment = Self.root.appendingPathComponent("experiments/gym-renewal.yaml").path
    // A copy in the temporary directory: a regular file, redirected, so /dev/stdin and /dev/fd/0 lead to it.
    let data = path("data.csv")
    try FileManager.default.copyItem(
      atPath: Self.root.appendingPathComponent("experiments/data/gym-renewal.csv").path, toPath: data)
    try expectNoDefaultLookLog(["/dev/stdin", "/dev/fd/0", "/proc/self/fd/0", "/dev/../dev/stdin"], experiment, data)
    let unlogged = try shell(
      "\"$0\" analyze --experiment \"$1\" --json --no-look-log --data /dev/stdin < \"$2\"", [experiment, data])
    #expect(unlogged.status == 0, "\(unlogged.stderr)")
    let logged = try shell(
      "\"$0\" analyze --experiment \"$1\" --json --data /dev/stdin --look-log \"$3\" < \"$2\"",
      [experiment, data, path("looks.jsonl")])
    #expect(logged.status == 0, "\(logged.stderr)")
    #expect(logged.stderr.contains("Recorded look 1 of 3 in \(path("looks.jsonl"))"), "\(logged.stderr)")
    // The file by its own name keeps its default log next to it.
    let named = try shell("\"$0\" analyze --experiment \"$1\" --json --data \"$2\"", [experiment, data])
    #expect(named.status == 0, "\(named.stderr)")
    #expect(FileManager.default.fileExists(atPath: path("data.csv.looks.jsonl")))
  }

  /// `analyze` of `data` redirected to stdin, named as each of `names` with a sequential plan and no look-log
  /// option, is refused with the one sentence that asks for `--look-log` or `--no-look-log`, and prints nothing.
  func expectNoDefaultLookLog(_ names: [String], _ experiment: String, _ data: String) throws {
    for name in names {
      let refused = try shell(
        "\"$0\" analyze --experiment \"$1\" --json --data \"$3\" < \"$2\"", [experiment, data, name])
      #expect(refused.status == 1, "\(name): \(refused.stderr)")
      #expect(
        refused.stderr
          == "strata: error: --data \(name) (a path under /dev or /proc) with a sequential plan needs --look-log FILE to record the look in, or --no-look-log\n"
      )
      #expect(refused.stdout.isEmpty, "\(name)")
    }
  }

  /// Whether `/dev/shm` is a directory this process can write to (a tmpfs on Linux; absent on macOS).
  static let devShmIsWritable = access("/dev/shm", W_OK) == 0

  @Test(
    "analyze: a regular file under /dev (/dev/shm/…) keeps its default look log next to it; /dev/stdin does not",
    .enabled(if: devShmIsWritable, "needs a writable /dev/shm (a tmpfs) to put a regular file under /dev"))
  func regularFileUnderDevKeepsItsDefaultLookLog() throws {
    let experiment = Self.root.appendingPathComponent("experiments/gym-renewal.yaml").path
    let data = "/dev/shm/strata-test-\(UUID().uuidString).csv"
    let log = data + ".looks.jsonl"
    defer {
      try? FileManager.default.removeItem(atPath: data)
      try? FileManager.default.removeItem(atPath: log)
    }
    try FileManager.default.copyItem(
      atPath: Self.root.appendingPathComponent("experiments/data/gym-renewal.csv").path, toPath: data)
    let named = try shell("\"$0\" analyze --experiment \"$1\" --json --data \"$2\"", [experiment, data])
    #expect(named.status == 0, "\(named.stderr)")
    #expect(named.stderr.contains("Recorded look 1 of 3 in \(log)"), "\(named.stderr)")
    #expect(FileManager.default.fileExists(atPath: log))
    // The same file through /dev/stdin is still refused, and a link to it under /dev is not a regular file by its
    // own name.
    let link = data + ".link"
    defer { try? FileManager.default.removeItem(atPath: link) }
    #expect(symlink(data, link) == 0)
    try expectNoDefaultLookLog(["/dev/stdin", link], experiment, data)
  }

  @Test("analyze: a bad value on standard input names <stdin>, the line and the column")
  func badValueNamesStandardInput() throws {
    let experiment = Self.root.appendingPathComponent("experiments/gym-renewal.yaml").path
    let csv = "member_id,variant,segment,renewed,revenue\nM1,control,low,1,360\nM2,control,low,1,abc\n"
    let run = try shell(
      "printf '%s' \"$2\" | \"$0\" analyze --experiment \"$1\" --no-look-log --strict --data -", [experiment, csv])
    #expect(run.status == 1)
    #expect(
      run.stderr
        == "strata: error: <stdin>:3: row has \"abc\" for column \"revenue\", which must be a number (--strict)\n")
  }

  @Test("assign --input - and --output - give the file's assignments byte for byte")
  func assignMatchesTheFile() throws {
    try OutputSafetyCLITests.members.write(toFile: path("m.csv"), atomically: true, encoding: .utf8)
    let experiment = AssignCommandTests.gym
    let file = try shell("\"$0\" assign --experiment \"$1\" --input m.csv --output file.csv", [experiment])
    #expect(file.status == 0, "\(file.stderr)")
    let expected = try String(contentsOfFile: path("file.csv"), encoding: .utf8)
    #expect(expected.hasPrefix("member_id,segment,variant,bucket,eligible,reason\n"))

    let piped = try shell("cat m.csv | \"$0\" assign --experiment \"$1\" --input - --output piped.csv", [experiment])
    #expect(piped.status == 0, "\(piped.stderr)")
    #expect(try String(contentsOfFile: path("piped.csv"), encoding: .utf8) == expected)

    for stratified in ["", " --stratified"] {
      let reference = try shell(
        "\"$0\" assign --experiment \"$1\" --input m.csv --output ref.csv\(stratified)", [experiment])
      #expect(reference.status == 0, "\(reference.stderr)")
      let out = try shell("\"$0\" assign --experiment \"$1\" --input - --output -\(stratified) < m.csv", [experiment])
      #expect(out.status == 0, "\(out.stderr)")
      #expect(out.stdout == (try String(contentsOfFile: path("ref.csv"), encoding: .utf8)))
      #expect(out.stderr.contains("wrote the assignments to standard output"), "\(out.stderr)")
    }

    let json = try shell("\"$0\" assign --experiment \"$1\" --input m.csv --output - --json", [experiment])
    #expect(json.status == 0, "\(json.stderr)")
    #expect(json.stdout == expected)
    let summary = try #require(try JSONSerialization.jsonObject(with: Data(json.stderr.utf8)) as? [String: Any])
    #expect(summary["output"] as? String == "-")
    #expect(summary["rows"] as? Int == 4)
  }

  @Test("assign: a bad row on standard input names <stdin>; input and output the same file is refused")
  func assignErrors() throws {
    let experiment = AssignCommandTests.gym
    let csv =
      "member_id,marketing_opt_in,membership_months,status,checkins_90d\nM-1,true,14,active,30\n,true,3,active,2\n"
    let bad = try shell(
      "printf '%s' \"$2\" | \"$0\" assign --experiment \"$1\" --input - --output out.csv", [experiment, csv])
    #expect(bad.status == 0, "\(bad.stderr)")
    #expect(bad.stderr.contains("strata: bad row: <stdin>:3: "), "\(bad.stderr)")

    try OutputSafetyCLITests.members.write(toFile: path("m.csv"), atomically: true, encoding: .utf8)
    let same = try shell("\"$0\" assign --experiment \"$1\" --input - --output m.csv < m.csv", [experiment])
    #expect(same.status == 1)
    #expect(same.stderr.contains("is the same file as --input -"), "\(same.stderr)")
    #expect(try String(contentsOfFile: path("m.csv"), encoding: .utf8) == OutputSafetyCLITests.members)
  }

  @Test("discover --input - writes the file's segments; with --confirmation-output it is refused in one sentence")
  func discoverReadsStandardInputOnce() throws {
    let audience = Self.root.appendingPathComponent("experiments/data/gym-audience.csv").path
    let command =
      "\"$0\" discover --unit member_id --features checkins_90d,tenure_months,classes_90d --k 2..3 --seed 7"
    let file = try shell(command + " --input \"$1\" --output file.yaml", [audience])
    #expect(file.status == 0, "\(file.stderr)")
    let piped = try shell("cat \"$1\" | " + command + " --input - --output piped.yaml", [audience])
    #expect(piped.status == 0, "\(piped.stderr)")
    // The second line is the comment naming the input.
    let expected = try String(contentsOfFile: path("file.yaml"), encoding: .utf8).split(separator: "\n")
    let written = try String(contentsOfFile: path("piped.yaml"), encoding: .utf8).split(separator: "\n")
    #expect(written[1].hasPrefix("# Input -: "))
    #expect(expected.count == written.count && expected.count > 10)
    #expect(Array(written.dropFirst(2)) == Array(expected.dropFirst(2)))

    let refused = try shell(
      "cat \"$1\" | " + command + " --input - --output c.yaml --confirmation-output c.csv", [audience])
    #expect(refused.status == 64)
    #expect(refused.stderr.contains("--input - (standard input) cannot go with --confirmation-output"))
    #expect(!FileManager.default.fileExists(atPath: path("c.yaml")))
    #expect(!FileManager.default.fileExists(atPath: path("c.csv")))
  }

  @Test("discover: /dev/stdin from a pipe with --confirmation-output is refused like -; a file named - is not stdin")
  func discoverReadOnceInputs() throws {
    let audience = Self.root.appendingPathComponent("experiments/data/gym-audience.csv").path
    let command =
      "\"$0\" discover --unit member_id --features checkins_90d,tenure_months,classes_90d --k 2..3 --seed 7"
    let refused = try shell(
      "cat \"$1\" | " + command + " --input /dev/stdin --output c.yaml --confirmation-output c.csv", [audience])
    #expect(refused.status == 64)
    #expect(
      refused.stderr.contains("--input /dev/stdin is not a regular file (a pipe or device) and cannot go with "),
      "\(refused.stderr)")
    #expect(!FileManager.default.fileExists(atPath: path("c.yaml")))
    #expect(!FileManager.default.fileExists(atPath: path("c.csv")))

    // A file literally named - in the current directory: --input - still reads the pipe, once.
    let file = try shell(command + " --input \"$1\" --output file.yaml", [audience])
    #expect(file.status == 0, "\(file.stderr)")
    try Data("member_id,checkins_90d,tenure_months,classes_90d\nm1,1,2,3\n".utf8).write(
      to: URL(fileURLWithPath: path("-")))
    let piped = try shell("cat \"$1\" | " + command + " --input - --output piped.yaml", [audience])
    #expect(piped.status == 0, "\(piped.stderr)")
    let expected = try String(contentsOfFile: path("file.yaml"), encoding: .utf8).split(separator: "\n")
    let written = try String(contentsOfFile: path("piped.yaml"), encoding: .utf8).split(separator: "\n")
    #expect(expected.count > 10 && Array(written.dropFirst(2)) == Array(expected.dropFirst(2)))
  }
}
