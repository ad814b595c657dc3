import ArgumentParser
import StrataAnalysis
import StrataReport
import StrataStats

/// `strata calc boundaries`: Lan–DeMets group-sequential efficacy boundaries.
struct BoundariesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "boundaries",
    abstract: "Group-sequential efficacy boundaries (Lan-DeMets alpha spending).",
    discussion: """
      For each planned look: the information fraction, the z boundary (stop for efficacy when \
      z >= boundary, or |z| >= boundary with --sides 2), the naive p-value that crosses it, and the \
      cumulative alpha spent. Spending: obf (O'Brien-Fleming type), pocock (Pocock type), \
      hsd:GAMMA (Hwang-Shih-DeCani, e.g. hsd:-4). Boundaries come from recursive numerical \
      integration and match R rpact's getDesignGroupSequential; they stay finite where rpact prints Inf.

      Examples:
        strata calc boundaries --looks 5 --spending obf
        strata calc boundaries --looks 4 --fractions 0.25,0.6,0.8,1 \\
          --alpha 0.025 --sides 1 --spending pocock
        strata calc boundaries --looks 6 --spending hsd:-4 --json
      """)

  @OptionGroup var options: SequentialDesignOptions

  @Flag(help: "Print one JSON object.")
  var json = false

  func run() throws {
    try reportingErrors {
      let design = try options.design()
      let boundaries = try design.boundaries()
      printOutput(
        json: json, Self.jsonOutput(design: design, boundaries: boundaries),
        Self.humanOutput(design: design, boundaries: boundaries))
    }
  }

  static func jsonOutput(design: GroupSequentialDesign, boundaries: [SequentialBoundary]) -> JSONValue {
    var notes: [JSONValue] = []
    let looks: [JSONValue] = boundaries.map { b in
      if !b.z.isFinite { notes.append(.string("look \(b.look): the boundary is not finite")) }
      if b.nominalPValue == 0 {
        notes.append(.string("look \(b.look): nominal_p is below the smallest double (ln p = \(b.logNominalPValue))"))
      }
      if b.alphaSpent == 0 {
        notes.append(
          .string("look \(b.look): alpha_spent is below the smallest double (ln alpha = \(b.logAlphaSpent))"))
      }
      return .object([
        ("look", .integer(b.look)),
        ("fraction", .number(b.fraction)),
        ("z", .finite(b.z)),
        ("nominal_p", b.nominalPValue > 0 ? .finite(b.nominalPValue) : .null),
        ("alpha_spent", b.alphaSpent > 0 ? .finite(b.alphaSpent) : .null),
      ])
    }
    return .object([
      ("spending", .string(design.spending.description)),
      ("alpha", .number(design.alpha)),
      ("sides", .integer(design.alternative.sides)),
      ("looks", .array(looks)),
      ("notes", .array(notes)),
    ])
  }

  static func humanOutput(design: GroupSequentialDesign, boundaries: [SequentialBoundary]) -> String {
    let rule = design.alternative == .twoSided ? "|z| >= boundary" : "z >= boundary"
    var rows = [["look", "fraction", "z boundary", "nominal p", "alpha spent"]]
    for b in boundaries {
      rows.append([
        "\(b.look)", NumberText.number(b.fraction, digits: 4), NumberText.number(b.z, digits: 4),
        b.nominalPValue > 0 ? NumberText.human(b.nominalPValue) : "< 1e-308",
        b.alphaSpent > 0 ? NumberText.human(b.alphaSpent) : "< 1e-308",
      ])
    }
    return """
      Group-sequential boundaries: \(design.spending) spending, alpha \(NumberText.human(design.alpha)), \
      \(design.alternative.sides)-sided, \(design.looks) look\(design.looks == 1 ? "" : "s")
      Stop for efficacy at a look when \(rule).

      \(textTable(rows))
      """
  }
}
