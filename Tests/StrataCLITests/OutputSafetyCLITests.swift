import Foundation
import StrataTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Issue 10, "Data safety": the one output writer behind `assign --output`, the reports and the look log.
///
/// It never replaces a device, FIFO or symlink, never overwrites its input, keeps permissions, cleans up after killed
/// runs,
/// writes the report pair as a pair and names the file and the cause of every failure. Everything happens in a
/// temporary directory; no real device is ever a destination.
@Suite("Output safety")
struct OutputSafetyCLITests {
  static let experiment = AssignCommandTests.gym
  static let members = """
    member_id,marketing_opt_in,membership_months,status,checkins_90d
    M-1,true,14,active,30
    M-2,true,3,active,2
    M-3,false,20,active,12
    M-4,true,40,paused,0

    """

  let directory: URL

  init() throws {
    directory = try makeTemporaryDirectory("strata-assign")
    try Self.members.write(to: directory.appendingPathComponent("m.csv"), atomically: true, encoding: .utf8)
  }

  func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

  func assign(output: String, input: String = "m.csv", environment: [String: String] = [:]) throws -> StrataRun {
    try runStrata(
      ["assign", "--experiment", Self.experiment, "--input", input, "--output", output], currentDirectory: directory,
      environment: environment)
  }

  static func fileType(_ path: String) -> mode_t {
    var info = stat()
    guard lstat(path, &info) == 0 else { return 0 }
    return info.st_mode & S_IFMT
  }

  static func mode(_ path: String) -> mode_t {
    var info = stat()
    guard stat(path, &info) == 0 else { return 0 }
    return info.st_mode & 0o7777
  }

  @Test("item 1: a symlinked output writes its target and stays a symlink")
  func symlinkIsFollowed() throws {
    try "old\n".write(toFile: path("real.csv"), atomically: false, encoding: .utf8)
    #expect(symlink("real.csv", path("link.csv")) == 0)
    let run = try assign(output: "link.csv")
    #expect(run.status == 0, "\(run.stderr)")
    #expect(Self.fileType(path("link.csv")) == S_IFLNK)
    let written = try String(contentsOfFile: path("real.csv"), encoding: .utf8)
    #expect(written.hasPrefix("member_id,segment,variant,bucket,eligible,reason\n"))
    #expect(written.contains("M-4,"))
    // A symlink to the null device: the link and the device stay what they are.
    #expect(symlink("/dev/null", path("null-link")) == 0)
    let toNull = try assign(output: "null-link")
    #expect(toNull.status == 0, "\(toNull.stderr)")
    #expect(Self.fileType(path("null-link")) == S_IFLNK)
    #expect(Self.fileType("/dev/null") == S_IFCHR)
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == [
        "link.csv", "m.csv", "null-link", "real.csv",
      ])
  }

  @Test("item 1: a FIFO is written in place for the tool reading it, not replaced by a file")
  func fifoIsStreamed() throws {
    let fifo = path("pipe")
    #expect(mkfifo(fifo, 0o600) == 0)
    // The test holds a reader and a spare writer, so the reader sees end-of-file only once the spare writer
    // closes after strata finished (whether or not strata ever opened the FIFO).
    let reader = open(fifo, O_RDONLY | O_NONBLOCK)
    #expect(reader >= 0)
    let spareWriter = open(fifo, O_WRONLY)
    #expect(spareWriter >= 0)
    _ = fcntl(reader, F_SETFL, fcntl(reader, F_GETFL) & ~O_NONBLOCK)
    let received = ReceivedBytes()
    let thread = Thread {
      var buffer = [UInt8](repeating: 0, count: 4096)
      while true {
        let count = read(reader, &buffer, buffer.count)
        if count <= 0 { break }
        received.append(buffer[0..<count])
      }
      received.finish()
    }
    thread.start()
    let run = try assign(output: "pipe")
    close(spareWriter)
    received.wait()
    close(reader)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(Self.fileType(fifo) == S_IFIFO)
    let text = String(decoding: received.bytes, as: UTF8.self)
    #expect(text.hasPrefix("member_id,segment,variant,bucket,eligible,reason\n"), "\(text)")
    #expect(text.split(separator: "\n").count == 5)
  }

  @Test("item 1: a link to the process's stdout writes to that descriptor, keeping the shell's append mode")
  func standardOutputIsTheDescriptor() throws {
    // A link in the temp directory, never /dev/stdout itself: a broken writer could only replace this link.
    #expect(symlink("/proc/self/fd/1", path("stdout-link")) == 0)
    let run = try runShell(
      "echo previous > appended.txt; \"$STRATA\" assign --experiment \"$EXPERIMENT\" --input m.csv "
        + "--output stdout-link --json >> appended.txt")
    #expect(run.status == 0, "\(run.stderr)")
    #expect(Self.fileType(path("stdout-link")) == S_IFLNK)
    let text = try String(contentsOfFile: path("appended.txt"), encoding: .utf8)
    #expect(text.hasPrefix("previous\nmember_id,segment,variant,bucket,eligible,reason\n"), "\(text)")
  }

  @Test("item 1: a device node is written in place, not replaced (a null device made in the temp directory)")
  func deviceIsStreamed() throws {
    guard getuid() == 0 else { return }  // mknod needs root; CI runs as root
    let device = path("null-device")
    let null: dev_t = (1 << 8) | 3  // makedev(1, 3), the null device (makedev is a C macro)
    #expect(mknod(device, S_IFCHR | 0o666, null) == 0)
    let run = try assign(output: device)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(Self.fileType(device) == S_IFCHR)
  }

  @Test("item 2: --output naming the input (./m.csv, a hard link, a symlink) is refused before reading it")
  func outputSameAsInputIsRefused() throws {
    #expect(link(path("m.csv"), path("hard.csv")) == 0)
    #expect(symlink(path("m.csv"), path("soft.csv")) == 0)
    for (input, output) in [
      ("m.csv", "m.csv"), ("m.csv", "./m.csv"), ("./m.csv", directory.path + "/m.csv"), ("m.csv", "hard.csv"),
      ("m.csv", "soft.csv"), ("soft.csv", "hard.csv"),
    ] {
      let run = try assign(output: output, input: input)
      #expect(run.status == 1, "\(input) → \(output): \(run.stderr)")
      #expect(run.stderr.contains("is the same file as --input"), "\(run.stderr)")
      #expect(try String(contentsOfFile: path("m.csv"), encoding: .utf8) == Self.members)
    }
    // The experiment definition is an input too.
    let copy = path("exp.yaml")
    try FileManager.default.copyItem(atPath: Self.experiment, toPath: copy)
    let overDefinition = try runStrata(
      ["assign", "--experiment", "exp.yaml", "--input", "m.csv", "--output", copy], currentDirectory: directory)
    #expect(overDefinition.status == 1 && overDefinition.stderr.contains("--experiment"))
  }

  @Test("item 3: a replaced output keeps its mode and owner; a new one follows the umask")
  func modeAndOwnerAreKept() throws {
    try "old\n".write(toFile: path("private.csv"), atomically: false, encoding: .utf8)
    #expect(chmod(path("private.csv"), 0o600) == 0)
    if getuid() == 0 { #expect(chown(path("private.csv"), 65534, 65534) == 0) }
    let run = try assign(output: "private.csv")
    #expect(run.status == 0, "\(run.stderr)")
    #expect(Self.mode(path("private.csv")) == 0o600)
    var info = stat()
    #expect(stat(path("private.csv"), &info) == 0)
    if getuid() == 0 { #expect(info.st_uid == 65534 && info.st_gid == 65534) }
    #expect(try String(contentsOfFile: path("private.csv"), encoding: .utf8).hasPrefix("member_id,"))
    // A new file: 0666 minus the umask.
    let shell = try runShell(
      "umask 027; exec \"$STRATA\" assign --experiment \"$EXPERIMENT\" --input m.csv --output fresh.csv")
    #expect(shell.status == 0, "\(shell.stderr)")
    #expect(Self.mode(path("fresh.csv")) == 0o640)
  }

  @Test("item 4: a temporary file left by a killed run is removed on the next run, with a note")
  func staleTemporaryIsRemoved() throws {
    let finished = Process()
    finished.executableURL = URL(fileURLWithPath: "/bin/true")
    try finished.run()
    finished.waitUntilExit()
    let deadPID = finished.processIdentifier
    let stale = path(".out.csv.\(deadPID).tmp")
    let live = path(".out.csv.\(getpid()).tmp")  // this test process is running: its file stays
    try "M-1,partial".write(toFile: stale, atomically: false, encoding: .utf8)
    try "M-1,busy".write(toFile: live, atomically: false, encoding: .utf8)
    let run = try assign(output: "out.csv")
    #expect(run.status == 0, "\(run.stderr)")
    #expect(!FileManager.default.fileExists(atPath: stale))
    #expect(FileManager.default.fileExists(atPath: live))
    #expect(run.stderr.contains("removed"), "\(run.stderr)")
    #expect(run.stderr.contains(".out.csv.\(deadPID).tmp"), "\(run.stderr)")
  }

  @Test("item 5: the report pair is replaced as a pair; a failure leaves the old pair whole")
  func reportPairIsAtomic() throws {
    let reports = directory.appendingPathComponent("reports")
    try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
    let html = reports.appendingPathComponent("gym-renewal-2026.html").path
    try "old html".write(toFile: html, atomically: false, encoding: .utf8)
    // The Markdown report cannot be written (its name is taken by a directory): the HTML must stay old.
    try FileManager.default.createDirectory(
      atPath: reports.appendingPathComponent("gym-renewal-2026.md").path, withIntermediateDirectories: true)
    let run = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", AnalyzeCommandTests.data, "--no-look-log", "--report",
      reports.path,
    ])
    #expect(run.status == 1)
    #expect(try String(contentsOfFile: html, encoding: .utf8) == "old html")
    #expect(run.stderr.contains("gym-renewal-2026.md") && !run.stderr.contains("Error Domain"), "\(run.stderr)")
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: reports.path).sorted() == [
        "gym-renewal-2026.html", "gym-renewal-2026.md",
      ])
  }

  @Test("items 5 and 6: a full disk (file size limit) keeps the old pair and says which file and why")
  func fileSizeLimitKeepsTheOldPair() throws {
    let reports = directory.appendingPathComponent("reports")
    try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
    let html = reports.appendingPathComponent("gym-renewal-2026.html").path
    let markdown = reports.appendingPathComponent("gym-renewal-2026.md").path
    try "old html".write(toFile: html, atomically: false, encoding: .utf8)
    try "old md".write(toFile: markdown, atomically: false, encoding: .utf8)
    // 8 KiB per file: the HTML report (tens of KiB) cannot be written. SIGXFSZ ignored: write fails with EFBIG.
    let run = try runShell(
      "trap '' XFSZ; ulimit -f 8; exec \"$STRATA\" analyze --experiment \"$EXPERIMENT\" --data \"$DATA\" "
        + "--no-look-log --report reports")
    #expect(run.status == 1)
    #expect(try String(contentsOfFile: html, encoding: .utf8) == "old html")
    #expect(try String(contentsOfFile: markdown, encoding: .utf8) == "old md")
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: reports.path).sorted() == [
        "gym-renewal-2026.html", "gym-renewal-2026.md",
      ])
    let message = run.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(message.hasPrefix("strata: error: cannot write "), "\(message)")
    #expect(message.contains("gym-renewal-2026.html: File too large"), "\(message)")
    #expect(!message.contains("Error Domain") && !message.contains("\n"), "\(message)")
  }

  @Test("item 6: a report directory that cannot be created is one sentence naming the path and the cause")
  func unwritableReportDirectoryIsOneSentence() throws {
    try "x".write(toFile: path("not-a-directory"), atomically: false, encoding: .utf8)
    let run = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", AnalyzeCommandTests.data, "--no-look-log", "--report",
      path("not-a-directory") + "/reports",
    ])
    #expect(run.status == 1)
    let message = run.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(message.hasPrefix("strata: error: cannot write "), "\(message)")
    #expect(message.contains("not-a-directory is not a directory"), "\(message)")
    #expect(!message.contains("Error Domain") && !message.contains("NSCocoaErrorDomain"), "\(message)")
    // assign to an output whose directory is a file: the same sentence.
    let assign = try assign(output: "not-a-directory/out.csv")
    #expect(assign.status == 1)
    #expect(assign.stderr.contains("cannot write") && assign.stderr.contains("not-a-directory is not a directory"))
  }

  /// Runs `script` with bash in the test directory; `$STRATA`, `$EXPERIMENT` and `$DATA` are set.
  func runShell(_ script: String) throws -> (status: Int32, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-c", script]
    process.currentDirectoryURL = directory
    process.environment = ProcessInfo.processInfo.environment.merging([
      "STRATA": strataExecutableURL().path, "EXPERIMENT": Self.experiment, "DATA": AnalyzeCommandTests.data,
    ]) { _, new in new }
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let stderr = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stderr, as: UTF8.self))
  }
}

/// Bytes read by a background thread, handed over once it finished.
final class ReceivedBytes: @unchecked Sendable {
  private let condition = NSCondition()
  private var buffer: [UInt8] = []
  private var done = false

  func append(_ bytes: ArraySlice<UInt8>) {
    condition.lock()
    buffer += bytes
    condition.unlock()
  }

  func finish() {
    condition.lock()
    done = true
    condition.signal()
    condition.unlock()
  }

  func wait() {
    condition.lock()
    while !done { condition.wait() }
    condition.unlock()
  }

  var bytes: [UInt8] {
    condition.lock()
    defer { condition.unlock() }
    return buffer
  }
}
