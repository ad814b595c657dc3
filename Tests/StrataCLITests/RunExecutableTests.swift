import Foundation
import StrataTestSupport
import Testing

/// The helper that runs the binary must not deadlock when a child writes a lot to either stream.
@Suite struct RunExecutableTests {
  /// 1 MiB on stderr (16 times a Linux pipe buffer) and then a line on stdout: reading stdout to its end
  /// before stderr would wait forever while the child waits for room in the stderr pipe.
  @Test(.timeLimit(.minutes(1)))
  func largeStderrBeforeStdoutDoesNotDeadlock() throws {
    let run = try runExecutable(
      URL(fileURLWithPath: "/bin/sh"),
      ["-c", "head -c 1048576 /dev/zero | tr '\\0' e >&2; echo done; exit 3"])
    #expect(run.status == 3)
    #expect(run.stdout == "done\n")
    #expect(run.stderr.utf8.count == 1_048_576)
    #expect(run.stderr.utf8.allSatisfy { $0 == UInt8(ascii: "e") })
  }

  /// The same with the streams swapped.
  @Test(.timeLimit(.minutes(1)))
  func largeStdoutAndStderrAreBothCaptured() throws {
    let run = try runExecutable(
      URL(fileURLWithPath: "/bin/sh"),
      ["-c", "head -c 1048576 /dev/zero | tr '\\0' o; head -c 300000 /dev/zero | tr '\\0' e >&2"])
    #expect(run.status == 0)
    #expect(run.stdout.utf8.count == 1_048_576)
    #expect(run.stderr.utf8.count == 300_000)
  }
}
