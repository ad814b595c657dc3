import StrataDefinitions
import Testing

/// A key repeated in a mapping: Yams refuses it before the definition is read, with the whole file in its
/// message; the loader names the repeated key's own line, its column and field, and the line of the first.
@Suite("Duplicate keys in a definition")
struct DuplicateKeyTests {
  static func error(_ yaml: String) -> String? {
    do {
      _ = try DefinitionLoader.load(yaml: yaml, file: "dup.yaml")
      return nil
    } catch {
      return error.description
    }
  }

  @Test(
    "one sentence with the repeated key's line, column and field path",
    arguments: [
      // top level
      ("id: a\nvariants: [a, b]\nid: b\n", "dup.yaml:3: id: duplicate key 'id' at column 1 (already at line 1)"),
      // in a segment, after another key, with a comment and a blank line in between
      (
        "id: d\nvariants: [a, b]\nsegments:\n  - name: one\n    rule: x\n  - name: two\n    # note\n\n"
          + "    traffic: 0.5\n    name: three\n",
        "dup.yaml:10: segments[1].name: duplicate key 'name' at column 5 (already at line 6)"
      ),
      // a sequence written at its key's indentation
      (
        "id: d\nsegments:\n- name: one\n- name: two\n  name: three\n",
        "dup.yaml:5: segments[1].name: duplicate key 'name' at column 3 (already at line 4)"
      ),
      // three levels down, the same key in another mapping first (not a duplicate)
      (
        "id: d\nsegments:\n  - name: s\n    weights:\n      a: 1\n  - name: t\n    weights:\n      a: 1\n      b: 1\n"
          + "      a: 2\n",
        "dup.yaml:10: segments[1].weights.a: duplicate key 'a' at column 7 (already at line 8)"
      ),
      // quoted keys, with two repeated keys in one mapping
      (
        "id: d\nplan:\n  \"alpha\": 0.05\n  power: 0.8\n  alpha: 0.1\n  power: 0.9\n",
        "dup.yaml:5: plan.alpha: duplicate key 'alpha' at column 3 (already at line 3); also repeated in this mapping: 'power'"
      ),
      // a sequence item opened by a lone `-` on its own line (reading the path from the indentation crashed
      // here, then gave no path)
      (
        "id: d\nsegments:\n  -\n    name: one\n    name: two\n",
        "dup.yaml:5: segments[0].name: duplicate key 'name' at column 5 (already at line 4)"
      ),
      // lone `-` items in a factor list, the second item's keys repeated, a comment between
      (
        "id: d\nfactors:\n  -\n    name: a\n    levels: [x, y]\n  -\n    name: b\n    # again\n    name: c\n",
        "dup.yaml:9: factors[1].name: duplicate key 'name' at column 5 (already at line 7)"
      ),
      // a flow mapping: both on one line
      (
        "id: d\nplan: {alpha: 0.05, alpha: 0.1}\n",
        "dup.yaml:2: plan.alpha: duplicate key 'alpha' at column 21 (already at line 2, column 8)"
      ),
      // a flow mapping in a flow sequence in a block sequence, over two lines, quoted the second time
      (
        "id: d\nsegments:\n  - name: s\n    centroid: [{x: 1}, {y: 2,\n      'y': 3}]\n",
        "dup.yaml:5: segments[0].centroid[1].y: duplicate key 'y' at column 7 (already at line 4)"
      ),
      // a block mapping in a top-level sequence
      ("- a: 1\n  a: 2\n", "dup.yaml:2: [0].a: duplicate key 'a' at column 3 (already at line 1)"),
      // a key written three times: the second one is named
      ("id: a\nid: b\nid: c\n", "dup.yaml:2: id: duplicate key 'id' at column 1 (already at line 1)"),
      // a flow mapping as a sequence item
      (
        "id: d\nsegments:\n  - {name: s, name: t}\n",
        "dup.yaml:3: segments[0].name: duplicate key 'name' at column 15 (already at line 3, column 6)"
      ),
      // a key on the path repeated too (the parser reports the inner mapping first): the path through the
      // first occurrence
      (
        "id: d\nsegments:\n  - name: s\n    name: t\nsegments: []\n",
        "dup.yaml:4: segments[0].name: duplicate key 'name' at column 5 (already at line 3)"
      ),
      // CRLF line ends
      (
        "id: d\r\nplan:\r\n  alpha: 0.05\r\n  alpha: 0.1\r\n",
        "dup.yaml:4: plan.alpha: duplicate key 'alpha' at column 3 (already at line 3)"
      ),
      // another mapping's key that decodes (escape \x7a = 'z') to the renamed first occurrence's text: only a
      // key at the renamed position counts (this named 'other.alpha' at line 5)
      (
        "other:\n  \"\\x7aStrataRenamedKey0qalpha\": 1\nplan:\n  alpha: 1\n  alpha: 2\n",
        "dup.yaml:5: plan.alpha: duplicate key 'alpha' at column 3 (already at line 4)"
      ),
      // a key with an anchor before it: the parser's position is the anchor's, the path is not spelt
      (
        "id: d\nplan:\n  &k alpha: 0.05\n  alpha: 0.1\n",
        "dup.yaml:3: the key 'alpha' at column 3 is repeated in its mapping (keys must be unique)"
      ),
    ])
  func duplicateKeys(yaml: String, expected: String) {
    #expect(Self.error(yaml) == expected)
  }

  @Test("no copy of the file in the message (Yams' own message quotes all of it)")
  func noFileDump() throws {
    let body = (1...60).map { "    k\($0): v" }.joined(separator: "\n")
    let yaml = "id: d\nsegments:\n  - name: one\n" + body + "\n    name: two\n"
    let message = try #require(Self.error(yaml))
    #expect(!message.contains("\n") && !message.contains("k30"), "\(message)")
    #expect(message == "dup.yaml:64: segments[0].name: duplicate key 'name' at column 5 (already at line 3)")
  }

  @Test("a key repeated in each of 2,000 segments: the first one's path (was line and column only after 16 renames)")
  func repeatedInEverySegment() throws {
    let segments = (1...2000).map { "  - name: s\($0)\n    rule: tier == \"s\($0)\"\n    rule: tier == \"t\"\n" }
    let yaml = "id: d\nsegments:\n" + segments.joined()
    #expect(
      Self.error(yaml) == "dup.yaml:5: segments[0].rule: duplicate key 'rule' at column 5 (already at line 4)")
    // The key also written as a value, in a comment and quoted in a flow mapping: still the first one.
    let mixed =
      "id: d\n# rule: here\nsegments:\n  - {name: rule, \"rule\": a, rule: b}\n"
      + (1...40).map { "  - name: s\($0)\n    rule: a\n    rule: b\n" }.joined()
    #expect(
      Self.error(mixed)
        == "dup.yaml:4: segments[0].rule: duplicate key 'rule' at column 29 (already at line 4, column 18)")
  }

  @Test("a control character the YAML reader refuses: its line, one sentence")
  func readerError() throws {
    let message = try #require(Self.error("id: d\nname: a\u{1}b\n"))
    #expect(message.hasPrefix("dup.yaml:2: not valid YAML: "), "\(message)")
    #expect(!message.contains("\n"), "\(message)")
  }
}
