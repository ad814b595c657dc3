import Foundation
import StrataTestSupport
import Testing

/// The start-up parse (`Strata.parseCommand`) keeps what the parser printed before.
///
/// A command that parses comes from a root that skips the parser's completion-script search; everything else
/// (usage errors, help, completion scripts, a command group without its subcommand) still comes from the
/// `strata` root. `Benchmarks/compare_cli.sh` compares every command's help and these cases between two binaries.
@Suite("strata: the start-up parse keeps help, usage errors and completion scripts")
struct StartupParseCLITests {
  /// A usage error after a command name: the parser's message, with the usage of `strata calc proportions`
  /// (a root that skips the completion search would name the command "strata strata calc proportions").
  @Test func usageErrorNamesTheCommandFromTheStrataRoot() throws {
    let run = try runStrata(["calc", "proportions", "--a", "300,2000"])
    #expect(run.status == 64)
    #expect(run.stdout.isEmpty)
    #expect(
      run.stderr == """
        Error: Missing expected argument '--b <conversions,n>'
        Help:  --b <conversions,n>  Treatment: conversions and units.
        Usage: strata calc proportions --a <conversions,n> --b <conversions,n> [--alpha <alpha>] [--sides <sides>] [--json]
          See 'strata calc proportions --help' for more information.

        """)
  }

  /// A validation error from a command that parsed up to it keeps its exit status 64 and its usage line.
  @Test func unknownOptionAfterAValidCommandIsAUsageError() throws {
    let run = try runStrata(["calc", "proportions", "--a", "300,2000", "--b", "255,2000", "--no-such-option"])
    #expect(run.status == 64)
    #expect(run.stderr.hasPrefix("Error: Unknown option '--no-such-option'\n"))
    #expect(run.stderr.contains("Usage: strata calc proportions --a <conversions,n>"))
  }

  /// `--help` after a complete command prints that command's help, as `strata calc proportions --help` does.
  @Test func helpAfterACompleteCommandIsThatCommandsHelp() throws {
    let complete = try runStrata(["calc", "proportions", "--a", "300,2000", "--b", "255,2000", "--help"])
    let bare = try runStrata(["calc", "proportions", "--help"])
    #expect(complete.status == 0)
    #expect(complete.stdout.hasPrefix("OVERVIEW: Compare two conversion rates"))
    #expect(complete.stdout.contains("USAGE: strata calc proportions --a <conversions,n> --b <conversions,n>"))
    #expect(complete.stdout == bare.stdout)
  }

  /// `--generate-completion-script` is found anywhere in the arguments, even after a command that parses.
  @Test(arguments: [
    ["--generate-completion-script", "bash"], ["--generate-completion-script=bash"],
    ["calc", "proportions", "--a", "300,2000", "--b", "255,2000", "--generate-completion-script", "bash"],
  ])
  func completionScriptIsGenerated(_ arguments: [String]) throws {
    let run = try runStrata(arguments)
    #expect(run.status == 0, "stderr: \(run.stderr)")
    #expect(run.stdout.hasPrefix("#!/bin/bash\n"))
    #expect(run.stdout.contains("proportions"))
  }

  /// A command group without its subcommand parses to the group, whose run prints its help (exit 0).
  @Test func commandGroupAloneShowsItsHelp() throws {
    let run = try runStrata(["calc"])
    #expect(run.status == 0)
    #expect(run.stdout.hasPrefix("OVERVIEW: Quick calculators: tests and intervals from counts and summary\n"))
    #expect(run.stdout.contains("USAGE: strata calc <subcommand>"))
  }

  /// The calculators' shared options, declared in each command, keep their help, order and defaults.
  @Test func calculatorsKeepTheirSharedOptions() throws {
    let run = try runStrata(["calc", "ttest", "--help"])
    #expect(run.status == 0)
    #expect(
      run.stdout.contains(
        """
          --a <n,mean,sd>         Control: units, mean and standard deviation.
          --b <n,mean,sd>         Treatment: units, mean and standard deviation.
          --equal-var             Assume equal variances (Student's t test) instead of
                                  Welch's.
          --alpha <alpha>         Significance level α (0 < α < 1); intervals are at
                                  confidence 1 − α. (default: 0.05)
          --sides <sides>         2 for a two-sided test, 1 for one-sided (treatment
                                  greater than control). (default: 2)
          --json                  Print exactly one JSON object instead of a table.
        """))
    let json = try runStrata(["calc", "ttest", "--a", "2,1.0,1.0", "--b", "3,2.0,1.5", "--sides", "1", "--json"])
    #expect(json.status == 0, "stderr: \(json.stderr)")
    #expect(try json.json()["sides"] as? Int == 1)
    let bad = try runStrata(["calc", "ttest", "--a", "2,1.0,1.0", "--b", "3,2.0,1.5", "--alpha", "1.5"])
    #expect(bad.status == 1)
    #expect(bad.stderr == "strata: error: --alpha must be strictly between 0 and 1, got 1.5\n")
  }
}
