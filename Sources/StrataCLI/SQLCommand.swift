import ArgumentParser
import Foundation
import StrataAnalysis
import StrataAssignment
import StrataWarehouse

/// `strata sql`: prints the pushdown query whose result is `analyze --data` input.
struct SQLCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sql",
    abstract: "Print the SQL that aggregates a warehouse table into the cells `strata analyze` reads.",
    discussion: """
      The query returns one row per variant × segment (n, and per metric <col>_n, <col>_sum, and for \
      continuous metrics <col>_shift and <col>_sum_sq of the values shifted by that constant; from a \
      unit-level table also the rows it dropped, as analyze drops them from a CSV). Save the \
      result as CSV and give it to `strata analyze --data`; results of several partitions merge exactly. \
      Names are quoted for the dialect; a name with a quote, backslash or control character is refused. \
      docs/warehouse.md describes both input shapes and has the DDL for every dialect.

      Dialects: postgres (also Redshift), duckdb, spark (Databricks), trino (Athena, Presto), bigquery, \
      snowflake, clickhouse. Save the result with the engine's own tool (psql --csv, duckdb -csv, \
      bq query --format=csv, ...); docs/warehouse.md shows each engine.

      Each continuous metric is summed about one shift K (--shift, else the baseline, else the first value \
      the engine finds); a cell whose values are all equal gets that value as its <col>_shift and sums of 0 \
      (exact). A cell whose mean lies more than about 1,000 of its standard deviations from K \
      (an outlier picked as K) keeps too few of its variance's digits: `strata analyze --data` of the \
      saved result warns and names such cells, and --refine with that result prints the query again \
      with their columns summed about each cell's own mean (nothing when no cell needs it); its \
      result replaces the first.

      Examples:
        strata sql --experiment experiments/gym-renewal.yaml --dialect duckdb \\
          --table units
        strata sql --experiment experiments/gym-renewal.yaml --dialect postgres \\
          --table analytics.gym_units
        strata sql --experiment experiments/gym-renewal.yaml --dialect bigquery \\
          --exposures proj.strata.exposures --events proj.strata.events
        strata sql --experiment experiments/gym-renewal.yaml --dialect spark \\
          --table lake.units --shift revenue=49.5
        strata sql --experiment experiments/gym-renewal.yaml --dialect duckdb \\
          --table units --cross-product renewed,revenue
        strata sql --experiment experiments/gym-renewal.yaml --dialect duckdb \\
          --table units --refine cells.csv  # doc-example: skip (your result)
      """)

  @Option(help: "The experiment definition (YAML).")
  var experiment: String

  @Option(help: "The SQL dialect: \(SQLDialect.allCases.map(\.rawValue).joined(separator: ", ")).")
  var dialect: SQLDialect

  @Option(
    help:
      "A table or view with one row per unit (the unit-level CSV's columns): table, schema.table or catalog.schema.table."
  )
  var table: String?

  @Option(help: "The service's exposures table (with --events).")
  var exposures: String?

  @Option(help: "The service's events table (with --exposures).")
  var events: String?

  @Option(
    help: ArgumentHelp(
      "Shift constant for a continuous metric, METRIC=K (repeatable); default: the plan's baseline for the primary metric, else the first value the engine finds.",
      valueName: "metric=K"))
  var shift: [ShiftArgument] = []

  @Option(
    help: ArgumentHelp(
      "Add the cross-product column <a>_x_<b>_sum = Σ(a − Kₐ)(b − K_b) of two metrics (repeatable); ratio and covariate metrics add theirs without it.",
      valueName: "metric,metric"))
  var crossProduct: [String] = []

  @Option(
    help: ArgumentHelp(
      "Print the second query of Lin's regression (metrics with covariates:) instead: FILE is the first query's saved result (CSV); its fits become literals of the second query, whose result goes to `strata analyze --data FILE --regression-sums`.",
      valueName: "file"))
  var regressionCells: String?

  @Option(
    parsing: .upToNextOption,
    help: ArgumentHelp(
      "Print the query again with the cells of FILE (this query's saved result, CSV; several files: the parts of one result) whose sums lost their variance's digits to a shift far from their mean: their columns summed about each cell's own mean (the engine's, one more pass over the rows); nothing when no cell did. Its result replaces FILE's, for `strata analyze --data` (and --regression-cells).",
      valueName: "file"))
  var refine: [String] = []

  @Flag(
    help:
      "Unit-level shape: skip the duplicate-unit check (a window over unit ids); by default only the first row of a repeated unit id counts and the others are counted in dropped_duplicate_unit."
  )
  var noDuplicateCheck = false

  func validate() throws {
    switch (table, exposures, events) {
    case (.some, nil, nil), (nil, .some, .some): break
    case (.some, _, _): throw ValidationError("Give either --table or --exposures with --events, not both.")
    case (nil, .some, nil), (nil, nil, .some): throw ValidationError("--exposures and --events go together.")
    case (nil, nil, nil): throw ValidationError("Give --table (unit-level rows) or --exposures and --events.")
    }
    if !refine.isEmpty && regressionCells != nil {
      throw ValidationError(
        "Give either --refine or --regression-cells: refine first, then give the refined result to --regression-cells.")
    }
  }

  func run() throws {
    try reportingErrors {
      let definition = try ExperimentLoader.loadDefinition(contentsOf: URL(fileURLWithPath: experiment))
      var plan = AnalysisPlan(definition: definition)
      for item in crossProduct {
        let names = item.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let columns = plan.columns
        let indices = names.compactMap { name in columns.firstIndex { $0.name == name || $0.column == name } }
        guard names.count == 2, indices.count == 2, indices[0] != indices[1] else {
          throw InvalidInput(
            "--cross-product \"\(item)\" must name two different metrics or columns as a,b (\(columns.map(\.name).joined(separator: ", ")))"
          )
        }
        let pair = AnalysisPlan.CrossProduct(first: min(indices[0], indices[1]), second: max(indices[0], indices[1]))
        if !plan.crossProducts.contains(pair) { plan.crossProducts.append(pair) }
      }
      var shifts: [String: Double] = [:]
      for item in shift {
        guard shifts.updateValue(item.value, forKey: item.metric) == nil else {
          throw InvalidInput("--shift gives metric \"\(item.metric)\" twice")
        }
      }
      let source: CellQuery.Source =
        if let table { .units(table: table) } else { .events(exposures: exposures ?? "", events: events ?? "") }
      let query = try CellQuery(
        plan: plan, dialect: dialect, source: source, shifts: shifts, checkDuplicates: !noDuplicateCheck)
      let regression = plan.metrics.filter { $0.regression != nil }.map(\.name)
      if !refine.isEmpty {
        let cells = try DataReader.read(paths: refine, plan: plan, options: DataReadOptions())
        guard cells.format == .aggregated else {
          throw InvalidInput(
            "--refine \(refine.joined(separator: " ")): give the saved result of this query (one row per variant × segment), not unit rows"
          )
        }
        guard let refinement = try query.refinement(of: cells) else {
          printError(
            "strata: note: no cell of \(refine.joined(separator: " ")) lost its variance's digits: analyze it as it is (no query printed)"
          )
          return
        }
        printError(
          "strata: note: \(CellQueryRun.refinedPhrase(Set(cells.doubtfulCells.map { [$0.variant, $0.segment] }).count)) (\(refinement.ownMeans.map { plan.columns[$0].column }.joined(separator: ", ")), from \(refine.joined(separator: " "))): save this query's result and give it to strata analyze --data instead"
        )
        print(refinement.sql, terminator: "")
        return
      }
      guard let regressionCells else {
        for note in query.notes { printError("strata: note: \(note)") }
        if !regression.isEmpty {
          printError(
            "strata: note: \(DisplayText.list(regression)) declare\(regression.count == 1 ? "s" : "") covariates: (Lin's regression), whose HC errors need a second query: save this query's result as CSV (cells.csv), then strata sql with the same options and --regression-cells cells.csv prints it; give its saved result to strata analyze --data cells.csv --regression-sums FILE"
          )
        }
        print(query.sql, terminator: "")
        return
      }
      guard !regression.isEmpty else {
        throw InvalidInput("--regression-cells: no metric of \(experiment) declares covariates: (Lin's regression)")
      }
      let cells = try DataReader.read(paths: [regressionCells], plan: plan, options: DataReadOptions())
      guard let moments = cells.regressionCells else {
        throw InvalidInput(
          "--regression-cells \(regressionCells): the file has no regression columns (<metric>_lin_n, ...): give the saved result of this command's first query (without --regression-cells)"
        )
      }
      let second = try RegressionQuery(query, fits: RegressionFits(plan: plan, cells: moments))
      print(second.sql, terminator: "")
    }
  }
}

extension SQLDialect: ExpressibleByArgument {}

/// `--shift METRIC=K`.
struct ShiftArgument: ExpressibleByArgument {
  var metric: String
  var value: Double
  init?(argument: String) {
    guard let equals = argument.firstIndex(of: "="), let value = Double(argument[argument.index(after: equals)...]),
      value.isFinite
    else { return nil }
    metric = String(argument[..<equals])
    self.value = value
  }
}
