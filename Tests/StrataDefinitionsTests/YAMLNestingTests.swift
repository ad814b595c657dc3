import StrataDefinitions
import Testing

/// A definition nested deeper than libyaml reads: our sentence at the line where the limit was met (was libyaml's
/// "Maximum nesting level reached, set with yaml_set_max_nest_level())", found by hrobust's sweep, cases 198-199).
@Suite("YAML nested too deeply")
struct YAMLNestingTests {
  /// The definition's mapping holding `depth` block mappings inside one another (`depth + 1` levels).
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

  @Test("1000 levels of block mappings load; 1001 are one sentence at the line of the 1001st")
  func blockStyle() {
    let fits = message(Self.blockMappings(999))
    #expect(fits.hasPrefix("d.yaml:3: k: unknown key \"k\""), "\(fits.prefix(200))")
    let deep = message(Self.blockMappings(1000))
    #expect(
      deep
        == "d.yaml:1002: nested deeper than 1000 levels (mappings and lists inside one another); a definition needs a few"
    )
  }

  @Test("flow lists 1500 deep: the same sentence at their line")
  func flowStyle() {
    let yaml =
      "id: d\nvariants: [a, b]\nname: " + String(repeating: "[", count: 1500)
      + String(repeating: "]", count: 1500) + "\n"
    let deep = message(yaml)
    #expect(deep.hasPrefix("d.yaml:3: nested deeper than 1000 levels"), "\(deep)")
    #expect(!deep.contains("yaml_set_max_nest_level") && !deep.contains("column"))
  }
}
