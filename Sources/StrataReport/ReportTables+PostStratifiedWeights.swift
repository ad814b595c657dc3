import StrataAnalysis
import StrataStats

extension ReportTables {
  /// A post-stratified estimate's weights longer than this (characters, as listed in its row) are a table of their
  /// own below the estimates (`postStratifiedTables`).
  ///
  /// Listed in the row, each variant's weights repeat the same shares (every arm's units weigh a segment), and
  /// with many or long names the list is the table: 30 of 40 segments named by 75 characters made each variant's
  /// cell 2,300 characters, the table 881 px tall at 1,280 px and 3,688 px at 390 px, and printed, rows being kept
  /// whole, it pushed the table to the next page and left the page before 13% used. Eight cities (97 characters)
  /// stay in the row.
  static let inlineWeights = 160

  /// The weights of a post-stratified estimate as its row lists them: "name 32%, …", the segments `shown` shows,
  /// then "and N more segments".
  static func weightsText(_ p: PostStratifiedComparison, shown: ReportSegments) -> String {
    var weights = zip(p.segmentsUsed, p.weights).filter { shown.contains($0.0) }.map {
      "\($0) \(NumberText.percent($1, digits: 0))"
    }
    if weights.count < p.segmentsUsed.count {
      weights.append("and \(NumberText.count(p.segmentsUsed.count - weights.count)) more segments")
    }
    return weights.joined(separator: ", ")
  }

  /// The post-stratified estimates as the HTML and Markdown reports show them: one table, each variant's segment
  /// weights in its last column (`postStratified`), or, when a variant's weights are longer than
  /// `inlineWeights` characters, the estimates and then the weights, a row a segment (`postStratifiedWeights`).
  public static func postStratifiedTables(
    _ metric: MetricAnalysis, plan: AnalysisPlan, segments: ReportSegments? = nil
  ) -> [Table] {
    let shown = segments ?? .all(of: plan)
    guard metric.postStratified.contains(where: { weightsText($0, shown: shown).count > inlineWeights }) else {
      return [postStratified(metric, plan: plan, segments: shown)]
    }
    return [
      postStratified(metric, plan: plan, segments: shown, weights: false),
      postStratifiedWeights(metric, plan: plan, segments: shown),
    ]
  }

  /// The caption of `postStratifiedWeights`' table.
  public static let postStratifiedWeightsTitle = "Segment weights of the post-stratified estimates (share of units)"

  /// The segments' weights in the post-stratified estimates, a row a segment: the segments `segments` shows, in the
  /// plan's order, then one row for the others ("N more segments", their total share).
  ///
  /// One column when every variant weighs the segments alike as shown (the usual case: a segment's share of the
  /// units of all arms), else a column a variant, "—" where a variant's estimate leaves a segment out.
  static func postStratifiedWeights(_ metric: MetricAnalysis, plan: AnalysisPlan, segments: ReportSegments)
    -> Table
  {
    let estimates = metric.postStratified
    let used = Set(estimates.flatMap(\.segmentsUsed))
    let listed = plan.segments.filter { used.contains($0) && segments.contains($0) }
    let others = used.subtracting(listed).count
    // Per variant: each listed segment's share as shown, then the others' total.
    let columns = estimates.map { p -> [String] in
      let weight = Dictionary(zip(p.segmentsUsed, p.weights), uniquingKeysWith: { first, _ in first })
      let rest = zip(p.segmentsUsed, p.weights).filter { !segments.contains($0.0) }.map(\.1).reduce(0, +)
      return listed.map { weight[$0].map { NumberText.percent($0, digits: 0) } ?? "—" }
        + (others > 0 ? [NumberText.percent(rest, digits: 0)] : [])
    }
    let alike = columns.dropFirst().allSatisfy { $0 == columns.first }
    let shown = alike ? Array(columns.prefix(1)) : columns
    let header = ["Segment"] + (alike ? ["Share of units"] : estimates.map { "\($0.treatment): share of units" })
    let labels = listed + (others > 0 ? ["\(NumberText.count(others)) more segment\(others == 1 ? "" : "s")"] : [])
    let rows = labels.indices.map { row in [labels[row]] + shown.map { $0[row] } }
    return Table(header: header, rows: rows, classes: rows.map { _ in "" })
  }
}
