import Foundation
import StrataTestSupport
import Testing
import Yams

@testable import StrataDefinitions

/// A definition's plain segments (a name and a rule each) read as text, without nodes
/// (`BlockYAML.compose(_:_:segmentsApart:)`), give the definition the nodes give, and every file with something to
/// report gives the error the nodes give (`DefinitionLoader.read` reads such a file again the usual way).
@Suite("Plain segments read without nodes")
struct PlainSegmentsTests {
  /// Whether `yaml`'s segments were read apart (the fast way taken); records an issue when its definition and plan
  /// line, or its error, differ between the two ways.
  @discardableResult
  static func check(_ yaml: String, _ comment: String = "") -> Bool {
    func outcome(_ apart: Bool) -> Result<ExperimentDefinitionAndLine, ExperimentFileError> {
      do {
        let (definition, line) = try DefinitionLoader.read(yaml: yaml, file: "d.yaml", segmentsApart: apart)
        return .success(ExperimentDefinitionAndLine(definition: definition, planLine: line))
      } catch {
        return .failure(error)
      }
    }
    let fast = outcome(true)
    let usual = outcome(false)
    if fast != usual {
      Issue.record("\(comment): apart \(fast), with nodes \(usual)\n\(yaml)")
    }
    guard case .success = fast, let segments = BlockYAML.compose(yaml, .basic, segmentsApart: true)?.segments else {
      return false
    }
    // The segments read as text are the ones in Yams' own tree.
    if let tree = try? Yams.compose(yaml: yaml, .basic), let list = tree.mapping?["segments"]?.sequence {
      let fromTree = list.map { item in
        BlockYAML.PlainSegment(name: item.mapping?["name"]?.string ?? "?", rule: item.mapping?["rule"]?.string)
      }
      #expect(fromTree == segments, "\(comment)")
    } else {
      Issue.record("\(comment): segments read apart, but Yams has no such list\n\(yaml)")
    }
    return true
  }

  struct ExperimentDefinitionAndLine: Equatable {
    var definition: ExperimentDefinition
    var planLine: Int
  }

  /// A definition whose segments are written in `segment(index)`'s lines.
  static func definition(
    segments count: Int, indent: String = "  ",
    _ segment: (Int) -> [String] = { ["name: seg-\($0)", "rule: tier == \"seg-\($0)\""] }
  ) -> String {
    var yaml = "# Segments.\nid: s\nname: Segments\nunit: unit_id\nvariants:\n  - key: control\n  - key: v1\n"
    yaml += "  - key: v2\nsegments:\n"
    for index in 1...count {
      let lines = segment(index)
      for (position, line) in lines.enumerated() {
        yaml += indent + (position == 0 ? "- " : "  ") + line + "\n"
      }
    }
    yaml += "metrics:\n  - name: converted\n    kind: binomial\n    role: primary\n    missing: zero\n"
    yaml += "plan:\n  alpha: 0.05\n  power: 0.8\n  baseline: 0.1\n  mde: 0.005\n"
    return yaml
  }

  @Test("the benchmark's shape is read apart and gives the same definition")
  func benchmarkShape() {
    #expect(Self.check(Self.definition(segments: 300), "names and rules"))
    #expect(Self.check(Self.definition(segments: 300, indent: ""), "an indentless list"))
    #expect(Self.check(Self.definition(segments: 40) { ["rule: tier == \"s\($0)\"", "name: s\($0)"] }, "rule first"))
    // The last segment without a rule (the default), comments and blank lines among the items.
    #expect(
      Self.check(
        Self.definition(segments: 12) {
          $0 == 12 ? ["name: rest"] : ["name: s\($0)  # c", "rule: tier == \"s\($0)\" # d\n\n  # note"]
        }, "comments"))
  }

  @Test("every YAML file of the repository gives the same definition or error either way")
  func repositoryFiles() throws {
    let enumerator = FileManager.default.enumerator(at: packageRootURL(), includingPropertiesForKeys: nil)
    var files = 0
    while let url = enumerator?.nextObject() as? URL {
      guard url.pathExtension == "yaml", !url.path.contains("/.build"), !url.path.contains("/bench-data/") else {
        continue
      }
      Self.check(try String(contentsOf: url, encoding: .utf8), url.path)
      files += 1
    }
    #expect(files >= 20)
  }

  /// Segments that are not plain (declined: read with nodes), or plain ones with an error to report.
  static let shapes: [(String, @Sendable (Int) -> [String])] = [
    ("traffic", { ["name: s\($0)", "rule: tier == \"s\($0)\"", "traffic: 0.5"] }),
    ("weights", { ["name: s\($0)", "rule: tier == \"s\($0)\"", "weights:", "  control: 2"] }),
    ("an unknown key", { ["name: s\($0)", "rul: tier == \"s\($0)\""] }),
    ("a repeated name key", { ["name: s\($0)", "rule: tier == \"s\($0)\"", "name: t\($0)"] }),
    ("a repeated rule key", { ["name: s\($0)", "rule: tier == \"s\($0)\"", "rule: tier == \"t\($0)\""] }),
    ("no name", { ["rule: tier == \"s\($0)\""] }),
    ("a bad rule", { ["name: s\($0)", $0 == 3 ? "rule: tier ==" : "rule: tier == \"s\($0)\""] }),
    ("a repeated name", { ["name: s\($0 == 4 ? 1 : $0)", "rule: tier == \"s\($0)\""] }),
    ("a repeated rule", { ["name: s\($0)", "rule: tier == \"s\($0 == 4 ? 1 : $0)\""] }),
    ("a quoted name", { ["name: \"s\($0)\"", "rule: tier == \"s\($0)\""] }),
    ("a name on the next line", { ["name:", "  s\($0)", "rule: tier == \"s\($0)\""] }),
    ("a value going on", { ["name: s\($0)", "rule: tier ==", "  \"s\($0)\""] }),
    ("an empty name", { ["name:", "rule: tier == \"s\($0)\""] }),
    ("`: ` in a rule", { ["name: s\($0)", "rule: tier: \"s\($0)\""] }),
    ("a scalar item", { _ in ["plain"] }),
    ("a rule of an unknown column", { ["name: s\($0)", "rule: nope == \"s\($0)\""] }),
    ("a rule of a number", { ["name: s\($0)", "rule: spend > \($0)"] }),
    ("`#` in a name", { ["name: s#\($0)", "rule: tier == \"s\($0)\""] }),
  ]

  @Test("segments outside the plain shape, or with errors, give the same definition or error either way")
  func otherShapes() {
    for (comment, segment) in Self.shapes {
      Self.check(Self.definition(segments: 6, segment), comment)
      Self.check(Self.definition(segments: 6, indent: "", segment), comment + ", indentless")
      // Only one segment of six in that shape.
      Self.check(
        Self.definition(segments: 6) { $0 == 5 ? segment($0) : ["name: s\($0)", "rule: tier == \"s\($0)\""] },
        comment + ", fifth only")
    }
  }

  @Test("seeded single-character and line edits of a plain definition give the same result either way")
  func edits() {
    var random = SplitMix64(seed: 0x5E65_A9A7)
    let base = Self.definition(segments: 8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let alphabet = Array(" \n-:#ab\"'[{&*!|>?,.\t0")
    func pick(_ count: Int) -> Int { Int(random.next() % UInt64(count)) }
    var apart = 0
    for _ in 0..<3000 {
      var lines = base
      for _ in 0..<(1 + pick(2)) {
        let at = pick(lines.count)
        var characters = Array(lines[at])
        switch pick(6) {
        case 0: if !characters.isEmpty { characters.remove(at: pick(characters.count)) }
        case 1: if !characters.isEmpty { characters[pick(characters.count)] = alphabet[pick(alphabet.count)] }
        case 2: characters.insert(alphabet[pick(alphabet.count)], at: pick(characters.count + 1))
        case 3: characters = []
        case 4: characters = Array(lines[pick(lines.count)])
        default: characters.insert(" ", at: 0)
        }
        lines[at] = String(characters)
      }
      if Self.check(lines.joined(separator: "\n"), "edit") { apart += 1 }
    }
    // Many edits keep the segments plain: the comparisons are not vacuous.
    #expect(apart > 250, "\(apart) of 3,000 read apart")
  }
}
