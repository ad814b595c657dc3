import Foundation
import StrataTestSupport
import Testing
import Yams

@testable import StrataDefinitions

/// `BlockYAML` gives Yams' own tree (strings, tags, styles, marks, order) for every text it reads, and declines
/// every text Yams refuses: on the repository's definitions, on handwritten cases at each edge of the subset, on
/// seeded random block documents and on seeded single-character edits of them.
@Suite("Block YAML composed without libyaml")
struct BlockYAMLTests {
  /// Why two trees differ (the path to the first difference), or nil when they are the same.
  static func difference(_ a: Node, _ b: Node, _ path: String = "") -> String? {
    func marks(_ x: Mark?, _ y: Mark?) -> Bool { x?.line == y?.line && x?.column == y?.column }
    switch (a, b) {
    case (.scalar(let x), .scalar(let y)):
      guard x.string == y.string, x.tag.description == y.tag.description, x.style == y.style, marks(x.mark, y.mark),
        x.anchor == nil, y.anchor == nil
      else {
        return "\(path): scalar \(x.string) \(x.tag) \(x.style) \(String(describing: x.mark)) against \(y.string) "
          + "\(y.tag) \(y.style) \(String(describing: y.mark))"
      }
      return nil
    case (.mapping(let x), .mapping(let y)):
      guard x.count == y.count, x.tag.description == y.tag.description, x.style == y.style, marks(x.mark, y.mark),
        x.anchor == nil, y.anchor == nil
      else {
        return "\(path): mapping \(x.count) \(x.style) \(String(describing: x.mark)) against \(y.count) \(y.style) "
          + "\(String(describing: y.mark))"
      }
      for (index, (p, q)) in zip(x, y).enumerated() {
        if let found = difference(p.key, q.key, "\(path)/key\(index)")
          ?? difference(p.value, q.value, "\(path)/\(index)")
        {
          return found
        }
      }
      return nil
    case (.sequence(let x), .sequence(let y)):
      guard x.count == y.count, x.tag.description == y.tag.description, x.style == y.style, marks(x.mark, y.mark),
        x.anchor == nil, y.anchor == nil
      else {
        return "\(path): list \(x.count) \(x.style) \(String(describing: x.mark)) against \(y.count) \(y.style) "
          + "\(String(describing: y.mark))"
      }
      for (index, (p, q)) in zip(x, y).enumerated() {
        if let found = difference(p, q, "\(path)[\(index)]") { return found }
      }
      return nil
    default:
      return "\(path): different kinds"
    }
  }

  /// Whether `BlockYAML` read `yaml` (false when it declined); records an issue when it read it and Yams
  /// disagrees.
  @discardableResult
  static func check(_ yaml: String, _ comment: String = "") -> Bool {
    guard let fast = BlockYAML.compose(yaml, .basic) else { return false }
    do {
      guard let yams = try Yams.compose(yaml: yaml, .basic) else {
        Issue.record("read, but Yams finds no document: \(comment)\n\(yaml)")
        return true
      }
      if let found = difference(fast, yams) { Issue.record("\(found) (\(comment))\n\(yaml)") }
    } catch {
      Issue.record("read, but Yams refuses it (\(error)): \(comment)\n\(yaml)")
    }
    return true
  }

  @Test("Mark made from a line and column reads back as Yams' own")
  func marks() {
    #expect(BlockYAML.marksMatchYams)
    let mark = BlockYAML.mark(line: 12, column: 7)
    #expect(mark.line == 12 && mark.column == 7)
  }

  @Test("every YAML file of the repository: the same tree when read")
  func repositoryFiles() throws {
    let root = packageRootURL()
    let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
    var files = 0
    while let url = enumerator?.nextObject() as? URL {
      let path = url.path
      guard url.pathExtension == "yaml", !path.contains("/.build"), !path.contains("/bench-data/") else { continue }
      let text = try String(contentsOf: url, encoding: .utf8)
      Self.check(text, path)
      // Each file with its block scalars, flow lists and quotes left out line by line, so more of it is read.
      let plain = text.split(separator: "\n", omittingEmptySubsequences: false).filter {
        !$0.contains("[") && !$0.contains("{") && !$0.contains("\"") && !$0.contains("'") && !$0.hasSuffix(">")
      }
      Self.check(plain.joined(separator: "\n"), "\(path), plain lines")
      files += 1
    }
    #expect(files >= 20)
  }

  @Test("a definition of many segments is read, as Yams reads it")
  func manySegments() {
    var yaml = "# Segments.\nid: s\nname: Segments 200 x 3\nunit: unit_id\nvariants:\n  - key: control\n"
    yaml += "  - key: v1\n  - key: v2\nsegments:\n"
    for index in 1...200 { yaml += "  - name: seg-\(index)\n    rule: tier == \"seg-\(index)\"\n" }
    yaml += "plan:\n  alpha: 0.05\n  power: 0.8\n  baseline: 0.1\n  mde: 0.005\n"
    #expect(Self.check(yaml))
  }

  /// Texts read here, each compared with Yams.
  static let read = [
    "a: b", "a: b\n", "a: 1\nb: -2.5\nc: x y  z   \n", "a:\n  b: c\n  d:\n    e: f\ng: h",
    "a:\n- x\n- y\nb: c", "a:\n  - x\n  - y\n", "- a\n- b\n", "- a: b\n  c: d\n- e: f\n",
    "a:\n- k: 1\n  l:\n  - m\n  - n\n- k: 2\nz: q", "# c\n\na: b # note\n   # other\nc: d#e\n",
    "a: b:c\n", "a:   spaced\n", "a: # comment\n  b: c\n", "a: x - y, [z]\n", "a_b-c: d\n", "k: tier == \"seg-1\"\n",
    "a:\n    - x\n    - y\n", "a: 1\n\n\n", "a:\n  - b:\n      c: d\n  - e\n",
  ]

  /// Texts declined: valid YAML outside the subset, or not YAML at all.
  static let declined = [
    "", "# only\n", "  a: b\n", "a: b\na: c\n", "a: 'q'\n", "a: \"q\"\n", "a: [1, 2]\n", "a: {b: c}\n", "a: &x b\n",
    "a: *x\n", "a: !t b\n", "a: |\n  x\n", "a: >\n  x\n", "a: b\n  c\n", "a:\n", "a:\nb: c\n", "- - a\n", "-\n",
    "- \n", "a: b: c\n", "a: b:\n", "a:\tb\n", "a: b\r\n", "a: é\n", "---\na: b\n", "a: b\n...\n", "%YAML 1.1\n",
    "? a\n: b\n", "a : b\n", "a: -x\n", "a: b\n- c\n", "- a\nb: c\n", "a:\n  b: c\n d: e\n", "a:\n   - x\n  - y\n",
    "a:b\n", "a: @b\n", "a: #\n", ":\n", "a:\n  -  y\n",
  ]

  @Test("edge cases: read ones match Yams, declined ones are declined")
  func edges() {
    for yaml in Self.read { #expect(Self.check(yaml), "\(yaml.debugDescription) was declined") }
    for yaml in Self.declined { #expect(BlockYAML.compose(yaml, .basic) == nil, "\(yaml.debugDescription) was read") }
  }

  /// A random block document of mappings, lists and plain scalars, with comments, blank lines and spacing.
  static func randomDocument(_ random: inout SplitMix64) -> String {
    let words = ["a", "b", "name", "rule", "x-1", "k_2", "7", "seg-12", "tier == \"a\"", "0.5", "-3", "a b", "c:d"]
    // Values that are declined, or read with a twist (a comment, a `#` inside, flow indicators inside).
    let rare = [
      "a#b", "x, y", "a - b", "~", "null", "http://x", "1e5", ".5", "(x)", "a  b", "-", "a:", "- a", "[a]", "yes",
    ]
    func word() -> String {
      random.next() % 10 == 0
        ? rare[Int(random.next() % UInt64(rare.count))] : words[Int(random.next() % UInt64(words.count))]
    }
    func key() -> String {
      random.next() % 20 == 0
        ? ["-k", "a.b"][Int(random.next() % 2)]
        : ["a", "b", "c", "name", "rule", "k_1", "x-y", "9"][Int(random.next() % 8)]
    }
    var lines: [String] = []
    func mapping(_ indent: Int, _ depth: Int, first prefix: String? = nil) {
      var keys = Set<String>()
      for entry in 0..<Int(1 + random.next() % 4) {
        var name = key()
        while keys.contains(name) { name += "z" }
        keys.insert(name)
        let lead =
          entry == 0 ? (prefix ?? String(repeating: " ", count: indent)) : String(repeating: " ", count: indent)
        if random.next() % 8 == 0 { lines.append(String(repeating: " ", count: Int(random.next() % 6)) + "# note") }
        if random.next() % 10 == 0 { lines.append("") }
        switch depth < 4 ? random.next() % 4 : 0 {
        case 1:
          lines.append(lead + name + ":" + (random.next() % 4 == 0 ? "  # c" : ""))
          mapping(indent + 1 + Int(random.next() % 3), depth + 1)
        case 2:
          lines.append(lead + name + ":")
          sequence(random.next() % 2 == 0 ? indent : indent + 2, depth + 1)
        default:
          lines.append(
            lead + name + ": " + word() + (random.next() % 5 == 0 ? " # c" : "") + (random.next() % 6 == 0 ? "  " : ""))
        }
      }
    }
    func sequence(_ indent: Int, _ depth: Int) {
      for _ in 0..<Int(1 + random.next() % 3) {
        let dash = String(repeating: " ", count: indent) + "- "
        if depth < 4, random.next() % 2 == 0 {
          mapping(indent + 2, depth + 1, first: dash)
        } else {
          lines.append(dash + word())
        }
      }
    }
    if random.next() % 4 == 0 { sequence(0, 0) } else { mapping(0, 0) }
    return lines.joined(separator: "\n") + (random.next() % 2 == 0 ? "\n" : "")
  }

  @Test("seeded random block documents and single-character edits of them")
  func randomDocuments() {
    var random = SplitMix64(seed: 0x5EED_B10C)
    var readCount = 0
    var editsRead = 0
    let alphabet = Array(" \n-:#ab\"'[{&*!|>?,.\t0")
    for _ in 0..<2000 {
      let yaml = Self.randomDocument(&random)
      if Self.check(yaml, "random") { readCount += 1 }
      for _ in 0..<4 {
        var characters = Array(yaml)
        guard !characters.isEmpty else { continue }
        let at = Int(random.next() % UInt64(characters.count))
        switch random.next() % 3 {
        case 0: characters.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: at)
        case 1: characters.remove(at: at)
        default: characters[at] = alphabet[Int(random.next() % UInt64(alphabet.count))]
        }
        if Self.check(String(characters), "edit") { editsRead += 1 }
      }
    }
    // Most generated documents are in the subset, and edits often stay in it: the comparisons are not vacuous.
    #expect(readCount > 800, "\(readCount) of 2,000 read")
    #expect(editsRead > 1000, "\(editsRead) of 8,000 edits read")
  }
}
