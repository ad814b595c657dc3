import StrataDefinitions
import Testing

/// A definition nested deeper than libyaml reads: our sentence at the line where the limit was met (was libyaml's
/// "Maximum nesting level reached, set with yaml_set_max_nest_level())", found by hrobust's sweep, cases 198-199).
@Suite("YAML nested too deeply")
struct YAMLNestingTests {
  /// `depth` block mappings inside one another, the definition's own mapping the first (`depth` levels).
  static func blockMappings(_ depth: Int) -> String {
    (["id: d", "variants: [a, b]"] + (0..<depth).map { String(repeating: " ", count: $0) + "k:" }).joined(
      separator: "\n") + " 1\n"
  }

  func message(_ yaml: String) -> String {
    do {
      _ = try DefinitionLoader.load(yaml: yaml, file: "d.yaml")
      return ""
    } catch {
      return error.description
    }
  }

  static let sentence =
    "nested 1000 levels deep or more (mappings and lists inside one another); a definition needs a few"

  @Test("999 levels of block mappings load; 1000 are one sentence at the line of the 1000th")
  func blockStyle() {
    let fits = message(Self.blockMappings(999))
    #expect(fits.hasPrefix("d.yaml:3: k: unknown key \"k\""), "\(fits.prefix(200))")
    #expect(message(Self.blockMappings(1000)) == "d.yaml:1002: \(Self.sentence)")
  }

  /// The definition's mapping, `name:` holding `lists` flow lists inside one another (`lists + 1` levels).
  static func flowLists(_ lists: Int, _ open: String = "[ ") -> String {
    "id: d\nvariants: [a, b]\nname: " + String(repeating: open, count: lists) + String(repeating: "]", count: lists)
      + "\n"
  }

  @Test("flow lists: 999 levels load, 1000 and 1500 are the same sentence at their line")
  func flowStyle() {
    let fits = message(Self.flowLists(998))
    #expect(fits.hasPrefix("d.yaml:3: name: expected a text value"), "\(fits.prefix(200))")
    #expect(message(Self.flowLists(999)) == "d.yaml:3: \(Self.sentence)")
    let deep = message(Self.flowLists(1500, "["))
    #expect(deep == "d.yaml:3: \(Self.sentence)", "\(deep)")
    #expect(!deep.contains("yaml_set_max_nest_level") && !deep.contains("column"))
  }

  /// libyaml's scanner reads ahead through `[[[...` written without spaces: such lists load a little deeper, and the
  /// sentence, "1000 levels deep or more", stays true where they stop.
  @Test("flow lists without spaces: 1013 levels load, 1014 are refused")
  func flowStyleWithoutSpaces() {
    #expect(message(Self.flowLists(1012, "[")).hasPrefix("d.yaml:3: name: expected a text value"))
    #expect(message(Self.flowLists(1013, "[")) == "d.yaml:3: \(Self.sentence)")
  }
}
