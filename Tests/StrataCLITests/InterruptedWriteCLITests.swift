import Foundation
import StrataTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Ctrl-C (SIGINT) or SIGTERM while `assign --output` writes: the old file stays whole and no partial
/// `.NAME.PID.tmp` is left beside it (it was left until the next run removed it), and the process still ends by
/// the signal.
@Suite("An interrupted write")
struct InterruptedWriteCLITests {
  /// Enough rows that the debug build is still writing when the signal arrives (it is sent as soon as the
  /// temporary file exists).
  static func members(rows: Int) -> String {
    var text = "member_id,marketing_opt_in,membership_months,status,checkins_90d\n"
    text.reserveCapacity(rows * 32)
    for index in 0..<rows { text += "M-\(index),true,\(3 + index % 90),active,\(index % 50)\n" }
    return text
  }

  @Test("the old output stays, the temporary file goes, the process ends by the signal", arguments: [SIGINT, SIGTERM])
  func interruptedAssign(signal: Int32) throws {
    let directory = try makeTemporaryDirectory("strata-assign")
    try Self.members(rows: 400_000).write(
      to: directory.appendingPathComponent("m.csv"), atomically: true, encoding: .utf8)
    let output = directory.appendingPathComponent("a.csv").path
    try "OLD\n".write(toFile: output, atomically: false, encoding: .utf8)
    // posix_spawn, not Process: the child must get SIGINT and SIGTERM unblocked and at their defaults, whatever
    // the test runner's threads block or ignore.
    let arguments = [
      strataExecutableURL().path, "assign", "--experiment", AssignCommandTests.gym, "--input",
      directory.appendingPathComponent("m.csv").path, "--output", output,
    ]
    let pid = try Self.spawn(arguments)
    let deadline = Date().addingTimeInterval(60)
    var sawTemporary = false
    while Date() < deadline {
      let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
      if names.contains(where: { $0.hasPrefix(".a.csv.") && $0.hasSuffix(".tmp") }) {
        sawTemporary = true
        break
      }
      usleep(1000)
    }
    #expect(sawTemporary, "no temporary file appeared while the command ran")
    kill(pid, signal)
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let signalled = status & 0x7f  // WTERMSIG; 0 for a normal exit
    #expect(signalled == signal, "wait status \(status)")
    let left = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    #expect(left == ["a.csv", "m.csv"], "\(left)")
    #expect(try String(contentsOfFile: output, encoding: .utf8) == "OLD\n")
  }

  /// Starts `arguments` (an absolute executable first) with an empty signal mask and SIGINT and SIGTERM at their
  /// defaults, output discarded; returns its pid.
  static func spawn(_ arguments: [String]) throws -> pid_t {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    sigaddset(&defaults, SIGINT)
    sigaddset(&defaults, SIGTERM)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for descriptor: Int32 in [0, 1, 2] {
      posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
    }
    let argv = arguments.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let status = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, environ)
    guard status == 0 else { throw FixtureError.missing("posix_spawn failed: \(status)") }
    return pid
  }
}
