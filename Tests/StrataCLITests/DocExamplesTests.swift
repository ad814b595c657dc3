// Every example command in README.md, docs/*.md and every command's --help runs as written.
//
// The convention (also in docs/contributing.md, "Examples that run"):
//
// - In README.md and docs/*.md an example is a line that starts with `strata ` (or `$ strata `) inside a
//   fenced block that is unmarked or marked sh, bash, shell or console; a line ending in `\` continues on the next line. The
//   other lines of such a block (printed output, comments, `./Scripts/...` jobs) are not run. Usage
//   synopses with placeholders (`FILE`, `[--flag]`) belong in a block marked text, which is not run.
// - In `--help` an example is a line that starts with `strata ` after the discussion's `Examples:` line,
//   with `\` continuations. The rendered help (80 columns, as on a terminal) must show every example
//   exactly as the source writes it, so no example is wrapped mid-command and each one pastes.
// - Each example runs with /bin/sh from a scratch copy of the repository root (its experiments/ and
//   reports/ directories, so files written there leave the checkout clean), with the `strata` under
//   test first on PATH, in document order (a later example may use a file an earlier one wrote). It
//   must exit 0.
// - Two markers, as a trailing shell comment on an example's last line:
//     `# doc-example: exit N`            the example shows a failure and must exit with status N;
//     `# doc-example: skip (reason)`     it cannot run in a test as written (it runs until stopped, asks
//                                        on a terminal, or needs a server the tests do not start).
//   Keep skips rare and always give the reason. Examples that write files write into git-ignored places
//   (reports/, experiments/data/*.looks.jsonl) or temporary directories, never over tracked files.
import Foundation
import StrataTestSupport
import Testing

@Suite("Documentation examples run as written")
struct DocExamplesTests {
  /// One example: the text as written (continuations kept) and where it came from.
  struct Example: CustomStringConvertible {
    var command: String
    var source: String
    var expectedStatus: Int32 = 0
    var skipReason: String? = nil

    var description: String { "\(source): \(command)" }

    /// The command on one line, for comparing the rendered help with its source.
    var joined: String {
      command.replacingOccurrences(of: "\\\n", with: " ").split(separator: " ", omittingEmptySubsequences: true)
        .joined(separator: " ")
    }
  }

  static let root = packageRootURL()

  static let documents: [String] = {
    let docs = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("docs").path)) ?? []
    return ["README.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
  }()

  @Test("every example in a Markdown document exits as expected", arguments: documents)
  func markdownExamples(document: String) throws {
    let text = try String(contentsOf: Self.root.appendingPathComponent(document), encoding: .utf8)
    let examples = Self.markdownExamples(text, source: document)
    if document == "README.md" { #expect(examples.count >= 10, "the README's examples were not found") }
    try Self.run(examples)
  }

  @Test("every --help shows its examples unwrapped, and each exits as expected")
  func helpExamples() throws {
    let dump = try runStrata(["--experimental-dump-help"])
    #expect(dump.status == 0)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
    var all: [Example] = []
    var commandsWithExamples = 0
    for (path, discussion) in Self.commands(try #require(object["command"] as? [String: Any]), path: []) {
      let source = (["strata"] + path + ["--help"]).joined(separator: " ")
      let written = Self.helpExamples(discussion, source: source)
      guard !written.isEmpty else { continue }
      commandsWithExamples += 1
      let help = try runStrata(path + ["--help"], environment: ["COLUMNS": "80"])
      #expect(help.status == 0)
      let shown = Self.helpExamples(help.stdout, source: source)
      #expect(
        shown.map(\.joined) == written.map(\.joined),
        "\(source) does not show its examples as written (wrapped mid-command?):\n\(help.stdout)")
      all += written
    }
    #expect(commandsWithExamples >= 10)
    try Self.run(all)
  }

  /// Help paragraphs are not broken by hand inside a long line.
  ///
  /// A discussion's prose is wrapped by the argument parser to the terminal's width, keeping the source's line
  /// breaks: a paragraph broken by hand after more than 80 characters shows on an 80-column terminal as a
  /// wrapped line and then a stray short one. So a prose line longer than 80 characters must end its
  /// paragraph (join the paragraph's lines with `\` in the source); the examples are exempt.
  @Test("no --help paragraph is broken by hand after more than 80 characters")
  func helpProseIsNotHardWrapped() throws {
    let dump = try runStrata(["--experimental-dump-help"])
    #expect(dump.status == 0)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
    let commands = Self.commands(try #require(object["command"] as? [String: Any]), path: [])
    #expect(commands.count >= 20)
    for (path, discussion) in commands {
      let lines = discussion.split(separator: "\n", omittingEmptySubsequences: false)
      let prose = lines.prefix { $0.trimmingCharacters(in: .whitespaces) != "Examples:" }
      for (line, next) in zip(prose, prose.dropFirst()) where line.count > 80 {
        #expect(
          next.trimmingCharacters(in: .whitespaces).isEmpty,
          "strata \(path.joined(separator: " ")) --help: a paragraph is broken after \(line.count) characters: \(line)")
      }
    }
  }

  // MARK: Extraction

  /// Examples in fenced sh/bash/shell/console blocks of a Markdown document.
  static func markdownExamples(_ text: String, source: String) -> [Example] {
    var examples: [Example] = []
    var inRunnableBlock = false
    var inBlock = false
    var current: [String] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.hasPrefix("```") {
        if inBlock {
          inBlock = false
          inRunnableBlock = false
        } else {
          inBlock = true
          inRunnableBlock = ["", "sh", "bash", "shell", "console"].contains(String(trimmed.dropFirst(3)))
        }
        current = []
        continue
      }
      guard inRunnableBlock else { continue }
      collect(line, into: &current, examples: &examples, source: source)
    }
    return examples
  }

  /// Examples after the `Examples:` line of a command's discussion or rendered help (up to USAGE:).
  static func helpExamples(_ text: String, source: String) -> [Example] {
    var examples: [Example] = []
    var current: [String] = []
    var started = false
    for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
      if line.hasPrefix("USAGE:") || line.hasPrefix("OPTIONS:") { break }
      if line.trimmingCharacters(in: .whitespaces) == "Examples:" {
        started = true
        continue
      }
      guard started else { continue }
      collect(line, into: &current, examples: &examples, source: source)
    }
    return examples
  }

  /// Adds `line` to the example being read (a continuation) or starts one; a finished one is appended.
  private static func collect(_ line: String, into current: inout [String], examples: inout [Example], source: String) {
    var text = line.trimmingCharacters(in: .whitespaces)
    if current.isEmpty {
      if text.hasPrefix("$ ") { text.removeFirst(2) }
      guard text.hasPrefix("strata ") || text == "strata" else { return }
    }
    current.append(text)
    guard !text.hasSuffix("\\") else { return }
    examples.append(example(current.joined(separator: "\n"), source: source))
    current = []
  }

  /// Reads the `# doc-example:` marker of a command, if any.
  static func example(_ command: String, source: String) -> Example {
    var example = Example(command: command, source: source)
    guard let range = command.range(of: "doc-example:") else { return example }
    let marker = command[range.upperBound...].trimmingCharacters(in: .whitespaces)
    if marker.hasPrefix("exit "), let status = Int32(marker.dropFirst(5).prefix { $0.isNumber }) {
      example.expectedStatus = status
    } else if marker.hasPrefix("skip") {
      let reason = marker.dropFirst(4).trimmingCharacters(in: .whitespaces)
      example.skipReason = reason.isEmpty ? "" : reason
    }
    return example
  }

  /// Every command path with its discussion, from `--experimental-dump-help`.
  static func commands(_ command: [String: Any], path: [String]) -> [([String], String)] {
    var found = [(path, command["discussion"] as? String ?? "")]
    for sub in command["subcommands"] as? [[String: Any]] ?? [] {
      guard let name = sub["commandName"] as? String, name != "help" else { continue }
      found += commands(sub, path: path + [name])
    }
    return found
  }

  // MARK: Running

  /// Runs the examples in order from one scratch copy of the repository root.
  static func run(_ examples: [Example]) throws {
    let scratch = try makeTemporaryDirectory("strata-docs")
    defer { try? FileManager.default.removeItem(at: scratch) }
    try FileManager.default.copyItem(
      at: root.appendingPathComponent("experiments"), to: scratch.appendingPathComponent("experiments"))
    // reports/ holds only what the repository tracks there, not what earlier runs wrote.
    try FileManager.default.createDirectory(
      at: scratch.appendingPathComponent("reports"), withIntermediateDirectories: true)
    for tracked in ["README.md", "examples"] {
      let source = root.appendingPathComponent("reports/\(tracked)")
      guard FileManager.default.fileExists(atPath: source.path) else { continue }
      try FileManager.default.copyItem(at: source, to: scratch.appendingPathComponent("reports/\(tracked)"))
    }
    // Look logs the checkout may hold are not part of the repository.
    let data = scratch.appendingPathComponent("experiments/data")
    for name in (try? FileManager.default.contentsOfDirectory(atPath: data.path)) ?? [] where name.contains(".looks.") {
      try FileManager.default.removeItem(at: data.appendingPathComponent(name))
    }
    let binDirectory = strataExecutableURL().deletingLastPathComponent().path
    let path = binDirectory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
    for example in examples {
      if let reason = example.skipReason {
        #expect(!reason.isEmpty, "\(example): a doc-example skip needs a reason in parentheses")
        continue
      }
      let run = try runExecutable(
        URL(fileURLWithPath: "/usr/bin/timeout"), ["300", "/bin/sh", "-c", example.command],
        currentDirectory: scratch, environment: ["PATH": path, "COLUMNS": "80"])
      #expect(
        run.status == example.expectedStatus,
        "\(example)\nexited \(run.status), expected \(example.expectedStatus)\nstderr: \(run.stderr.prefix(2000))")
    }
  }
}
