import ArgumentParser
import StrataAnalysis
import StrataReport
import StrataStats

/// `strata calc fisher`: Fisher's exact test on a 2 × 2 table.
struct CalcFisher: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fisher",
    abstract: "Fisher's exact test on a 2 × 2 table of counts.",
    discussion: """
      The table is "a,b;c,d": rows are control then treatment, columns converted then not converted. \
      The two-sided p-value sums the hypergeometric probabilities of every table with the same margins \
      that is no more likely than the observed one (scipy.stats.fisher_exact); odds_ratio is the sample \
      odds ratio a·d/(b·c) (null when infinite). With --sides 1 the alternative is "treatment converts \
      better" (odds ratio below 1; scipy's alternative="less"). Exact even for counts of 1e8 \
      (total up to 4,294,967,295).

      Examples:
        strata calc fisher --table "3,1;1,3"
        strata calc fisher --table "120,880;150,850" --sides 1 --json
      """)

  @Option(help: ArgumentHelp("2 × 2 counts: control row; treatment row.", valueName: "a,b;c,d"))
  var table: NumberTable
  @Option(help: CalcHelp.sides) var sides: Int = 2
  @Flag(help: CalcHelp.json) var json = false

  func run() throws {
    try reportingErrors {
      let alternative = try Alternative(sides: sides)
      let test = try forFlag("--table") { try FisherExactTest(table: table.rows, alternative: alternative) }
      let r = try test.result()
      if json {
        var out = CalcOutput()
        out.add("p_value", r.test.pValue)
        out.add("odds_ratio", r.oddsRatio, whyMissing: "the odds ratio a·d/(b·c) is infinite because b·c = 0")
        out.add("sides", .integer(alternative.sides))
        printJSON(out.json)
      } else {
        let rows = table.rows
        print(
          [
            "Fisher's exact test (\(describe(alternative)))", "",
            textTable([
              ["", "converted", "not converted"],
              ["control", NumberText.human(rows[0][0], digits: 0), NumberText.human(rows[0][1], digits: 0)],
              ["treatment", NumberText.human(rows[1][0], digits: 0), NumberText.human(rows[1][1], digits: 0)],
            ]), "",
            "odds ratio a·d/(b·c) = \(NumberText.human(r.oddsRatio)), p = \(NumberText.human(r.test.pValue))",
          ].joined(separator: "\n"))
      }
    }
  }
}
