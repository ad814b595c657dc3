import Foundation
import StrataTestSupport
import Testing

/// An argument that is not UTF-8 is refused, naming it and its first bad byte (exit 64): Swift replaced the
/// byte by U+FFFD before strata saw it, so `assign --unit $'a\xffb'` assigned the different id "a\u{FFFD}b" and
/// exited 0 (hrobust's sweep, case 223).
@Suite("Arguments that are not UTF-8")
struct ArgumentEncodingCLITests {
  /// Runs strata through `sh`, whose `printf` makes the raw bytes (a Swift String cannot hold them).
  func run(_ script: String) throws -> StrataRun {
    try runExecutable(
      URL(fileURLWithPath: "/bin/sh"),
      ["-c", "S=\"$0\"; E=\"$1\"; " + script, strataExecutableURL().path, AssignCommandTests.gym])
  }

  @Test(
    "assign --unit, --unit=, --attr and a positional path: the argument and offset named, exit 64",
    arguments: [
      (#"exec "$S" assign --experiment "$E" --unit "$(printf 'a\377b')" --json"#, "argument 5 (after --unit)", 1),
      (
        #"exec "$S" assign --experiment "$E" --unit="$(printf 'ab\303')" --json"#, "the value of --unit (argument 4)", 9
      ),
      (#"exec "$S" assign --experiment "$E" --unit u --attr "$(printf 'club=\200')""#, "argument 7 (after --attr)", 5),
      (#"exec "$S" validate "$(printf 'x\376.yaml')""#, "argument 2", 1),
    ])
  func refused(script: String, named: String, offset: Int) throws {
    let run = try run(script)
    #expect(run.status == 64, "\(run.stdout) \(run.stderr)")
    #expect(run.stdout.isEmpty)
    #expect(run.stderr.contains("\(named) is not UTF-8 text: byte 0x"), "\(run.stderr)")
    #expect(run.stderr.contains("at offset \(offset) is not valid UTF-8"), "\(run.stderr)")
  }

  @Test("UTF-8 ids other than ASCII are assigned as before")
  func utf8IsAccepted() throws {
    let run = try run(#"exec "$S" assign --experiment "$E" --unit "$(printf 'caf\303\251')" --json"#)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("\"unit\": \"café\""), "\(run.stdout)")
  }
}
