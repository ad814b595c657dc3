import StrataAnalysis
import StrataDesign
import StrataReport
import StrataStats

/// What `strata design` prints: JSON keys per CLI-CONTRACT.md and a table for people.
struct DesignOutput {
  /// Sample size for one term's F test (`--mde`).
  struct PlanRow {
    var term: EffectWord
    var degreesOfFreedom: Int
    var effectSize: Double
    var unitsPerCell: Int
    var power: Double
  }

  var design: FactorialDesign
  var plan: [PlanRow]? = nil

  init(design: FactorialDesign) { self.design = design }

  private var factors: [Factor] { design.factors }

  /// `subject:image` for the word AB.
  private func names(_ word: EffectWord) -> String {
    word == .identity ? "mean" : word.factors.map { factors[$0].name }.joined(separator: ":")
  }

  private var kind: String {
    guard design.isFractional else {
      let shape = factors.map { String($0.levelCount) }.joined(separator: "×")
      return "full factorial \(shape)"
    }
    return "2^(\(factors.count)−\(design.fractionExponent)) fractional factorial"
  }

  private var notes: [String] {
    var notes: [String] = []
    if design.isFractional {
      notes.append(
        "Aliases list main effects and two-factor interactions only; interactions of three or more factors are assumed negligible."
      )
      if let resolution = design.resolution, resolution == 3 {
        notes.append(
          "Resolution III: main effects are aliased with two-factor interactions; read them as main effects only if those interactions are negligible."
        )
      } else if design.resolution == 4 {
        notes.append(
          "Resolution IV: main effects are clear of two-factor interactions, but some two-factor interactions are aliased with each other."
        )
      }
    } else {
      notes.append(
        "Full factorial: every main effect and interaction is estimable; resolution is null because nothing is aliased."
      )
    }
    if plan != nil {
      notes.append(
        "Sample sizes assume equal units per cell and the analysis model of `strata calc factorial` (noncentral F, λ = N·f²); for a binary metric σ = √(p(1 − p)) at the baseline (normal approximation)."
      )
    }
    return notes
  }

  var json: JSONValue {
    let runs = design.runs.indices.map { index in
      JSONValue.object(zip(factors, design.levelLabels(ofRun: index)).map { ($0.name, .string($1)) })
    }
    let aliases = design.lowOrderAliases.map { entry in
      JSONValue.object([
        ("effect", .string(entry.effect.letters)),
        ("factors", .string(names(entry.effect))),
        ("aliased_with", .array(entry.aliases.map { .string($0.letters) })),
        ("aliased_with_factors", .array(entry.aliases.map { .string(names($0)) })),
        ("clear", .bool(entry.aliases.isEmpty)),
      ])
    }
    let factorList = factors.enumerated().map { index, factor in
      JSONValue.object([
        ("letter", .string(String(EffectWord.letter(of: index)))),
        ("name", .string(factor.name)),
        ("levels", .array(factor.levels.map { .string($0) })),
      ])
    }
    return .object(
      [
        ("design", .string(design.isFractional ? "fractional" : "full")),
        ("factors", .array(factorList)),
        ("run_count", .integer(design.runs.count)),
        ("fraction", .string(design.isFractional ? "1/\(1 << design.fractionExponent)" : "1")),
        ("generators", .array(design.generators.map { .string($0.letters) })),
        ("defining_relation", .array(design.definingRelation.map { .string($0.letters) })),
        ("resolution", design.resolution.map { .integer($0) } ?? .null),
        ("word_length_pattern", .array(design.isFractional ? design.wordLengthPattern.map { .integer($0) } : [])),
        ("aliases", .array(aliases)),
        ("runs", .array(runs)),
      ] + planJSON + [
        ("notes", .array(notes.map { .string($0) }))
      ])
  }

  private var planJSON: [(String, JSONValue)] {
    guard let plan else { return [] }
    return [
      (
        "plan",
        .array(
          plan.map { row in
            .object([
              ("term", .string(names(row.term))), ("letters", .string(row.term.letters)),
              ("df", .integer(row.degreesOfFreedom)),
              ("effect_size_f", .number(row.effectSize)), ("units_per_cell", .integer(row.unitsPerCell)),
              ("units_total", .integer(row.unitsPerCell * design.runs.count)), ("power", .number(row.power)),
            ])
          })
      )
    ]
  }

  var table: String {
    var lines: [String] = []
    var title = "\(kind), \(design.runs.count) runs"
    if let resolution = design.resolution { title += ", resolution \(romanNumeral(resolution))" }
    lines.append(title)
    lines.append("")
    lines.append(
      leftAlignedTable(
        [["letter", "factor", "levels"]]
          + factors.enumerated().map { index, factor in
            [String(EffectWord.letter(of: index)), factor.name, factor.levels.joined(separator: ", ")]
          }))
    if design.isFractional {
      lines.append("")
      lines.append("Generators: " + design.generators.map(\.letters).joined(separator: ", "))
      lines.append("Defining relation: I = " + design.definingRelation.map(\.letters).joined(separator: " = "))
      lines.append("")
      lines.append("Aliases (main effects and two-factor interactions; higher-order interactions ignored):")
      var rows = [["effect", "factors", "aliased with"]]
      for entry in design.lowOrderAliases {
        let aliased =
          entry.aliases.isEmpty
          ? "clear" : entry.aliases.map { "\($0.letters) (\(names($0)))" }.joined(separator: ", ")
        rows.append([entry.effect.letters, names(entry.effect), aliased])
      }
      lines.append(leftAlignedTable(rows))
    }
    lines.append("")
    lines.append("Runs:")
    var rows = [["run"] + factors.map(\.name)]
    for index in design.runs.indices {
      rows.append([String(index + 1)] + design.levelLabels(ofRun: index))
    }
    lines.append(leftAlignedTable(rows))
    if let plan {
      lines.append("")
      lines.append(
        "Sample size (F test per term; main effects: two levels --mde apart; interactions: a 2×2 contrast of --mde):")
      lines.append(
        textTable(
          [["term", "df", "f", "units/cell", "total", "power"]]
            + plan.map {
              [
                names($0.term), String($0.degreesOfFreedom), NumberText.number($0.effectSize, digits: 4),
                String($0.unitsPerCell),
                String($0.unitsPerCell * design.runs.count), NumberText.number($0.power, digits: 3),
              ]
            }))
    }
    for note in notes { lines.append("Note: " + note) }
    return lines.joined(separator: "\n")
  }
}

/// III, IV, V, … for resolutions.
func romanNumeral(_ value: Int) -> String {
  let table: [(Int, String)] = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
  var remaining = value
  var result = ""
  for (amount, symbol) in table {
    while remaining >= amount {
      result += symbol
      remaining -= amount
    }
  }
  return result
}

/// Renders rows as a plain-text table with every column left-aligned (labels rather than numbers).
func leftAlignedTable(_ rows: [[String]]) -> String {
  guard let width = rows.map(\.count).max() else { return "" }
  var widths = [Int](repeating: 0, count: width)
  for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
  return rows.map { row in
    row.enumerated().map { i, cell in
      i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
    }.joined(separator: "  ")
  }.joined(separator: "\n")
}
