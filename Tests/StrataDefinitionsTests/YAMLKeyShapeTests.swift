import StrataDefinitions
import Testing

/// A mapping key that is not plain text: one sentence at the key's own line (an alias was reported at the line of
/// its anchor, as the key it stands for; two equal mapping keys as Yams' "'<uncovertable>'").
@Suite("Keys that are not text")
struct YAMLKeyShapeTests {
  func message(_ yaml: String) -> String {
    do {
      _ = try DefinitionLoader.load(yaml: yaml, file: "d.yaml")
      return ""
    } catch {
      return error.description
    }
  }

  static let must = "a key must be plain text (a name such as `alpha`), not"

  @Test(
    "each shape of key, at its line and in its mapping",
    arguments: [
      ("id: d\nvariants: [a, b]\n? {a: 1}\n: 3\n", "d.yaml:3: \(must) a mapping"),
      ("id: d\nvariants: [a, b]\n? [a, b]\n: 3\n", "d.yaml:3: \(must) a list"),
      ("id: d\nvariants: [a, b]\n{x: 1}: 2\n", "d.yaml:3: \(must) a mapping"),
      ("id: &n d\nvariants: [a, b]\n*n : 3\n", "d.yaml:3: \(must) an alias (*n)"),
      ("id: d\nvariants: [a, b]\nplan:\n  &k alpha: 0.05\n  *k : 0.1\n", "d.yaml:5: plan: \(must) an alias (*k)"),
      (
        "id: d\nvariants: [a, b]\n? {a: 1}\n: 3\n? {a: 1}\n: 4\n",
        "d.yaml:3: \(must) a mapping"
      ),
      (
        "id: d\nvariants:\n  - key: a\n  - key: b\n    ? [x]\n    : 1\n    ? [x]\n    : 2\n",
        "d.yaml:5: variants[1]: \(must) a list"
      ),
      (
        "id: d\nvariants: [a, b]\nsegments:\n  - name: &s high\n    rule: x > 1\n  - name: low\n    {*s : 1}: 2\n",
        "d.yaml:7: segments[1]: \(must) a mapping"
      ),
      (
        "id: d\nvariants: [a, b]\nsegments:\n  - name: &s high\n  - {name: low, *s : 1}\n",
        "d.yaml:5: segments[1]: \(must) an alias (*s)"
      ),
      (
        "id: d\nvariants:\n  - key: a\n    value: {&v x: 1, *v : 2}\n  - key: b\n",
        "d.yaml:4: variants[0].value: \(must) an alias (*v)"
      ),
    ])
  func shapes(yaml: String, expected: String) {
    #expect(message(yaml) == expected)
  }

  @Test("an alias as a value, a number or a '*' in text as a key: read as before")
  func notKeys() {
    // An alias as a value is the node it names.
    #expect(message("id: &n d\nvariants: [a, b]\nname: *n\n") == "")
    // A number as a key is its text, refused as any unknown key.
    #expect(message("id: d\nvariants: [a, b]\n5: 3\n").hasPrefix("d.yaml:3: 5: unknown key \"5\""))
    #expect(message("id: d\nvariants: [a, b]\nname: 'a * b'\n") == "")
  }
}
