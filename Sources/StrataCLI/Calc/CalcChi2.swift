import ArgumentParser
import StrataAnalysis
import StrataReport
import StrataStats

/// `strata calc chi2`: Pearson's chi-squared test of independence on an R × C table.
struct CalcChi2: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "chi2",
    abstract: "Chi-squared test of independence on an R × C table of counts.",
    discussion: """
      Rows are separated by ';', cells by ','. Expected counts are row total × column total / total; \
      χ² = Σ (O − E)²/E with (R − 1)(C − 1) degrees of freedom. --yates applies the continuity correction \
      (2 × 2 tables only, as scipy.stats.chi2_contingency does). Every row and column must have a \
      positive total.

      Examples:
        strata calc chi2 --table "120,880;150,850"
        strata calc chi2 --table "12,5,7,9;8,10,6,3;4,9,11,15" --json
        strata calc chi2 --table "10,10;10,11" --yates
      """)

  @Option(help: ArgumentHelp("Counts: rows separated by ';', cells by ','.", valueName: "r1c1,r1c2;r2c1,r2c2"))
  var table: NumberTable
  @Flag(help: "Apply Yates' continuity correction (2 × 2 tables only).")
  var yates = false
  @Flag(help: CalcHelp.json) var json = false

  func run() throws {
    try reportingErrors {
      let test = try forFlag("--table") { try ChiSquaredIndependenceTest(table: table.rows, yatesCorrection: yates) }
      let r = try test.result()
      let applied = yates && r.degreesOfFreedom == 1
      let skippedNote = "Yates' correction applies to 2 × 2 tables only and was not applied."
      if json {
        var out = CalcOutput()
        out.add("statistic", r.test.statistic)
        out.add("df", r.degreesOfFreedom)
        out.add("p_value", r.test.pValue)
        out.add("yates", .bool(applied))
        out.add("expected", .array(r.expected.map { .array($0.map { .finite($0) }) }))
        if yates && !applied { out.note(skippedNote) }
        printJSON(out.json)
      } else {
        var rows = [[""] + (1...table.rows[0].count).map { "column \($0)" }]
        for (i, (observed, expected)) in zip(table.rows, r.expected).enumerated() {
          rows.append(
            ["row \(i + 1)"]
              + zip(observed, expected).map {
                "\(NumberText.human($0, digits: 0)) (\(NumberText.human($1, digits: 1)))"
              })
        }
        var lines = [
          "Chi-squared test of independence\(applied ? " with Yates' correction" : "")", "",
          "observed (expected)", textTable(rows), "",
          "χ² = \(NumberText.human(r.test.statistic)), df = \(NumberText.human(r.degreesOfFreedom, digits: 0)), p = \(NumberText.human(r.test.pValue))",
        ]
        if yates && !applied { lines.append("note: \(skippedNote)") }
        print(lines.joined(separator: "\n"))
      }
    }
  }
}
