import Foundation
import StrataDefinitions
import StrataTestSupport
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

  /// Valid YAML that decodes keeps loading: an alias standing for an allowed key (main loaded these before the key
  /// check; c2955cb refused them as 'a key must be plain text ..., not an alias (*k)').
  @Test("an alias standing for an allowed key loads, as the key it names")
  func aliasForAnAllowedKey() throws {
    let yaml = "id: d\nvariants:\n  - &k key: control\n  - *k : treatment\n"
    let definition = try DefinitionLoader.load(yaml: yaml, file: "d.yaml")
    #expect(definition.experiment.variants.map(\.key) == ["control", "treatment"])
    let url = packageRootURL().appendingPathComponent("experiments/gym-renewal.yaml")
    let text = try String(contentsOf: url, encoding: .utf8)
    let aliased =
      text
      .replacingOccurrences(of: "  - key: control\n", with: "  - &k key: control\n")
      .replacingOccurrences(of: "  - key: reminder_progress\n", with: "  - *k : reminder_progress\n")
    #expect(aliased.contains("*k : reminder_progress") && aliased.contains("&k key: control"))
    let plain = try DefinitionLoader.load(yaml: text, file: url.path)
    let loaded = try DefinitionLoader.load(yaml: aliased, file: url.path)
    #expect(loaded.experiment.variants.map(\.key) == ["control", "reminder_progress", "reminder_social"])
    #expect(loaded.experiment == plain.experiment)
  }

  @Test("beside a valid alias key, another error is the one given")
  func otherErrorsBesideAValidAlias() {
    let aliased = "id: d\nvariants:\n  - &k key: control\n  - *k : treatment\n"
    let repeated = message(aliased + "name: a\nname: b\n")
    #expect(repeated == "d.yaml:6: name: duplicate key 'name' at column 1 (already at line 5)")
    let unknown = message(aliased + "colour: red\n")
    #expect(unknown.hasPrefix("d.yaml:5: colour: unknown key \"colour\""), "\(unknown)")
    let wrongValue = message("id: d\nvariants:\n  - &k key: control\n  - *k : treatment\n    weight: x\n")
    #expect(wrongValue.hasPrefix("d.yaml:5: variants[1].weight:"), "\(wrongValue)")
  }
}
