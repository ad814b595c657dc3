import ArgumentParser
import Foundation
import StrataAnalysis

@main
struct Strata: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "strata",
    abstract: "Experimentation and statistics for segment-targeted campaigns.",
    discussion: """
      Deterministic assignment, validated statistics (through GSL) and stakeholder reports.

      Examples:
        strata calc proportions --a 300,2000 --b 255,2000
        strata plan --metric proportion --baseline 0.58 --mde 0.05 --variants 3
        strata analyze --experiment experiments/gym-renewal.yaml \\
          --data experiments/data/gym-renewal.csv --report reports/
      """,
    version: StrataVersion.current,
    subcommands: [
      Calc.self,
      Assign.self,
      Validate.self,
      New.self,
      Plan.self,
      Design.self,
      Simulate.self,
      Analyze.self,
      Looks.self,
      SQLCommand.self,
      Serve.self,
      Keys.self,
      Audit.self,
      Discover.self,
    ]
  )

  /// Refuses a single-dash word such as `-weight` before parsing: the parser would read it as grouped short
  /// flags, and the `h` in it would print help and exit 0 (a typo would look like success, even with --json).
  ///
  /// After the command, a failed write of standard output ends it with exit 1 (``StandardOutput``), and so
  /// does help or the version printed to a standard output that takes no bytes (the parser's own `main` prints
  /// them and exits 0 before any check).
  static func main() {
    if let problem = notUTF8Argument(CommandLine.unsafeArgv, count: Int(CommandLine.argc)) {
      exit(withError: ValidationError(problem))
    }
    if let typo = singleDashWord(in: CommandLine.arguments.dropFirst()) {
      let suggestion = typo.drop(while: { $0 == "-" })
      exit(
        withError: ValidationError(
          "unknown option \"\(typo)\": options are spelled with two dashes (--\(suggestion)); -h alone shows help"))
    }
    do {
      var command = try parseCommand(Array(CommandLine.arguments.dropFirst()))
      try command.run()
    } catch {
      // Help, the version and any other clean exit print on standard output: checked like a command's output.
      guard exitCode(for: error) == .success else {
        if let hint = negativeValueHint(for: fullMessage(for: error), in: CommandLine.arguments.dropFirst()) {
          exit(withError: ValidationError(hint))
        }
        exit(withError: error)
      }
      let text = fullMessage(for: error)
      if !text.isEmpty { print(text) }
    }
    // A command that returned normally but whose output was lost is not a success (a failed command has
    // already exited 1 with its own sentence).
    if let failure = StandardOutput.flushAndCheck() {
      printError("strata: error: \(StandardOutput.failureSentence(failure))")
      Self.exit(withError: ExitCode(1))
    }
  }

  /// The command `arguments` name, as `parseAsRoot(arguments)` parses it, with less work when they parse.
  ///
  /// Before anything else, the parser's root looks for `--generate-completion-script` by running parsers of its
  /// own over the arguments, and each of the runtime's conformance lookups on the way scans every conformance
  /// record of the binary (NIO, GRDB and Foundation included). ``QuickRoot`` is the same command tree under a
  /// root that skips that search, used only when no argument mentions a completion script, so the search could
  /// find nothing: its parse is then the same parse and gives the same command. Help, the version, usage errors
  /// and anything else but a command of the tree come from `parseAsRoot` itself, so their text (which the
  /// other root would print differently) and exit status are the parser's as before; parsing has no side
  /// effects, so a second parse after the first failed changes nothing else.
  static func parseCommand(_ arguments: [String]) throws -> ParsableCommand {
    if QuickRoot.mayParse(arguments), let command = try? QuickRoot.parseAsRoot(arguments),
      isSubcommand(type(of: command), of: Strata.self)
    {
      return command
    }
    return try parseAsRoot(arguments)
  }

  /// Whether `type` is a subcommand of `root`, at any depth (not the parser's own `help`).
  static func isSubcommand(_ type: ParsableCommand.Type, of root: ParsableCommand.Type) -> Bool {
    root.configuration.subcommands.contains { $0 == type || isSubcommand(type, of: $0) }
  }

  /// A sentence for the parser's "Missing value for '--alpha …'" when the value given was a negative number.
  ///
  /// The parser reads `-0.1` after `--alpha` as an option, not as its value, and says the value is missing, which
  /// reads as if none was typed; `--alpha=-0.1` is read as the value. nil for any other message.
  static func negativeValueHint(for message: String, in arguments: ArraySlice<String>) -> String? {
    guard let start = message.range(of: "Missing value for '--") else { return nil }
    let option = String(message[message.index(start.upperBound, offsetBy: -2)...].prefix { $0 != " " && $0 != "'" })
    guard let index = arguments.firstIndex(of: option), index + 1 < arguments.endIndex else { return nil }
    let value = arguments[index + 1]
    guard value.hasPrefix("-"), let second = value.dropFirst().first, second.isNumber || second == "." else {
      return nil
    }
    return "\(option) \(value): a value that starts with '-' is read as an option here; write \(option)=\(value)"
  }

  /// A sentence for the first argument that is not UTF-8 text, naming it and the offset of its first bad byte.
  ///
  /// Swift's `CommandLine.arguments` replaces such bytes by U+FFFD before any command sees them, so
  /// `--unit $'a\xffb'` would be assigned as the different id "a\u{FFFD}b" (and a path would name another file):
  /// the raw bytes are checked instead. nil when every argument is UTF-8.
  static func notUTF8Argument(_ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, count: Int) -> String? {
    for index in 1..<max(count, 1) {
      guard let pointer = argv[index] else { continue }
      let bytes = UnsafeBufferPointer(
        start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: strlen(pointer))
      var parser = Unicode.UTF8.ForwardParser()
      var iterator = bytes.makeIterator()
      var offset = 0
      while case .valid(let scalar) = parser.parseScalar(from: &iterator) { offset += scalar.count }
      guard offset < bytes.count else { continue }
      let byte = String(bytes[offset], radix: 16, uppercase: true)
      let hex = "0x" + (byte.count == 1 ? "0" : "") + byte
      // Named by the option before it (`--unit X`), or by its own when written `--unit=X`.
      let text = String(decoding: bytes, as: UTF8.self)
      let previous = index > 1 ? argv[index - 1].map { String(cString: $0) } : nil
      let what: String
      if text.hasPrefix("--"), let equals = text.firstIndex(of: "="),
        text.utf8.distance(from: text.startIndex, to: equals) < offset
      {
        what = "the value of \(text[..<equals]) (argument \(index))"
      } else if let previous, previous.hasPrefix("--"), !previous.contains("=") {
        what = "argument \(index) (after \(previous))"
      } else {
        what = "argument \(index)"
      }
      return
        "\(what) is not UTF-8 text: byte \(hex) at offset \(offset) is not valid UTF-8 (give ids, names and paths as UTF-8; the byte replaced, it would be another id)"
    }
    return nil
  }

  /// The first argument (before `--`) that is one dash and several letters, such as `-weight` or `-e-alpha`;
  /// `-h`, `-help`, negative numbers (`-0.5`, `-.5`) and `-` itself are not typos.
  static func singleDashWord(in arguments: ArraySlice<String>) -> String? {
    for argument in arguments {
      if argument == "--" { return nil }
      guard argument.hasPrefix("-"), !argument.hasPrefix("--"), argument.count > 2, argument != "-help" else {
        continue
      }
      let second = argument.dropFirst().first ?? "-"
      if second.isNumber || second == "." { continue }
      return argument
    }
    return nil
  }
}

/// ``Strata``'s command tree under a root that does not search the arguments for a completion-script request
/// (``Strata/parseCommand(_:)``).
///
/// ArgumentParser skips that search for a root with a `_superCommandName`, which otherwise only changes the
/// command's name in help and usage text; those always come from ``Strata`` itself.
///
/// `_superCommandName` is underscored API and its effect here is the parser's behaviour in 1.8.2, not a promise: when
/// swift-argument-parser is upgraded, compare the command-line surface (`Benchmarks/compare_cli.sh`, and
/// StartupParseCLITests) and count `calc proportions`' instructions again (docs/performance.md, "Startup"), since
/// nothing else would notice the speed-up going away.
struct QuickRoot: ParsableCommand {
  static let configuration: CommandConfiguration = {
    var configuration = Strata.configuration
    configuration._superCommandName = "strata"
    return configuration
  }()

  /// Whether no argument could ask for help, the version or a completion script (`--generate-completion-script`
  /// anywhere, or the parser's `---completion` first): only then is ``QuickRoot``'s parse tried.
  ///
  /// Help and the version would parse twice (the first parse gives no command), and a completion script is only
  /// found by the search ``QuickRoot`` leaves out.
  static func mayParse(_ arguments: [String]) -> Bool {
    if arguments.first == "---completion" { return false }
    return !arguments.contains { argument in
      argument.contains("generate-completion-script")
        || ["-h", "--help", "-help", "help", "--version", "--experimental-dump-help"].contains(argument)
    }
  }
}

/// `strata calc ...`: quick calculators on summary numbers.
struct Calc: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "calc",
    abstract: "Quick calculators: tests and intervals from counts and summary statistics.",
    subcommands: [
      BoundariesCommand.self,
      CalcChi2.self, CalcSRM.self, CalcFisher.self, CalcProportions.self, CalcTTest.self, CalcMSPRT.self,
      FactorialCalc.self,
    ]
  )
}
